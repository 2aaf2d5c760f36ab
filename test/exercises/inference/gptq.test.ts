import { describe, expect, test } from 'vitest';
import { gptqQuantizeRow } from '../../../exercises/inference/quant/gptq/solution.js';
import { lessonGrid, lessonHInv, lessonW } from '../../../exercises/inference/quant/gptq/exercise.js';
import { dampedHessian, lessonLayer, minMaxGrid } from '../../../exercises/inference/quant/gptq-math.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrongAlternatives } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, halfQuadratic, inferenceFile, invert, runLessonJs, seededCases } from './compress-helpers.js';

const id = 'quant/gptq';
const qualified = `inference/${id}`;
const identity = 'the error returned is ½(w − q)ᵀH(w − q) for the q returned';
type Args = [number[], number[][], number[]];
type Row = { q: number[]; error: number };
const gptq = async (...args: Args) => (await reference(qualified, ...args)) as Row;

/**
 * OBQ as Frantar et al. first wrote it, with no Cholesky factor: quantise column i,
 * w −= (w_i − q_i)/H⁻¹_ii · H⁻¹_{:,i}, then remove i from H⁻¹ by one step of Gaussian
 * elimination, H⁻¹ −= H⁻¹_{:,i} H⁻¹_{i,:} / H⁻¹_ii. The error adds (w_i − q_i)²/(2·H⁻¹_ii).
 * Also returns the margin of the closest rounding decision (how far from a tie).
 */
function obq(w0: number[], hInv0: number[][], grid: number[]): Row & { margin: number } {
  const w = [...w0];
  let hInv = hInv0.map((r) => [...r]);
  const q: number[] = [];
  let error = 0;
  let margin = Infinity;
  for (let i = 0; i < w.length; i++) {
    const dist = grid.map((g) => Math.abs(g - w[i]));
    const sorted = [...dist].sort((a, b) => a - b);
    margin = Math.min(margin, sorted[1] - sorted[0]);
    q.push(grid[dist.indexOf(sorted[0])]);
    const d = hInv[i][i];
    const e = (w[i] - q[i]) / d;
    error += ((w[i] - q[i]) ** 2) / (2 * d);
    for (let j = i + 1; j < w.length; j++) w[j] -= e * hInv[j][i];
    hInv = hInv.map((row, r) => row.map((v, c) => v - (hInv[r][i] * hInv[i][c]) / d));
  }
  return { q, error, margin };
}

describe(id, () => {
  test('the lesson example by hand: q = [0.5, 0.5, 1], error 0.18 = ½(w − q)ᵀH(w − q); rounding to nearest 0.305', async () => {
    const out = await gptq(lessonW, lessonHInv, lessonGrid);
    expectClose(out.q, [0.5, 0.5, 1], 12);
    expect(out.error).toBeCloseTo(0.18, 12);
    const h = invert(lessonHInv);
    expectClose(h, [[5.25, -1.5, -1], [-1.5, 5, -2], [-1, -2, 4]], 12);
    expect(halfQuadratic([-0.2, -0.3, -0.3], h)).toBeCloseTo(0.18, 12);
    expect(halfQuadratic([-0.2, 0.2, 0.2], h)).toBeCloseTo(0.305, 12);
  });

  test('the reference and the model solution agree with OBQ\'s update of H⁻¹ (no Cholesky) on every seeded case, and the error is ½δᵀHδ', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = obq(...args);
      const got = await gptq(...args);
      expect(got.q, c.name).toEqual(want.q);
      expect(got.error, c.name).toBeCloseTo(want.error, 10);
      expect(got.error, c.name).toBeCloseTo(halfQuadratic(args[0].map((v, i) => v - got.q[i]), invert(args[1])), 9);
      const solved = gptqQuantizeRow(...args);
      expect(solved.q, c.name).toEqual(got.q);
      expect(solved.error, c.name).toBeCloseTo(got.error, 12);
      // No rounding decision sits on a tie, except in the case made of ties, where both orders of float arithmetic agree.
      if (!c.name.includes('ties')) expect(want.margin, c.name).toBeGreaterThan(1e-6);
    }
  });

  test('ties go to the earlier grid value: 0.25 → 0, −0.75 → −1', async () => {
    const out = await gptq([0.25, -0.75, 0.6, -0.1], [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], lessonGrid);
    expect(out.q).toEqual([0, -1, 0.5, 0]);
  });

  test('the lesson\'s layer: damped H from its activations, min-max 3-bit grids, and the RTN and GPTQ figures of its table', async () => {
    const layer = lessonLayer();
    // gptq.py's H written out another way: 2/n Σ x xᵀ as a matrix product, then percdamp · mean diagonal.
    const n = layer.x.length;
    const raw = layer.x[0].map((_, i) => layer.x[0].map((__, j) => (2 / n) * layer.x.reduce((s, row) => s + row[i] * row[j], 0)));
    const damp = (0.01 * raw.reduce((s, row, i) => s + row[i], 0)) / raw.length;
    expectClose(layer.h, raw.map((row, i) => row.map((v, j) => v + (i === j ? damp : 0))), 12);
    expectClose(dampedHessian(layer.x), layer.h, 12);
    expectClose(invert(layer.h), layer.hInv, 9);
    expect(minMaxGrid([-0.27, 0.5], 3).length).toBe(8);
    const table = (await inferenceFile(id, 'lesson.md')).split('\n').filter((l) => /^\| [0-3] \| 0\.\d{6} \| 0\.\d{6} \|/.test(l));
    expect(table).toHaveLength(4);
    let totals = [0, 0];
    for (const [r, line] of table.entries()) {
      const numbers = line.split('|').slice(2, 6).flatMap((cell) => cell.split(',').map((x) => Number(x.trim())));
      const w = layer.rows[r];
      const rtnQ = w.map((v) => layer.grids[r].reduce((best, g) => (Math.abs(g - v) < Math.abs(best - v) ? g : best)));
      const rtnDelta = w.map((v, i) => v - rtnQ[i]);
      const out = await gptq(w, layer.hInv, layer.grids[r]);
      const delta = w.map((v, i) => v - out.q[i]);
      const stats = (d: number[]) => [Math.max(...d.map(Math.abs)), d.reduce((s, x) => s + Math.abs(x), 0) / d.length];
      expectClose(numbers, [halfQuadratic(rtnDelta, layer.h), out.error, ...stats(rtnDelta), ...stats(delta)], 6);
      totals = [totals[0] + halfQuadratic(rtnDelta, layer.h), totals[1] + out.error];
    }
    const all = (await inferenceFile(id, 'lesson.md')).split('\n').find((l) => l.startsWith('| all |'))!;
    expectClose(all.split('|').slice(2, 4).map(Number), totals, 6);
  });

  test('the wrong variants on the lesson example: RTN q = [0.5, 0, 0.5] with 0.24 or 0.305; H⁻¹ for U reports 0.5476', async () => {
    const rtn = (await wrongAlternatives(qualified, 'round-to-nearest', lessonW, lessonHInv, lessonGrid)) as Row[];
    expect(rtn.map((r) => r.q)).toEqual([[0.5, 0, 0.5], [0.5, 0, 0.5]]);
    expect(rtn[0].error).toBeCloseTo(0.24, 12);
    expect(rtn[1].error).toBeCloseTo(0.305, 12);
    const raw = (await wrongAlternatives(qualified, 'hinv-not-cholesky', lessonW, lessonHInv, lessonGrid)) as Row[];
    expect(raw[0].q).toEqual([0.5, 0.5, 1]);
    expect(raw[0].error).toBeCloseTo(0.5476, 4);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['round-to-nearest', 'hinv-not-cholesky']);
  });

  test('check yourself: the model solution\'s error is the quadratic form; rounding without the updates breaks it', async () => {
    await expectSolutionHolds(qualified, { [identity]: 1 });
    const rtn = await solutionWith(qualified, ['for (let j = i + 1; j < x.length; j++) x[j] -= err * u[i][j];', '']);
    await expectPropertyBroken(qualified, rtn, identity, /^For the q you return, ½\(w − q\)ᵀH\(w − q\) = [\d.e-]+ \(H the inverse of hInv\), but your error is [\d.e-]+\./);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and the layer\'s row 0', async () => {
    const { tf } = await loadTf();
    const layer = lessonLayer();
    for (const args of [[lessonW, lessonHInv, lessonGrid], [layer.rows[0], layer.hInv, layer.grids[0]]] as Args[]) {
      const got = (await runLessonJs(id, tf, { w: args[0], hInv: args[1], grid: args[2] })) as Row;
      const want = await gptq(...args);
      expect(got.q).toEqual(want.q);
      expect(got.error).toBeCloseTo(want.error, 10);
    }
  });
});
