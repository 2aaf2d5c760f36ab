import { describe, expect, test } from 'vitest';
import { maskedAttention } from '../../fixtures/learner/padding-mask-no-max.js';
import { buildCases, computeExpected } from '../../src/core/grading/prepare.js';
import { interpretRun } from '../../src/core/grading/interpret.js';
import { traceFailure } from '../../src/core/grading/trace.js';
import { numberOf, type ValuePreview } from '../../src/core/grading/value-preview.js';
import type { SandboxRun } from '../../src/sandbox/run-child.js';
import { loadExercise } from '../helpers/exercises.js';

type Matrix = number[][];

/** The cells of a 2-D tensor preview, as numbers (NaN and ±Infinity back from their strings) or booleans. */
function cellsOf(preview: ValuePreview | undefined): (number | boolean)[][] {
  if (preview?.kind !== 'tensor') throw new Error(`not a tensor: ${preview?.kind}`);
  return preview.slices[0].cells.map((row) => row.map((x) => (typeof x === 'boolean' ? x : numberOf(x))));
}

/** Masked attention's intermediate values in float64, computed here without tfjs. */
function independentTrace(q: Matrix, k: Matrix, mask: boolean[][]) {
  const scores = q.map((qi) => k.map((kj) => qi.reduce((s, x, t) => s + x * kj[t], 0) / Math.sqrt(q[0].length)));
  const masked = scores.map((row, i) => row.map((s, j) => (mask[i][j] ? s : -Infinity)));
  const weights = masked.map((row) => {
    const max = Math.max(...row);
    if (max === -Infinity) return row.map(() => 0);
    const exps = row.map((s) => Math.exp(s - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  });
  return { scores, masked, weights };
}

describe('the first failing case of a padding-mask mistake (softmax without the max subtracted)', async () => {
  const { ref, definition, ctx } = await loadExercise('attention/padding-mask');
  const cases = buildCases(ref, definition, 7);
  const expected = await computeExpected(ref, definition, cases, ctx);
  // The learner's outputs, computed here as the sandbox would return them (NaN stays NaN: interpretation reads plain values).
  const outcomes = cases.map((c) => ({ ok: true as const, value: maskedAttention(...(c.args as [Matrix, Matrix, Matrix, boolean[][]])), durationMs: 1 }));
  const run: SandboxRun = { exports: ['maskedAttention'], outcomes, asyncErrors: [], stdout: '', stderr: '', droppedBytes: 0, durationMs: 5 };
  const input = { definition, cases, propertyCases: [], firstCall: cases.map((_, i) => i), tolerance: definition.compare ?? { atol: 1e-5, rtol: 1e-4 }, timeoutMs: 5000, memoryMb: 256, expected, learnerFiles: [] };
  const out = interpretRun(input, run);
  if (out.stopped) throw new Error('stopped');
  const failing = out.results.findIndex((r) => r.status !== 'pass');

  test('it is the case with scores near ±1000, and only it carries the arguments by name, the mask as a boolean grid', () => {
    expect(cases[failing].name).toMatch(/^large scores/);
    expect(out.results.filter((r) => r.args).map((r) => r.index)).toEqual([failing]);
    const args = out.results[failing].args!;
    expect(args.map((a) => a.name)).toEqual(['q', 'k', 'v', 'mask']);
    const mask = cases[failing].args[3] as boolean[][];
    expect(args[3].value).toMatchObject({ kind: 'tensor', element: 'boolean', shape: [mask.length, mask[0].length] });
    expect(cellsOf(args[3].value)).toEqual(mask);
    expect(cellsOf(args[0].value)).toEqual(cases[failing].args[0]);
  });

  test("the reference's trace of that case: scores, masked scores and weights, equal to an independent computation", async () => {
    expect(out.firstFailureArgs).toBe(cases[failing].args);
    const { trace, note } = await traceFailure(definition, ctx, out.firstFailureArgs);
    expect(note).toBeUndefined();
    expect(trace?.map((t) => t.name)).toEqual(['scores', 'masked', 'weights']);
    const [q, k, , mask] = cases[failing].args as [Matrix, Matrix, Matrix, boolean[][]];
    const want = independentTrace(q, k, mask);
    expect(cellsOf(trace![0].value)).toEqual(want.scores);
    expect(cellsOf(trace![1].value)).toEqual(want.masked);
    cellsOf(trace![2].value).forEach((row, i) => row.forEach((w, j) => expect(Math.abs((w as number) - want.weights[i][j])).toBeLessThan(1e-6)));
  });

  test('no trace for a passing file, and a trace that throws becomes a note, not a failed grading', async () => {
    expect(await traceFailure(definition, ctx, undefined)).toEqual({});
    const broken = await traceFailure({ trace: () => { throw new Error('no scores'); } }, ctx, [1]);
    expect(broken).toEqual({ note: "The exercise's trace of the reference threw (no scores), so its intermediate values are not shown; this is a bug in the exercise pack." });
    const notAnObject = await traceFailure({ trace: () => [1, 2] as never }, ctx, [1]);
    expect(notAnObject.note).toMatch(/must return an object of named values/);
  });
});
