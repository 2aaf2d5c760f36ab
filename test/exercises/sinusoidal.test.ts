import { describe, expect, test } from 'vitest';
import { maxAbsDiff, reference, wrong } from '../helpers/exercises.js';

const id = 'positions/sinusoidal';

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
});
