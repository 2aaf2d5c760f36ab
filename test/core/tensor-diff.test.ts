import { describe, expect, test } from 'vitest';
import { allowedDifference, diffSequences, diffTensors } from '../../src/core/grading/tensor-diff.js';

const tol = { atol: 1e-5, rtol: 1e-4 };

describe('diffTensors', () => {
  test('equal tensors, or differences within tolerance, give no diff', () => {
    expect(diffTensors([1, 2, 3], [1, 2, 3], [3], 'exact')).toBeUndefined();
    expect(diffTensors([[1, 2]], [[1 + 1e-5, 2]], [1, 2], tol)).toBeUndefined();
  });

  test('counts the mismatches and finds the greatest absolute and relative differences with what was allowed', () => {
    const diff = diffTensors([10, 0.5, 1], [10.5, 0.8, 1], [3], tol)!;
    expect(diff.mismatched).toBe(2);
    expect(diff.total).toBe(3);
    expect(diff.maxAbs).toEqual({ value: 0.5, index: [0], allowed: 1e-5 + 1e-4 * 10 });
    expect(diff.maxRel?.index).toEqual([1]);
    expect(diff.maxRel?.value).toBeCloseTo(0.6, 12);
    expect(diff.worst).toEqual([0]);
    expect(diff.heatmap).toBeUndefined();
  });

  test('a non-finite mismatch is the worst element even when a finite one differs more', () => {
    const diff = diffTensors([[1, 2], [3, 4]], [[100, 2], [3, NaN]], [2, 2], tol)!;
    expect(diff.nonFinite).toEqual([{ index: [1, 1], expected: 4, got: NaN }]);
    expect(diff.nonFiniteCount).toBe(1);
    expect(diff.worst).toEqual([1, 1]);
    expect(diff.maxAbs?.index).toEqual([0, 0]);
  });

  test('NaN against NaN passes unless equalNan is false', () => {
    expect(diffTensors([NaN], [NaN], [1], tol)).toBeUndefined();
    expect(diffTensors([NaN], [NaN], [1], tol, false)?.mismatched).toBe(1);
  });

  test('a scalar is a tensor of shape []', () => {
    const diff = diffTensors(1, 2, [], 'exact')!;
    expect(diff.worst).toEqual([]);
    expect(diff.window.expected).toEqual([[1]]);
    expect(diff.window.got).toEqual([[2]]);
  });
});

describe('allowedDifference', () => {
  test('is atol + rtol·|want|, and 0 for exact comparison', () => {
    expect(allowedDifference({ atol: 0.5, rtol: 0.1 }, -10)).toBe(1.5);
    expect(allowedDifference('exact', 10)).toBe(0);
  });
});

describe('diffSequences', () => {
  test('lists show numbers formatted and other items as JSON, with ellipses around a long context', () => {
    const want = Array.from({ length: 20 }, (_, i) => i);
    const got = [...want];
    got[10] = 0.1234567;
    expect(diffSequences(want, got)).toEqual({
      unit: 'items',
      index: 10,
      expectedLength: 20,
      gotLength: 20,
      expectedContext: '…[6, 7, 8, 9, 10, 11, 12, 13, 14]…',
      gotContext: '…[6, 7, 8, 9, 0.123457, 11, 12, 13, 14]…',
    });
    expect(diffSequences(['a'], ['a', 'b'])?.gotContext).toBe('["a", "b"]');
  });
});
