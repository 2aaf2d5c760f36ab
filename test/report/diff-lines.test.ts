import { describe, expect, test } from 'vitest';
import { compareOutputs } from '../../src/core/grading/compare.js';
import { diffLines, planLines } from '../../src/report/diff-lines.js';
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
    expect(diffLines(result.mismatch.diff, 80).map(plainText)).toContain('   0     0.999832000   0.000167670  -0.000123457   0.500000000');
  });

  test('a [2][3][3] output with a mistake in head 1: slice [1, :, :] with its rows only, aligned, at one precision, without −0', () => {
    // Attention weights per head; head 0 holds a −0, head 1 the mistake.
    const want = [
      [[1, -0, 0], [0.5, 0.5, 0], [0.25, 0.25, 0.5]],
      [[1, 0, 0], [0.99609375, 0.00390625, 0], [0.3333333, 0.3333333, 0.3333334]],
    ];
    const got = structuredClone(want);
    got[1][1] = [0.9921875, 0.0078125, -0];
    const result = compareOutputs(want, got, { atol: 1e-5, rtol: 1e-4 });
    if (result.ok || result.mismatch.kind !== 'values') throw new Error('expected a values mismatch');
    const rows = diffLines(result.mismatch.diff, 80).map(plainText);
    expect(rows).toEqual([
      'expected [1, :, :]',
      '                 0           1           2',
      '   0    1.00000000  0.00000000  0.00000000',
      '   1    0.99609375  0.00390625  0.00000000',
      '   2    0.33333330  0.33333330  0.33333340',
      'got [1, :, :]',
      '                 0           1           2',
      '   0    1.00000000  0.00000000  0.00000000',
      '   1    0.99218750  0.00781250  0.00000000',
      '   2    0.33333330  0.33333330  0.33333340',
    ]);
    // Whatever the width and layout: each number ends where its column's index ends, has eight decimals, and none is −0.
    for (const [width, compact] of [[40, false], [80, true], [60, true]] as const) {
      const shown = diffLines(result.mismatch.diff, width, compact).map(plainText);
      const tokens = (row: string) => [...row.matchAll(/\S+/g)].map((m) => ({ text: m[0], end: m.index + m[0].length }));
      const columnEnds = tokens(shown[1]).map((t) => t.end);
      const numberRows = shown.filter((row) => row.includes('.'));
      expect(numberRows).toHaveLength(6 / (compact ? 2 : 1));
      for (const row of numberRows) {
        const numbers = tokens(row).filter((t) => t.text.includes('.'));
        expect(numbers.map((t) => t.end), row).toEqual(columnEnds);
        for (const { text } of numbers) expect(text, row).toMatch(/^\d\.\d{8}$/);
      }
      expect(shown.join('\n')).not.toMatch(/-0(\.0*)?(\s|$)/);
    }
  });
});

describe('planLines', () => {
  const drawing = (marks: [number, number][]) => ({
    rowTitle: 'stage',
    colTitle: 'time',
    rows: ['0', '1'],
    cols: ['0', '1', '2'],
    cells: [['F0', '', 'B0'], ['F0', 'B0', '']],
    marks,
  });

  test('says in words where the marked cells are, so that output without colour shows them too', () => {
    const rows = planLines(drawing([[1, 0], [0, 0]]), 80).map(plainText);
    expect(rows).toEqual(['stage\\time 0  1  2', '0          F0 ·  B0', '1          F0 B0 · ', 'marked: stage 1 at time 0; stage 0 at time 0']);
    expect(planLines(drawing([]), 80).map(plainText)).toHaveLength(3);
  });

  test('names three marked cells and counts the rest', () => {
    const rows = planLines(drawing([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]]), 80).map(plainText);
    expect(rows.at(-1)).toBe('marked: stage 0 at time 0; stage 0 at time 1; stage 0 at time 2 and 2 more');
  });
});
