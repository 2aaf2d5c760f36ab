import { describe, expect, test } from 'vitest';
import { compareOutputs } from '../../src/core/grading/compare.js';
import { diffLines } from '../../src/report/diff-lines.js';
import { plainText } from '../../src/report/lines.js';

describe('diffLines', () => {
  test('numbers wider than a cell widen every cell, so that columns never run together, and the grid still fits', () => {
    const want = [
      [0.999832, 0.00016767, -0.000123457, 0.5],
      [0.25, 0.75, 0.125, 0.875],
    ];
    const got = want.map((row) => row.map((x) => x + 0.01));
    const result = compareOutputs(want, got, { atol: 1e-5, rtol: 1e-4 });
    if (result.ok || result.mismatch.kind !== 'values') throw new Error('expected a values mismatch');
    for (const width of [40, 60, 80]) {
      const rows = diffLines(result.mismatch.diff, width).map(plainText);
      for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(width);
      // Every shown number stands apart from its neighbours.
      for (const row of rows.filter((r) => /^\s+\d\s\s/.test(r))) {
        const cells = row.trim().split(/\s+/).slice(1);
        for (const cell of cells) expect(cell, row).toMatch(/^-?\d+(\.\d+)?(e-?\d+)?$/);
      }
    }
    expect(diffLines(result.mismatch.diff, 80).map(plainText)).toContain('   0        0.999832    0.00016767  -0.000123457           0.5');
  });
});
