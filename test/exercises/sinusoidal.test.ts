import { describe, expect, test } from 'vitest';
import { maxAbsDiff, reference, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds, propertyResults } from '../helpers/properties.js';

const id = 'positions/sinusoidal';
const bounded = 'every entry is between −1 and 1';
const unitPairs = 'sin² + cos² = 1 in every pair of columns (2i, 2i+1)';

describe(id, () => {
  test('reference matches the lesson table (seqLen=4, d=4: divisors 1 and 100)', async () => {
    const got = await reference(id, 4, 4);
    const want = [
      [0, 1, 0, 1],
      [0.841471, 0.540302, 0.01, 0.99995],
      [0.909297, -0.416147, 0.019999, 0.9998],
      [0.14112, -0.989992, 0.029996, 0.99955],
    ];
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
  });

  test('reference: row 0 is [0, 1, 0, 1, …] and every (sin, cos) pair lies on the unit circle (d=512)', async () => {
    const got = (await reference(id, 6, 512)) as number[][];
    expect(got).toHaveLength(6);
    expect(got[0]).toEqual(Array.from({ length: 512 }, (_, j) => j % 2));
    for (const row of got) for (let i = 0; i < 256; i++) expect(row[2 * i] ** 2 + row[2 * i + 1] ** 2).toBeCloseTo(1, 6);
  });

  test('reference stays accurate at position 999 (the angle is reduced in float64 before float32 sin/cos)', async () => {
    const got = (await reference(id, 1000, 2)) as number[][];
    expect(maxAbsDiff(got[999], [Math.sin(999), Math.cos(999)])).toBeLessThan(1e-6);
  });

  test('the exponent-i/d variant divides pair 1 by 10 instead of 100 (the lesson pitfall)', async () => {
    const got = (await wrong(id, 'exponent-i-over-d', 4, 4)) as number[][];
    expect(maxAbsDiff(got[3], [0.14112, -0.989992, 0.29552, 0.955336])).toBeLessThan(1e-6);
  });

  test('the position-multiplied variant turns pair 1 by 100 radians per position (the lesson pitfall)', async () => {
    const got = (await wrong(id, 'position-multiplied', 4, 4)) as number[][];
    // Hand-worked: pair 0 is unchanged (10000^0 = 1); pair 1 has the angle p · 10000^(2/4) = 100p.
    expect(maxAbsDiff(got[1], [0.841471, 0.540302, -0.506366, 0.862319])).toBeLessThan(1e-6);
    expect(maxAbsDiff(got[3], [Math.sin(3), Math.cos(3), Math.sin(300), Math.cos(300)])).toBeLessThan(1e-9);
  });

  test('the concatenated-halves variant puts every sine before every cosine', async () => {
    const got = (await wrong(id, 'concatenated-halves', 2, 4)) as number[][];
    expect(got[0]).toEqual([0, 0, 1, 1]);
    expect(maxAbsDiff(got[1], [Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01)])).toBeLessThan(1e-12);
  });

  test('check yourself (lesson): in row 2 of the table, 0.909297² + (−0.416147)² = 1 and 0.019999² + 0.999800² = 1', async () => {
    const row = ((await reference(id, 4, 4)) as number[][])[2];
    expect(row[0] ** 2 + row[1] ** 2).toBeCloseTo(1, 5);
    expect(row[2] ** 2 + row[3] ** 2).toBeCloseTo(1, 5);
    expect(0.909297 ** 2 + 0.416147 ** 2).toBeCloseTo(1, 5);
    expect(0.019999 ** 2 + 0.9998 ** 2).toBeCloseTo(1, 5);
  });

  test('check yourself: the model solution stays in [−1, 1] and every pair has sin² + cos² = 1 (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [bounded]: 2, [unitPairs]: 2 });
  });

  test('check yourself: an encoding scaled by √d (as the paper scales embeddings) breaks both properties', async () => {
    const scaled = `export function sinusoidalEncoding(seqLen: number, d: number): Matrix {
  return Array.from({ length: seqLen }, (_, p) =>
    Array.from({ length: d }, (_, j) => {
      const angle = p / 10000 ** ((2 * Math.floor(j / 2)) / d);
      return Math.sqrt(d) * (j % 2 === 0 ? Math.sin(angle) : Math.cos(angle));
    }),
  );
}`;
    await expectPropertyBroken(id, scaled, bounded, /^Your PE\[0\]\[1\] is (2\.82843|4)\. Every entry is a sine or a cosine/);
    await expectPropertyBroken(id, scaled, unitPairs, /^In your row 0, columns 0 and 1 are 0 and \S+, whose squares add up to (8|16)\. Columns 2i and 2i\+1 are the sine and the cosine of one angle/);
  });

  test('check yourself: a cosine taken one position later breaks sin² + cos² = 1 but stays in [−1, 1]', async () => {
    const cosineLate = `export function sinusoidalEncoding(seqLen: number, d: number): Matrix {
  return Array.from({ length: seqLen }, (_, p) =>
    Array.from({ length: d }, (_, j) => {
      const w = 1 / 10000 ** ((2 * Math.floor(j / 2)) / d);
      return j % 2 === 0 ? Math.sin(p * w) : Math.cos((p + 1) * w);
    }),
  );
}`;
    const verdict = await expectPropertyBroken(id, cosineLate, unitPairs, /^In your row 0, columns 0 and 1 are 0 and 0\.540302, whose squares add up to 0\.291927\./);
    expect(propertyResults(verdict, bounded).map((c) => c.status)).toEqual(['pass', 'pass']);
  });
});

