import { describe, expect, test } from 'vitest';
import { gradeLearnerSource, maxAbsDiff, reference, wrong, wrongAlternatives } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds, propertyResults } from '../helpers/properties.js';
import { ropeLearner } from './rope-learners.js';
import { applyRope } from '../../exercises/transformer-core/positions/rope/solution.js';

const id = 'positions/rope';
const rowLength = 'each row keeps its length';
const pairLength = 'each pair (2i, 2i+1) keeps its length';
const x = [
  [1, 2, 3, 4],
  [1, 2, 3, 4],
  [1, 2, 3, 4],
];

/**
 * A learner's applyRope that writes one member of each pair before computing
 * the other from it: into a copy of each row, or into x itself (returned).
 */
function overwritingRope(target: 'copy' | 'in-place', first: 'first' | 'second'): string {
  const pair =
    first === 'first'
      ? ['out[2 * i] = out[2 * i] * c - out[2 * i + 1] * s;', 'out[2 * i + 1] = out[2 * i] * s + out[2 * i + 1] * c;']
      : ['out[2 * i + 1] = out[2 * i] * s + out[2 * i + 1] * c;', 'out[2 * i] = out[2 * i] * c - out[2 * i + 1] * s;'];
  return [
    'export function applyRope(x: number[][], positions: number[], base: number): number[][] {',
    '  const d = x[0].length;',
    '  return x.map((row, r) => {',
    `    const out = ${target === 'copy' ? '[...row]' : 'row'};`,
    '    for (let i = 0; i < d / 2; i++) {',
    '      const a = positions[r] * base ** ((-2 * i) / d);',
    '      const c = Math.cos(a);',
    '      const s = Math.sin(a);',
    ...pair.map((line) => `      ${line}`),
    '    }',
    '    return out;',
    '  });',
    '}',
  ].join('\n');
}

describe(id, () => {
  test('reference matches the lesson example: [1, 2, 3, 4] at positions 0, 1, 2', async () => {
    const got = await reference(id, x, [0, 1, 2], 10000);
    const want = [
      [1, 2, 3, 4],
      [-1.14264, 1.922076, 2.959851, 4.0298],
      [-2.234742, 0.077004, 2.919405, 4.059196],
    ];
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
  });

  test('reference: each neighbour pair keeps its length, and position 0 changes nothing', async () => {
    const rows = [
      [0.3, -1.2, 2.5, 0.7, -0.4, 1.1],
      [0.3, -1.2, 2.5, 0.7, -0.4, 1.1],
    ];
    const got = (await reference(id, rows, [0, 37], 10000)) as number[][];
    expect(maxAbsDiff(got[0], rows[0])).toBeLessThan(1e-6);
    for (let i = 0; i < 3; i++) expect(Math.hypot(got[1][2 * i], got[1][2 * i + 1])).toBeCloseTo(Math.hypot(rows[1][2 * i], rows[1][2 * i + 1]), 5);
  });

  test('reference equals float64 RoPE at long-context positions (4095, 8191, 100000)', async () => {
    const rows = [
      [0.5, -1, 2, 0.25, 1.5, -0.75, 0.1, 2.2],
      [1, 1, 1, 1, 1, 1, 1, 1],
      [-2, 0.5, 0.3, -0.9, 1.7, 0.2, -1.1, 0.6],
    ];
    const positions = [4095, 8191, 100000];
    expect(maxAbsDiff(await reference(id, rows, positions, 10000), applyRope(rows, positions, 10000))).toBeLessThan(2e-6);
  });

  test('the sign-flipped variant turns the other way (the lesson pitfall)', async () => {
    const got = (await wrong(id, 'sign-flipped', x, [0, 1, 2], 10000)) as number[][];
    expect(maxAbsDiff(got[1], [2.223244, 0.239134, 3.039849, 3.969801])).toBeLessThan(1e-6);
  });

  test('the overwritten-pair variant: the lesson row at position 1, either member written first', async () => {
    const [firstMemberFirst, secondMemberFirst] = (await wrongAlternatives(id, 'pair-overwritten-in-place', x, [0, 1, 2], 10000)) as number[][][];
    // Hand-worked: x' = 1·cos 1 − 2·sin 1 = −1.142640, then y' = x'·sin 1 + 2·cos 1 = 0.119106 (pair 1 likewise with 0.01 radian).
    expect(maxAbsDiff(firstMemberFirst[1], [-1.14264, 0.119106, 2.959851, 4.029398])).toBeLessThan(1e-6);
    expect(Math.hypot(firstMemberFirst[1][0], firstMemberFirst[1][1])).toBeCloseTo(1.149, 3);
    expect(maxAbsDiff(secondMemberFirst[1], [-1.077069, 1.922076, 2.959553, 4.0298])).toBeLessThan(1e-6);
    expect(firstMemberFirst[0]).toEqual([1, 2, 3, 4]);
  });

  test.each([
    ['writes into a copy, the first member first', overwritingRope('copy', 'first'), false],
    ['changes x in place, the second member first', overwritingRope('in-place', 'second'), true],
  ])('a learner who overwrites a pair before its partner is diagnosed as pair-overwritten-in-place (%s)', async (_label, source, mutates) => {
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source });
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'pair-overwritten-in-place', confidence: 'full' });
    // Changing x is only a note here (the inputs are not read-only): the diagnosis compares outputs either way.
    expect(verdict.notes.some((note) => note.includes('changes its input in place'))).toBe(mutates);
  }, 60_000);

  test('the half-split variant is the other layout: [−1.984111, 1.959901, 2.462378, 4.019800] at position 1', async () => {
    const got = (await wrong(id, 'half-split-layout', x, [0, 1, 2], 10000)) as number[][];
    expect(maxAbsDiff(got[1], [-1.984111, 1.959901, 2.462378, 4.0198])).toBeLessThan(1e-6);
  });

  test('check yourself (lesson): every row of the worked example keeps the length √30 = 5.477226 of [1, 2, 3, 4]', async () => {
    const rows = (await reference(id, x, [0, 1, 2], 10000)) as number[][];
    for (const row of rows) expect(Math.hypot(...row)).toBeCloseTo(Math.sqrt(30), 5);
    expect(Math.sqrt(30)).toBeCloseTo(5.477226, 6);
    expect(Math.hypot(rows[1][0], rows[1][1])).toBeCloseTo(Math.sqrt(5), 5);
  });

  test('check yourself: the model solution keeps every row\'s and every pair\'s length (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [rowLength]: 2, [pairLength]: 2 });
  });

  test('check yourself: a second coordinate that forgets its x·sin term breaks both lengths', async () => {
    const stretched = ropeLearner('applyRope', '[2 * i, 2 * i + 1]', 'y * Math.cos(angle)');
    await expectPropertyBroken(id, stretched, rowLength, /^Row \d has length \S+ in x and \S+ in your output\. RoPE only rotates pairs of numbers, and a rotation never stretches a vector/);
    await expectPropertyBroken(id, stretched, pairLength, /^In row \d, pair \d \(dimensions \d and \d\) has length \S+ in x and \S+ in your output\. Each pair \(2i, 2i\+1\) is turned by its own angle/);
  });

  test('check yourself: rotating the other layout\'s pairs keeps each row\'s length but not each pair\'s', async () => {
    const verdict = await expectPropertyBroken(id, ropeLearner('applyRope', '[i, i + d / 2]', 'x * Math.sin(angle) + y * Math.cos(angle)'), pairLength, /^In row \d, pair \d/);
    expect(propertyResults(verdict, rowLength).map((c) => c.status)).toEqual(['pass', 'pass']);
  });
});

