import { describe, expect, test } from 'vitest';
import { allowedDifference, diffSequences, diffTensors, formatNumber, numberFormat } from '../../src/core/grading/tensor-diff.js';

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

describe('the window of a tensor of rank 3 or more', () => {
  /** Heads of rows × cols, element (h, r, c) = 100h + 10r + c. */
  const heads = (h: number, rows: number, cols: number) => Array.from({ length: h }, (_, i) => Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => 100 * i + 10 * r + c)));

  test('a mistake in head 1 of a [2][3][3] output shows slice [1], rows 0–2 of head 1 and none of head 0', () => {
    const want = heads(2, 3, 3);
    const got = structuredClone(want);
    got[1][1][2] = -5;
    const diff = diffTensors(want, got, [2, 3, 3], 'exact')!;
    expect(diff.worst).toEqual([1, 1, 2]);
    expect(diff.window).toEqual({
      rowStart: 0,
      colStart: 0,
      slice: [1],
      expected: want[1],
      got: got[1],
      mismatch: [
        [false, false, false],
        [false, false, true],
        [false, false, false],
      ],
    });
  });

  test('rows and columns are windowed within the slice, around the worst element', () => {
    const want = [heads(2, 8, 9), heads(2, 8, 9)];
    const got = structuredClone(want);
    got[1][0][7][8] = -5;
    const window = diffTensors(want, got, [2, 2, 8, 9], 'exact')!.window;
    expect(window.slice).toEqual([1, 0]);
    expect([window.rowStart, window.colStart]).toEqual([3, 2]);
    expect(window.expected).toEqual(want[1][0].slice(3, 8).map((row) => row.slice(2, 9)));
    expect(window.mismatch[4][6]).toBe(true);
  });

  test('a matrix or a vector has no slice', () => {
    expect(diffTensors([[1, 2]], [[1, 3]], [1, 2], 'exact')!.window.slice).toBeUndefined();
    expect(diffTensors([1, 2], [1, 3], [2], 'exact')!.window.slice).toBeUndefined();
  });
});

describe('numberFormat', () => {
  test('every finite value with the same decimals, enough for six significant digits of each', () => {
    const format = numberFormat([0.99609375, 0.00390625, 0.0078125, 1, 0.5]);
    expect([0.99609375, 0.0078125, 1, 0.5, 0.1234567891].map(format)).toEqual(['0.99609375', '0.00781250', '1.00000000', '0.50000000', '0.12345679']);
    expect([1, 2, -3].map(numberFormat([1, 2, -3]))).toEqual(['1', '2', '-3']);
  });

  test('all in scientific notation when one value is below 1e-4 or from 1e6', () => {
    const format = numberFormat([2, 1e-7]);
    expect([2, 1e-7, 0].map(format)).toEqual(['2.000e+0', '1.000e-7', '0.000e+0']);
    expect(numberFormat([1e6, 1])(1)).toBe('1.000e+0');
  });

  test('−0, and a negative value that rounds to zero, print without a sign; NaN and ±Infinity are spelt out', () => {
    const format = numberFormat([0.5, -0]);
    expect([-0, 0, NaN, -Infinity].map(format)).toEqual(['0.0', '0.0', 'NaN', '-Infinity']);
    expect(format(-0.01)).toBe('0.0');
    expect(numberFormat([2, 1e-7])(-0)).toBe('0.000e+0');
    expect(formatNumber(-0)).toBe('0');
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
