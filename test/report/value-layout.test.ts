import { describe, expect, test } from 'vitest';
import { previewValue } from '../../src/core/grading/value-preview.js';
import type { CaseResult } from '../../src/core/grading/verdict.js';
import { plainText } from '../../src/report/lines.js';
import { argumentLines, fitLine, quoteText, traceLines, valueLines } from '../../src/report/value-layout.js';
import { readOnce, rowsOf } from '../../src/pack-api.js';

const text = (name: string, value: unknown, width: number, expanded = false) => valueLines({ name, value: previewValue(value) }, width, { expanded }).map(plainText);

const matrix = (rows: number, cols: number) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => i * 100 + j + 0.5));
const mask = [
  [true, true, false, false, false, false],
  [true, true, true, false, false, false],
  [true, true, true, true, false, false],
  [false, false, false, false, false, false],
];

describe('valueLines', () => {
  test('a mask is a grid of ■ (true) and □ (false) under its name and type, with row and column indices', () => {
    expect(text('mask', mask, 80)).toEqual([
      'mask  boolean[4][6]',
      '    0 1 2 3 4 5',
      '  0 ■ ■ □ □ □ □',
      '  1 ■ ■ ■ □ □ □',
      '  2 ■ ■ ■ ■ □ □',
      '  3 □ □ □ □ □ □',
    ]);
  });

  test('a matrix too large for the compact view keeps its first and last rows and columns, with … where the middle was left out', () => {
    const lines = text('q', matrix(20, 30), 120);
    expect(lines[0]).toBe('q  number[20][30]');
    expect(lines[1].trim().split(/\s+/)).toEqual(['0', '1', '2', '3', '…', '26', '27', '28', '29']);
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['0', '1', '2', '…', '17', '18', '19']);
    expect(lines[2].trim().split(/\s+/)).toEqual(['0', '0.5', '1.5', '2.5', '3.5', '…', '26.5', '27.5', '28.5', '29.5']);
    expect(lines.at(-1)!.trim().split(/\s+/)).toEqual(['19', '1900.5', '1901.5', '1902.5', '1903.5', '…', '1926.5', '1927.5', '1928.5', '1929.5']);
  });

  test('expanded shows everything the preview kept (12 × 12) where the width allows', () => {
    const lines = text('q', matrix(20, 30), 200, true);
    expect(lines[1].trim().split(/\s+/)).toEqual(['0', '1', '2', '3', '4', '5', '…', '24', '25', '26', '27', '28', '29']);
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['0', '1', '2', '3', '4', '5', '…', '14', '15', '16', '17', '18', '19']);
    expect(text('q', matrix(4, 5), 80, true)).toEqual(text('q', matrix(4, 5), 80, false));
  });

  test('no line is longer than the width, at 40, 60, 80 and 120 columns, compact or expanded', () => {
    const values: [string, unknown][] = [
      ['mask', mask],
      ['q', matrix(20, 30)],
      ['x', Array.from({ length: 100 }, (_, i) => -i / 7)],
      ['t', [matrix(3, 4), matrix(3, 4), matrix(3, 4)]],
      ['text', 'a long string with a \u202e and a \x1b[31m in it '.repeat(10)],
      ['tokens', Array.from({ length: 50 }, (_, i) => `token${i}`)],
      ['w', { A: matrix(8, 16), B: matrix(16, 8), alpha: 16, note: 'x'.repeat(300) }],
      ['blocks', readOnce([{ k: matrix(2, 3), v: matrix(2, 2) }, { k: matrix(2, 3), v: matrix(2, 2) }])],
      ['weights', rowsOf(new Float32Array(100 * 100), 100, 100)],
      ['a-name-that-is-longer-than-forty-columns-of-a-terminal', [NaN, -Infinity, 1e-9, 123456789]],
    ];
    for (const width of [40, 60, 80, 120]) {
      for (const expanded of [false, true]) {
        for (const [name, value] of values) {
          for (const line of text(name, value, width, expanded)) expect({ name, width, line, length: Array.from(line).length <= width }).toEqual({ name, width, line, length: true });
        }
      }
    }
  });

  test('a narrow width leaves out more columns, from the middle', () => {
    const lines = text('q', matrix(3, 30), 40);
    expect(lines[1].trim().split(/\s+/)).toEqual(['0', '1', '2', '…', '28', '29']);
  });

  test('a vector is one row under its indices; non-finite numbers are written out', () => {
    expect(text('x', [1, -2.5, NaN, Infinity], 60)).toEqual(['x  number[4]', '          0        1        2        3', '          1     -2.5      NaN Infinity']);
  });

  test('scalars and short strings take one line; strings are quoted with control and invisible characters made visible', () => {
    expect(text('alpha', 16, 60)).toEqual(['alpha = 16']);
    expect(text('on', true, 60)).toEqual(['on = true']);
    expect(text('text', 'a\u202eb\x1b[2J"c"\n', 60)).toEqual(['text = "a\\u202eb\\u001b[2J\\"c\\"\\n"']);
    const long = text('text', 'abcdefghij'.repeat(30), 40);
    expect(long[0]).toBe('text  string (300 characters)');
    expect(long.slice(1).map((l) => l.slice(2)).join('')).toBe(`"${'abcdefghij'.repeat(4)}${'…'}${'abcdefghij'.repeat(4)}"`);
  });

  test('a list of strings is tokens, elided in the middle; an object lists its fields under its name', () => {
    expect(text('pieces', ['Hel', 'lo', ' world'], 60)).toEqual(['pieces  string[3]', '  "Hel" "lo" " world"']);
    const many = text('pieces', Array.from({ length: 30 }, (_, i) => String(i)), 80);
    expect(many[1]).toBe('  "0" "1" "2" "3" … "26" "27" "28" "29"');
    expect(text('w', { A: [[1, 2]], B: [[3], [4]], r: 2 }, 60)).toEqual(['w  { A, B, r }', '  A  number[1][2]', '      0 1', '    0 1 2', '  B  number[2][1]', '      0', '    0 3', '    1 4', '  r = 2']);
  });

  test('a rank-3 tensor is a stack of slices, first and last, with … between', () => {
    const t = Array.from({ length: 5 }, (_, a) => [[a, a + 0.5]]);
    expect(text('t', t, 60)).toEqual(['t  number[5][1][2]', '  [0, :, :]', '      0   1', '  0   0 0.5', '  …', '  [4, :, :]', '      0   1', '  0   4 4.5']);
  });

  test('a row view says how the learner function receives it', () => {
    expect(text('w', rowsOf(new Float32Array([1, 2, 3, 4]), 2, 2), 80)[0]).toBe('w  number[2][2]  received as 2 rows × 2 of Float32Array(4)');
  });
});

describe('argumentLines and traceLines', () => {
  const result: CaseResult = {
    index: 3,
    name: 'case',
    status: 'fail',
    input: '[[1]], [[true]]',
    args: [
      { name: 'q', value: previewValue([[1]]) },
      { name: 'mask', value: previewValue([[true, false]]) },
    ],
    trace: [{ name: 'scores', value: previewValue([[0.25, -1]]) }],
  };

  test('the arguments by name, one value after another; the one-line input when there are no previews', () => {
    expect(argumentLines(result, 60, { expanded: false }).map(plainText)).toEqual(['q  number[1][1]', '    0', '  0 1', 'mask  boolean[1][2]', '    0 1', '  0 ■ □']);
    expect(argumentLines({ ...result, args: undefined }, 60, { expanded: false }).map(plainText)).toEqual(['input: [[1]], [[true]]']);
    expect(argumentLines({ ...result, args: undefined, input: 'x'.repeat(100) }, 40, { expanded: false }).map(plainText)[0]).toHaveLength(40);
  });

  test('the intermediate values in order; none when the exercise names none', () => {
    expect(traceLines(result, 60, { expanded: false }).map(plainText)).toEqual(['scores  number[1][2]', '       0    1', '  0 0.25   -1']);
    expect(traceLines({ ...result, trace: undefined }, 60, { expanded: false })).toEqual([]);
  });

  test('styles: names bold, types cyan, indices dim, □ dim', () => {
    const [title, , row] = argumentLines(result, 60, { expanded: false }).slice(3);
    expect(title[0]).toEqual({ text: 'mask', bold: true });
    expect(title[1]).toMatchObject({ color: 'cyan' });
    expect(row.find((s) => s.text.includes('□'))).toMatchObject({ dim: true });
  });
});

describe('fitLine and quoteText', () => {
  test('a line longer than the width is cut, its last character …; terminal columns are counted (an emoji or a CJK character takes two)', () => {
    expect(plainText(fitLine([{ text: 'abc' }, { text: 'def', bold: true }], 5))).toBe('abcd…');
    expect(plainText(fitLine([{ text: '😀😀😀' }], 6))).toBe('😀😀😀');
    expect(plainText(fitLine([{ text: '😀😀😀😀' }], 6))).toBe('😀😀…');
    expect(plainText(fitLine([{ text: '注意力机制' }], 7))).toBe('注意力…');
  });

  test('a long string keeps both ends within the limit', () => {
    expect(quoteText({ head: 'abcdef', tail: '', length: 6 }, 4)).toBe('"ab…ef"');
    expect(quoteText({ head: 'abc', tail: 'xyz', length: 100 }, 4)).toBe('"ab…yz"');
    expect(quoteText({ head: 'abc', tail: 'xyz', length: 100 })).toBe('"abc…xyz"');
  });
});
