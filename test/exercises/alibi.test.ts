import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { gradeLearnerSource, loadExercise, maxAbsDiff, reference, wrong } from '../helpers/exercises.js';
import { alibiBias } from '../../exercises/transformer-core/positions/alibi/solution.js';
import { loadTf } from '../../src/reference/backend.js';
import { wrongOutputs } from '../../src/core/grading/diagnose.js';

const id = 'positions/alibi';
const inf = -Infinity;
type Bias = number[][][];

/**
 * The slopes as Hugging Face's build_alibi_tensor computes them, in closed form:
 * base^1 … base^c with base = 2^(−8/c), then extraBase^1, ^3, ^5 … with
 * extraBase = 2^(−4/c) for the H − c heads beyond the power of two c.
 */
function closedFormSlopes(heads: number): number[] {
  const c = 2 ** Math.floor(Math.log2(heads));
  const slopes = Array.from({ length: c }, (_, k) => (2 ** (-8 / c)) ** (k + 1));
  for (let k = 0; k < heads - c; k++) slopes.push((2 ** (-4 / c)) ** (2 * k + 1));
  return slopes;
}

const softmax = (row: number[]) => {
  const e = row.map((x) => Math.exp(x));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
};

/** Every alternative output of a misconception's wrong variant on (heads, n). */
async function wrongAlternatives(misconceptionId: string, heads: number, n: number): Promise<Bias[]> {
  const { definition, ctx } = await loadExercise(id);
  const misconception = definition.misconceptions!.find((m) => m.id === misconceptionId)!;
  return (await wrongOutputs(misconception, ctx, [heads, n])) as Bias[];
}

/** Where a bias is masked (−Infinity), and its entries with the masked ones set to 0, for maxAbsDiff. */
const splitMask = (bias: Bias) => ({
  masked: bias.map((head) => head.map((row) => row.map((x) => x === -Infinity))),
  values: bias.map((head) => head.map((row) => row.map((x) => (x === -Infinity ? 0 : x)))),
});

/** Each head's bias at distance 1 (row 1, column 0) is −m_h: the slopes, read back from a bias. */
const slopesOf = (bias: Bias) => bias.map((head) => -head[1][0]);

async function lessonBlock(language: string): Promise<string> {
  const lesson = await fs.readFile(path.join('exercises/transformer-core', id, 'lesson.md'), 'utf8');
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(lesson);
  if (!block) throw new Error(`no ${language} block in the lesson`);
  return block[1];
}

describe(id, () => {
  test('reference matches the lesson table: head 1 (slope 1/4) and row 3 of head 4 (slope 1/256)', async () => {
    const got = (await reference(id, 4, 4)) as Bias;
    expect(got[0]).toEqual([
      [0, inf, inf, inf],
      [-0.25, 0, inf, inf],
      [-0.5, -0.25, 0, inf],
      [-0.75, -0.5, -0.25, 0],
    ]);
    expect(got[3][3]).toEqual([-0.01171875, -0.0078125, -0.00390625, 0]);
    expect(slopesOf(got)).toEqual([1 / 4, 1 / 16, 1 / 64, 1 / 256]);
  });

  test("the lesson's weights: softmax of row 3 when every q·k is equal", async () => {
    const got = (await reference(id, 4, 4)) as Bias;
    expect(maxAbsDiff(softmax(got[0][3]), [0.165296, 0.212244, 0.272527, 0.349932])).toBeLessThan(5e-7);
    expect(maxAbsDiff(softmax(got[3][3]), [0.248537, 0.24951, 0.250486, 0.251467])).toBeLessThan(5e-7);
  });

  test("the lesson's table of penalties at 4, 16, 64 and 256 tokens back: −1 at 1/m_h (heads=4)", async () => {
    const got = (await reference(id, 4, 257)) as Bias;
    const distances = [4, 16, 64, 256];
    expect(got.map((head) => distances.map((d) => head[d][0]))).toEqual([
      [-1, -4, -16, -64],
      [-0.25, -1, -4, -16],
      [-0.0625, -0.25, -1, -4],
      [-0.015625, -0.0625, -0.25, -1],
    ]);
  });

  test("slopes are the paper's: 1/2 … 1/256 for 8 heads, 2^(−k/2) for 16, and 6 heads as in the lesson", async () => {
    expect(slopesOf((await reference(id, 8, 2)) as Bias)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => 2 ** -k));
    expect(maxAbsDiff(slopesOf((await reference(id, 16, 2)) as Bias), Array.from({ length: 16 }, (_, k) => 2 ** (-(k + 1) / 2)))).toBeLessThan(1e-7);
    expect(slopesOf((await reference(id, 6, 2)) as Bias)).toEqual([1 / 4, 1 / 16, 1 / 64, 1 / 256, 1 / 2, 1 / 8]);
  });

  test.each([1, 2, 3, 5, 7, 12, 20, 40, 112])('slopes for %i heads equal build_alibi_tensor\'s closed form', async (heads) => {
    const got = slopesOf((await reference(id, heads, 2)) as Bias);
    const want = closedFormSlopes(heads);
    for (const [h, m] of want.entries()) expect(Math.abs(got[h] - m) / m, `head ${h}`).toBeLessThan(1e-6);
    expect(got).toHaveLength(heads);
  });

  test('reference equals the float64 solution on a long sequence (heads=12, n=50)', async () => {
    const [got, want] = [splitMask((await reference(id, 12, 50)) as Bias), splitMask(alibiBias(12, 50))];
    expect(got.masked).toEqual(want.masked);
    expect(maxAbsDiff(got.values, want.values)).toBeLessThan(1e-5);
  });

  test('the key-only bias m·j gives the same attention weights: it shifts each row by m·i (the lesson pitfall)', async () => {
    const keyOnly = (await wrong(id, 'key-position-only', 4, 5)) as Bias;
    const want = (await reference(id, 4, 5)) as Bias;
    expect(keyOnly[0][3].slice(0, 4)).toEqual([0, 0.25, 0.5, 0.75]);
    for (let h = 0; h < 4; h++) for (let i = 0; i < 5; i++) expect(maxAbsDiff(softmax(keyOnly[h][i]), softmax(want[h][i]))).toBeLessThan(1e-7);
  });

  test('the heads-from-zero variant starts at slope 1, and the wrong sign rewards distance (the lesson pitfalls)', async () => {
    expect(slopesOf((await wrong(id, 'heads-from-zero', 4, 2)) as Bias)).toEqual([1, 1 / 4, 1 / 16, 1 / 64]);
    expect(((await wrong(id, 'positive-bias', 4, 4)) as Bias)[0][3]).toEqual([0.75, 0.5, 0.25, 0]);
  });

  test('the properties hold for the solution and catch a bias that depends on n or slopes not from 2^(−8h/H)', async () => {
    const { definition } = await loadExercise(id);
    const [corner, diagonal, doubling] = definition.properties!;
    expect(corner.holds([alibiBias(4, 3), alibiBias(4, 9)], [[4, 3], [4, 9]])).toBeUndefined();
    expect(diagonal.holds([alibiBias(6, 5)], [[6, 5]])).toBeUndefined();
    expect(doubling.holds([alibiBias(4, 5), alibiBias(8, 5)], [[4, 5], [8, 5]])).toBeUndefined();

    const [, mptStyle] = await wrongAlternatives('key-position-only', 4, 3);
    const [, mptLong] = await wrongAlternatives('key-position-only', 4, 9);
    expect(corner.holds([mptStyle, mptLong], [[4, 3], [4, 9]])).toMatch(/^alibiBias\(4, 3\)\[0\]\[0\]\[0\] = -0\.5 but alibiBias\(4, 9\)\[0\]\[0\]\[0\] = -2\. /);
    const fromZero = async (heads: number) => (await wrong(id, 'heads-from-zero', heads, 5)) as Bias;
    expect(doubling.holds([await fromZero(4), await fromZero(8)], [[4, 5], [8, 5]])).toMatch(/^alibiBias\(4, 5\)\[0\]\[1\]\[0\] = -1 but alibiBias\(8, 5\)\[1\]\[1\]\[0\] = -0\.5\. /);
    expect(diagonal.holds(['not a bias'] as never, [[6, 5]])).toMatch(/must return 6 matrices of 5×5 numbers/);
  });

  test("the lesson's TensorFlow.js block gives the reference's output on the first case", async () => {
    const { tf } = await loadTf();
    const run = new Function('tf', 'heads', 'n', `${await lessonBlock('js')}\nreturn result;`) as (...args: unknown[]) => { array(): Promise<unknown> };
    expect(await run(tf, 4, 4).array()).toEqual(await reference(id, 4, 4));
  });

  test('grading: MPT\'s key-only bias m·(j − (n − 1)) fails the corner and diagonal checks with a message, and is diagnosed', async () => {
    const solution = await fs.readFile(path.join('exercises/transformer-core', id, 'solution.ts'), 'utf8');
    const mptStyle = solution.replace('-m * (i - j)', 'm * (j - (n - 1))');
    expect(mptStyle).not.toBe(solution);
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: mptStyle });
    expect(verdict.status).toBe('fail');
    const corners = verdict.cases.filter((c) => c.name.startsWith('alibiBias(H, n) is the top-left corner of alibiBias(H, N)'));
    expect(corners).toHaveLength(2);
    for (const c of corners) expect(c.message).toMatch(/^alibiBias\(\d+, \d+\)\[0\]\[0\]\[0\] = -\S+ but alibiBias\(\d+, \d+\)\[0\]\[0\]\[0\] = -\S+\. A longer sequence only adds rows and columns/);
    const diagonals = verdict.cases.filter((c) => c.name.startsWith('each diagonal is constant'));
    expect(diagonals).toHaveLength(3);
    for (const c of diagonals) expect(c.message).toMatch(/^alibiBias\(\d+, \d\)\[0\]\[0\]\[0\] = -\S+ but alibiBias\(\d+, \d\)\[0\]\[1\]\[1\] = -\S+\. Only the distance/);
    expect(verdict.diagnosis?.misconceptionId).toBe('key-position-only');
  });
});
