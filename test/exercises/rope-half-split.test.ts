import { describe, expect, test } from 'vitest';
import { gradeLearnerSource, maxAbsDiff, reference, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds, propertyResults } from '../helpers/properties.js';
import { ropeLearner } from './rope-learners.js';
import { Rng, randomMatrix } from '../../src/pack-api.js';
import { neighboursToHalves } from '../../exercises/transformer-core/positions/rope-math.js';

const id = 'positions/rope-half-split';
const rowLength = 'each row keeps its length';
const pairLength = 'each pair (i, i + d/2) keeps its length';
const x = [
  [1, 2, 3, 4],
  [1, 2, 3, 4],
  [1, 2, 3, 4],
];

const permuteRows = (m: number[][], perm: number[]) => m.map((row) => perm.map((j) => row[j]));

describe(id, () => {
  test('reference matches the lesson example: pairs (0, 2) and (1, 3)', async () => {
    const got = await reference(id, x, [0, 1, 2], 10000);
    const want = [
      [1, 2, 3, 4],
      [-1.984111, 1.959901, 2.462378, 4.0198],
      [-3.144039, 1.919605, -0.339143, 4.039197],
    ];
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
  });

  test('the permutation of the lesson (even dimensions, then odd ones) is [0, 2, 4, 6, 1, 3, 5, 7] for d = 8', () => {
    expect(neighboursToHalves(8)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });

  test.each([
    [4, 10000],
    [8, 10000],
    [16, 500000],
    [64, 10000],
  ])('the two layouts agree under the permutation: interleaved(x)[perm] == half(x[perm]) (d=%i, base %i)', async (d, base) => {
    const rng = new Rng(d * 31 + 7);
    const rows = randomMatrix(rng, 5, d);
    const positions = [0, 1, 7, 130, 4096];
    const perm = neighboursToHalves(d);
    const interleaved = (await reference('positions/rope', rows, positions, base)) as number[][];
    const half = (await reference(id, permuteRows(rows, perm), positions, base)) as number[][];
    expect(maxAbsDiff(permuteRows(interleaved, perm), half)).toBeLessThan(1e-5);
    // Without the permutation the layouts are different functions.
    const unpermuted = (await reference(id, rows, positions, base)) as number[][];
    expect(maxAbsDiff(interleaved, unpermuted)).toBeGreaterThan(0.1);
  });

  test('mixing the layouts is not a rotation: the lesson row at position 1 grows by 7%', async () => {
    const got = (await wrong(id, 'mixed-layouts', x, [0, 1, 2], 10000)) as number[][];
    expect(maxAbsDiff(got[1], [-1.984111, -2.285279, 3.00985, 4.0198])).toBeLessThan(1e-6);
    expect(Math.hypot(...got[1]) / Math.hypot(...x[1])).toBeCloseTo(1.07047, 5);
  });

  test('overwriting a pair in place: the lesson row at position 1 (pair 0 = (1, 3) shrinks to length 1.985)', async () => {
    const got = (await wrong(id, 'pair-overwritten-in-place', x, [0, 1, 2], 10000)) as number[][];
    // Hand-worked: x' = 1·cos 1 − 3·sin 1 = −1.984111, then y' = x'·sin 1 + 3·cos 1 = −0.048665 (pair 1 likewise with 0.01 radian).
    expect(maxAbsDiff(got[1], [-1.984111, 1.959901, -0.048665, 4.019399])).toBeLessThan(1e-6);
    expect(Math.hypot(got[1][0], got[1][2])).toBeCloseTo(1.985, 3);
  });

  test('a learner who writes each dimension of x in place, in order, is diagnosed as pair-overwritten-in-place', async () => {
    // Dimension j + d/2 is computed after dimension j has been overwritten.
    const source = [
      'export function applyRopeHalf(x: number[][], positions: number[], base: number): number[][] {',
      '  const d = x[0].length;',
      '  const h = d / 2;',
      '  x.forEach((row, r) => {',
      '    for (let j = 0; j < d; j++) {',
      '      const a = positions[r] * base ** ((-2 * (j % h)) / d);',
      '      row[j] = j < h ? row[j] * Math.cos(a) - row[j + h] * Math.sin(a) : row[j - h] * Math.sin(a) + row[j] * Math.cos(a);',
      '    }',
      '  });',
      '  return x;',
      '}',
    ].join('\n');
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source });
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'pair-overwritten-in-place', confidence: 'full' });
  }, 60_000);
  test('check yourself (lesson): every row of the worked example keeps the length √30 = 5.477226 of [1, 2, 3, 4], pair 0 at position 1 the length √10 = 3.162278 of (1, 3)', async () => {
    const rows = (await reference(id, x, [0, 1, 2], 10000)) as number[][];
    for (const row of rows) expect(Math.hypot(...row)).toBeCloseTo(Math.sqrt(30), 5);
    expect(Math.sqrt(30)).toBeCloseTo(5.477226, 6);
    // Pair 0 at position 1: (1, 3) → (−1.984111, 2.462378), both of length √10.
    expect(Math.hypot(rows[1][0], rows[1][2])).toBeCloseTo(Math.sqrt(10), 5);
    expect(Math.hypot(-1.984111, 2.462378)).toBeCloseTo(3.162278, 5);
  });

  test('check yourself: the model solution keeps every row\'s and every pair\'s length (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [rowLength]: 2, [pairLength]: 2 });
  });

  test('check yourself: a second coordinate that forgets its x·sin term breaks both lengths', async () => {
    const stretched = ropeLearner('applyRopeHalf', '[i, i + d / 2]', 'y * Math.cos(angle)');
    await expectPropertyBroken(id, stretched, rowLength, /^Row \d has length \S+ in x and \S+ in your output\. RoPE only rotates pairs of numbers, and a rotation never stretches a vector/);
    await expectPropertyBroken(id, stretched, pairLength, /^In row \d, pair \d \(dimensions \d and \d\) has length \S+ in x and \S+ in your output\. Each pair \(i, i \+ d\/2\) is turned by its own angle/);
  });

  test('check yourself: rotating the other layout\'s pairs keeps each row\'s length but not each pair\'s', async () => {
    const verdict = await expectPropertyBroken(id, ropeLearner('applyRopeHalf', '[2 * i, 2 * i + 1]', 'x * Math.sin(angle) + y * Math.cos(angle)'), pairLength, /^In row \d, pair \d/);
    expect(propertyResults(verdict, rowLength).map((c) => c.status)).toEqual(['pass', 'pass']);
  });
});

