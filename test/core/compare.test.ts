import { describe, expect, test } from 'vitest';
import { compareOutputs } from '../../src/core/grading/compare.js';
import { diffSequences, formatNumber, numericShape } from '../../src/core/grading/tensor-diff.js';
import { describeType } from '../../src/core/grading/wording.js';
import { MARKER } from '../../src/sandbox/wire.js';

const tol = { atol: 1e-5, rtol: 1e-4 };

describe('types and shapes', () => {
  test('numericShape reads rectangular nested arrays and rejects jagged ones', () => {
    expect(numericShape(3)).toEqual([]);
    expect(numericShape([1, 2, 3])).toEqual([3]);
    expect(numericShape([[1, 2], [3, 4], [5, 6]])).toEqual([3, 2]);
    expect(numericShape([[1, 2], [3]])).toBeUndefined();
    expect(numericShape([[1, 'a']])).toBeUndefined();
    expect(numericShape([[], []])).toEqual([2, 0]);
  });

  test('number[] where number[][] is expected is named as such, not broadcast', () => {
    const result = compareOutputs([[1, 2, 3]], [1, 2, 3], tol);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.mismatch.kind).toBe('type');
    expect(result.mismatch.message).toBe('Expected number[][], got number[] (shape [3] instead of [1, 3]).');
  });

  test('a transposed matrix is a shape mismatch that says so', () => {
    const result = compareOutputs([[1, 2, 3], [4, 5, 6]], [[1, 4], [2, 5], [3, 6]], tol);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.mismatch.message).toBe('Expected shape [2, 3], got [3, 2] (transposed?).');
  });

  test('a jagged array is named with its row lengths', () => {
    const result = compareOutputs([[1, 2], [3, 4]], [[1, 2], [3]], tol);
    expect(!result.ok && result.mismatch.message).toBe('Expected number[][] of shape [2, 2], got a jagged number[][] (row lengths 2, 1).');
  });

  test('an empty list against a non-empty one is a length mismatch, whatever the element type', () => {
    for (const [want, got] of [
      [[[195, 169]], []],
      [[], [[97, 97]]],
      [[], ['a']],
    ] as const) {
      const result = compareOutputs(want, got, 'exact');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.mismatch.kind).toBe('sequence');
    }
    const r = compareOutputs([[195, 169]], [], 'exact');
    expect(!r.ok && r.mismatch.message).toBe('Lists differ first at index 0. Expected length 1, got 0.');
    expect(compareOutputs([], [], 'exact').ok).toBe(true);
  });

  test('markers from the sandbox are described for a learner', () => {
    expect(describeType({ [MARKER]: 'promise' })).toMatch(/Promise.*synchronous/);
    expect(describeType({ [MARKER]: 'undefined' })).toMatch(/forget to return/);
    expect(describeType({ [MARKER]: 'typed', type: 'Float64Array', values: [1, 2] })).toBe('a Float64Array of length 2 (use a plain array: Array.from(...))');
    const result = compareOutputs([1, 2], { [MARKER]: 'typed', type: 'Float64Array', values: [1, 2] }, tol);
    expect(!result.ok && result.mismatch.kind).toBe('type');
  });

  test('objects are compared field by field and a missing field is named', () => {
    expect(compareOutputs({ a: [1], b: 2 }, { a: [1], b: 2 }, tol).ok).toBe(true);
    const missing = compareOutputs({ codes: [1], absmax: [2] }, { codes: [1] }, 'exact');
    expect(!missing.ok && missing.mismatch.message).toBe('The returned object has no field "absmax" (expected fields: codes, absmax).');
    const wrong = compareOutputs({ out: [1, 2] }, { out: [1, 3] }, tol);
    expect(!wrong.ok && wrong.mismatch.path).toBe('out');
  });
});

describe('values', () => {
  test('tolerance edges: |got − want| <= atol + rtol·|want| passes, just above fails', () => {
    const want = 100;
    const allowed = 1e-5 + 1e-4 * 100;
    expect(compareOutputs([want], [want + allowed * 0.999], tol).ok).toBe(true);
    expect(compareOutputs([want], [want + allowed * 1.01], tol).ok).toBe(false);
    expect(compareOutputs([0], [9e-6], tol).ok).toBe(true);
    expect(compareOutputs([0], [1.1e-5], tol).ok).toBe(false);
  });

  test('integers in exact mode must be equal, and lists read as sequences', () => {
    expect(compareOutputs([258, 100, 258], [258, 100, 258], 'exact').ok).toBe(true);
    const result = compareOutputs([258, 100, 258, 97, 99], [258, 100, 257, 97, 99], 'exact');
    expect(result.ok).toBe(false);
    if (result.ok || result.mismatch.kind !== 'sequence') throw new Error('expected a sequence mismatch');
    expect(result.mismatch.diff.index).toBe(2);
    expect(result.mismatch.message).toBe('Lists differ first at index 2.');
    expect(result.mismatch.diff.gotContext).toBe('[258, 100, 257, 97, 99]');
    expect(compareOutputs(3, 3.0000001, 'exact').ok).toBe(false);
  });

  test('NaN positions must match; NaN where a number is expected is reported first', () => {
    expect(compareOutputs([NaN, 1], [NaN, 1], tol).ok).toBe(true);
    const result = compareOutputs([0.5, 0.25, 0.25], [NaN, 0.25, NaN], tol);
    expect(result.ok).toBe(false);
    if (result.ok || result.mismatch.kind !== 'values') throw new Error('expected values');
    const diff = result.mismatch.diff;
    expect(diff.mismatched).toBe(2);
    expect(diff.nonFiniteCount).toBe(2);
    expect(diff.worst).toEqual([0]);
    expect(result.mismatch.message).toBe('Mismatched elements: 2 / 3 (66.7%). NaN where 0.5 was expected at [0] (and 1 more non-finite mismatch).');
  });

  test('Infinity must match exactly, and its sign too', () => {
    expect(compareOutputs([Infinity], [Infinity], tol).ok).toBe(true);
    expect(compareOutputs([Infinity], [-Infinity], tol).ok).toBe(false);
    expect(compareOutputs([200], [Infinity], tol).ok).toBe(false);
  });

  test('the diff names count, worst absolute and relative difference with their index', () => {
    const want = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ];
    const got = want.map((row) => [...row]);
    got[2][1] += 0.41;
    got[0][0] += 0.2;
    got[1][3] += 0.01;
    const result = compareOutputs(want, got, tol);
    if (result.ok || result.mismatch.kind !== 'values') throw new Error('expected values');
    expect(result.mismatch.message).toBe(
      'Mismatched elements: 3 / 12 (25.0%). Greatest absolute difference 0.41 at [2, 1] (allowed 0.00101). Greatest relative difference 0.2 at [0, 0].',
    );
    const { window, heatmap } = result.mismatch.diff;
    expect(window.rowStart).toBe(0);
    expect(window.expected.length).toBe(3);
    expect(window.mismatch[2][1]).toBe(true);
    expect(window.mismatch[1][1]).toBe(false);
    expect(heatmap?.cells).toEqual([
      [1, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 1, 0, 0],
    ]);
  });

  test('the window is centred on the worst element of a long vector', () => {
    const want = Array.from({ length: 100 }, (_, i) => i);
    const got = [...want];
    got[60] = -1;
    const result = compareOutputs(want, got, tol);
    if (result.ok || result.mismatch.kind !== 'values') throw new Error('expected values');
    const w = result.mismatch.diff.window;
    expect(w.colStart).toBe(56);
    expect(w.expected[0]).toEqual([56, 57, 58, 59, 60, 61, 62, 63, 64]);
    expect(w.got[0][4]).toBe(-1);
  });

  test('a large matrix heatmap is downsampled to at most 16 × 48 cells', () => {
    const want = Array.from({ length: 64 }, () => new Array(96).fill(0));
    const got = want.map((row, i) => row.map((_, j) => (i < 32 && j < 48 ? 1 : 0)));
    const result = compareOutputs(want, got, tol);
    if (result.ok || result.mismatch.kind !== 'values') throw new Error('expected values');
    const heatmap = result.mismatch.diff.heatmap!;
    expect(heatmap.cells.length).toBe(16);
    expect(heatmap.cells[0].length).toBe(48);
    expect(heatmap.cells[0][0]).toBe(1);
    expect(heatmap.cells[15][47]).toBe(0);
  });
});

describe('strings', () => {
  test('the first differing character is found with context, in code points', () => {
    const diff = diffSequences('héllo wörld 🙂!', 'héllo wörld 🙃!');
    expect(diff?.index).toBe(12);
    const same = diffSequences('abc', 'abc');
    expect(same).toBeUndefined();
    const result = compareOutputs('hello', 'help', 'exact');
    expect(!result.ok && result.mismatch.message).toBe('Strings differ first at character 3. Expected length 5, got 4.');
  });

  test('formatNumber keeps six significant digits and spells out non-finite values', () => {
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
    expect(formatNumber(1e-7)).toBe('1.000e-7');
  });
});
