import { describe, expect, test } from 'vitest';
import { expectMisconceptionsDiagnosed, reference, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose, mm } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';

const id = 'training/activations/swiglu';
const reorder = 'reordering the tokens reorders the output rows the same way';
const linear = 'doubling w3 doubles the output';

const x = [[1, -1]];
const w1 = [
  [2, 0, 1],
  [1, 1, -1],
];
const w3 = [
  [1, 2, 1],
  [0, 1, -1],
];
const w2 = [
  [1, 0],
  [0, 1],
  [1, -1],
];

/** SiLU and σ written out here, apart from the exercise's code. */
const sigma = (z: number) => 1 / (1 + Math.exp(-z));
const swish = (z: number) => z * sigma(z);

describe(id, () => {
  test('the lesson worked example by hand: x·w1 = [1, −1, 2], x·w3 = [1, 1, 2], the output [4.254247, −3.792130]', () => {
    expect(mm(x, w1)).toEqual([[1, -1, 2]]);
    expect(mm(x, w3)).toEqual([[1, 1, 2]]);
    expectClose([1, -1, 2].map(swish), [0.731059, -0.268941, 1.761594], 6);
    expectClose(mm([[swish(1) * 1, swish(-1) * 1, swish(2) * 2]], w2), [[4.254247, -3.792130]], 6);
  });

  test('the SiLU table of the lesson', () => {
    const z = [-4, -2, -1, 0, 1, 2, 4];
    expectClose(z.map(sigma), [0.017986, 0.119203, 0.268941, 0.5, 0.731059, 0.880797, 0.982014], 6);
    expectClose(z.map(swish), [-0.071945, -0.238406, -0.268941, 0, 0.731059, 1.761594, 3.928055], 6);
    // Its minimum, −0.278 at z = −1.28.
    const grid = Array.from({ length: 4001 }, (_, i) => -3 + i / 1000);
    const lowest = grid.reduce((best, v) => (swish(v) < swish(best) ? v : best));
    expect(lowest).toBeCloseTo(-1.278, 3);
    expect(swish(lowest)).toBeCloseTo(-0.278, 3);
  });

  test('the reference gives the lesson output [4.254247, −3.792130]', async () => {
    expectClose(await reference(id, x, w1, w3, w2), [[4.254247, -3.792130]], 5);
  });

  test('the reference is LLaMA\'s w2(silu(w1(x))·w3(x)) on random shapes, against a plain float64 computation', async () => {
    const rand = (rows: number, cols: number, seed: number) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed + 3 * i + 7 * j)));
    const [xs, a, b, c] = [rand(3, 4, 1), rand(4, 6, 2), rand(4, 6, 3), rand(6, 4, 4)];
    const gate = mm(xs, a);
    const up = mm(xs, b);
    expectClose(await reference(id, xs, a, b, c), mm(gate.map((row, t) => row.map((z, j) => swish(z) * up[t][j])), c), 5);
  });

  test('pitfalls (lesson): SiLU on w3 gives [4.254247, −4.254247], σ gives [2.492653, −1.492653], GELU gives [4.750344, −4.067655]', async () => {
    expectClose(await wrong(id, 'silu-on-up-branch', x, w1, w3, w2), [[4.254247, -4.254247]], 6);
    expectClose(await wrong(id, 'sigmoid-not-silu', x, w1, w3, w2), [[2.492653, -1.492653]], 6);
    const gelu = await wrongAlternatives(id, 'gelu-not-silu', x, w1, w3, w2);
    expectClose(gelu![0], [[4.750344, -4.067655]], 6);
    // Hand-worked from x·Φ(x): GELU(1) = 0.8413447461, GELU(−1) = −0.1586552539, GELU(2) = 1.9544997362.
    expectClose(mm([[0.8413447461, -0.1586552539, 1.9544997362 * 2]], w2), [[4.750344, -4.067655]], 6);
  });

  test.each([7, 99])('each misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    await expectMisconceptionsDiagnosed(id, seed, ['gelu-not-silu', 'sigmoid-not-silu', 'silu-on-up-branch']);
  });

  test('check yourself (lesson): doubling w3 gives [8.508494, −7.584259]', async () => {
    expectClose(await reference(id, x, w1, w3.map((row) => row.map((v) => 2 * v)), w2), [[8.508494, -7.584259]], 5);
  });

  test('check yourself: the model solution holds both properties and passes every case (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [reorder]: 1, [linear]: 1 });
  });

  test('check yourself: SiLU on the w3 branch breaks the linearity in w3', async () => {
    const source = (await solutionSource(id)).replace('const hidden = gate.map((row, t) => row.map((z, j) => silu(z) * up[t][j]));', 'const hidden = up.map((row, t) => row.map((z, j) => silu(z) * gate[t][j]));');
    expect(source).toContain('silu(z) * gate[t][j]');
    await expectPropertyBroken(id, source, linear, /^Doubling w3 did not double your output \(twice your first output, and your second: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. x·w3 is the linear branch/);
  });

  test('check yourself: a learner who computes every row from the first token breaks the reordering property', async () => {
    const source = (await solutionSource(id)).replace('const gate = matmul(x, w1);', 'const gate = matmul(x.map(() => x[0]), w1);');
    expect(source).toContain('x.map(() => x[0])');
    await expectPropertyBroken(id, source, reorder, /^Your output for the reordered tokens is not your first output reordered \(\[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. A feed-forward layer works on each token alone/);
  });
});
