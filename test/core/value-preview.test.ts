import { describe, expect, test } from 'vitest';
import { keptIndices, previewNamed, previewText, previewType, previewValue, type ValuePreview } from '../../src/core/grading/value-preview.js';
import { valuePreviewSchema } from '../../src/core/class/results.js';
import { readOnce, rowsOf } from '../../src/pack-api.js';

const tensor = (value: unknown) => {
  const preview = previewValue(value);
  if (preview.kind !== 'tensor') throw new Error(`not a tensor: ${preview.kind}`);
  return preview;
};

describe('keptIndices', () => {
  test('all indices up to the limit, else the first half and the last half', () => {
    expect(keptIndices(5, 12)).toEqual([0, 1, 2, 3, 4]);
    expect(keptIndices(100, 12)).toEqual([0, 1, 2, 3, 4, 5, 94, 95, 96, 97, 98, 99]);
    expect(keptIndices(10, 5)).toEqual([0, 1, 2, 8, 9]);
    expect(keptIndices(0, 12)).toEqual([]);
  });
});

describe('previewValue', () => {
  test('a mask is a boolean tensor with its full shape and every element when small', () => {
    const mask = [
      [true, false, true],
      [false, false, false],
    ];
    expect(previewValue(mask)).toEqual({ kind: 'tensor', element: 'boolean', shape: [2, 3], slices: [{ at: [], rows: [0, 1], cols: [0, 1, 2], cells: mask }] });
    expect(previewType(previewValue(mask))).toBe('boolean[2][3]');
  });

  test('a large matrix keeps 12 × 12 elements, elided in the middle: its first and last rows and columns', () => {
    const m = Array.from({ length: 40 }, (_, i) => Array.from({ length: 30 }, (_, j) => i * 100 + j));
    const p = tensor(m);
    expect(p.shape).toEqual([40, 30]);
    const [slice] = p.slices;
    expect(slice.rows).toEqual([0, 1, 2, 3, 4, 5, 34, 35, 36, 37, 38, 39]);
    expect(slice.cols).toEqual([0, 1, 2, 3, 4, 5, 24, 25, 26, 27, 28, 29]);
    expect(slice.cells[6][6]).toBe(3424);
    expect(slice.cells[11][11]).toBe(3929);
    expect(slice.cells.flat()).toHaveLength(144);
  });

  test('a long vector is one row of its first and last elements; NaN and ±Infinity are kept as strings JSON can hold', () => {
    const p = tensor([NaN, Infinity, -Infinity, ...Array.from({ length: 97 }, (_, i) => i)]);
    expect(p.shape).toEqual([100]);
    expect(p.slices[0].rows).toEqual([0]);
    expect(p.slices[0].cols).toEqual(keptIndices(100, 12));
    expect(p.slices[0].cells[0].slice(0, 3)).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(p.slices[0].cells[0].at(-1)).toBe(96);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  test('a rank-3 tensor is a stack of at most 4 slices, first and last, each under its leading index', () => {
    const t = Array.from({ length: 3 }, (_, a) => Array.from({ length: 5 }, (_, b) => Array.from({ length: 2 }, (_, i) => Array.from({ length: 2 }, (_, j) => a * 1000 + b * 100 + i * 10 + j))));
    const p = tensor(t);
    expect(p.shape).toEqual([3, 5, 2, 2]);
    expect(p.slices.map((s) => s.at)).toEqual([[0, 0], [0, 1], [2, 3], [2, 4]]);
    expect(p.slices[3].cells).toEqual([[2400, 2401], [2410, 2411]]);
  });

  test('a rank above 6 keeps its shape only', () => {
    let v: unknown = [1, 2];
    for (let i = 0; i < 6; i++) v = [v];
    expect(previewValue(v)).toEqual({ kind: 'tensor', element: 'number', shape: [1, 1, 1, 1, 1, 1, 2], slices: [] });
  });

  test('a long string keeps its two ends, counted in code points', () => {
    const text = `${'😀'.repeat(150)}${'x'.repeat(150)}`;
    expect(previewValue(text)).toEqual({ kind: 'string', head: '😀'.repeat(100), tail: 'x'.repeat(100), length: 300 });
    expect(previewText('short', 10)).toEqual({ head: 'short', tail: '', length: 5 });
  });

  test('a list of strings is tokens; a ragged or mixed list is previewed item by item', () => {
    expect(previewValue(['Hel', 'lo'])).toEqual({ kind: 'strings', length: 2, items: [{ index: 0, head: 'Hel', tail: '', length: 3 }, { index: 1, head: 'lo', tail: '', length: 2 }] });
    const tokens = previewValue(Array.from({ length: 50 }, (_, i) => `t${i}`));
    expect(tokens.kind === 'strings' && tokens.items.map((t) => t.index)).toEqual(keptIndices(50, 12));
    expect(previewValue([[1, 2], [3]])).toEqual({
      kind: 'list',
      length: 2,
      items: [
        { index: 0, value: { kind: 'tensor', element: 'number', shape: [2], slices: [{ at: [], rows: [0], cols: [0, 1], cells: [[1, 2]] }] } },
        { index: 1, value: { kind: 'tensor', element: 'number', shape: [1], slices: [{ at: [], rows: [0], cols: [0], cells: [[3]] }] } },
      ],
    });
  });

  test("an object is previewed by field (LoRA's { A, B }); a large one keeps 12 fields and counts the rest", () => {
    const p = previewValue({ A: [[1, 2]], B: [[3], [4]], r: 1 });
    expect(p.kind === 'object' && p.fields.map((f) => [f.name, previewType(f.value)])).toEqual([['A', 'number[1][2]'], ['B', 'number[2][1]'], ['r', 'number']]);
    expect(previewType(p)).toBe('{ A, B, r }');
    const vocab = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`w${i}`, i]));
    const v = previewValue(vocab);
    expect(v.kind === 'object' && [v.fields.length, v.size]).toEqual([12, 1000]);
  });

  test('read-once lists, typed arrays and row views are previewed as what they hold, saying how the function receives them', () => {
    const blocks = previewValue(readOnce([{ k: [[1]], v: [[2]] }]));
    expect(blocks).toMatchObject({ kind: 'list', readOnce: true, length: 1 });
    const flat = tensor(new Float32Array([1.5, 2, 3]));
    expect(flat).toMatchObject({ shape: [3], receivedAs: 'Float32Array(3)', slices: [{ cells: [[1.5, 2, 3]] }] });
    const rows = tensor(rowsOf(new Float32Array(Array.from({ length: 20 * 20 }, (_, i) => i)), 20, 20));
    expect(rows.shape).toEqual([20, 20]);
    expect(rows.receivedAs).toBe('20 rows × 20 of Float32Array(400)');
    expect(rows.slices[0].cells[11][11]).toBe(399);
  });

  test('nesting past 4 levels and values that are not data are named in a few words', () => {
    expect(previewValue({ a: { b: { c: { d: [[1], [2, 3]] } } } })).toMatchObject({ fields: [{ value: { fields: [{ value: { fields: [{ value: { fields: [{ value: { kind: 'other', text: '[… 2]' } }] } }] } }] } }] });
    expect(previewValue(null)).toEqual({ kind: 'other', text: 'null' });
    expect(previewValue(new Map())).toEqual({ kind: 'other', text: 'Map' });
  });

  test('every preview is valid for the results schema and stays small for model-sized values', () => {
    const big = Array.from({ length: 500 }, (_, i) => Array.from({ length: 500 }, (_, j) => i - j + 0.123456789));
    const values: unknown[] = [1, NaN, true, 'text', big, ['a'], [[1], [2, 3]], { A: big }, readOnce([1, 2]), null, []];
    const previews: ValuePreview[] = values.map(previewValue);
    // Read back (as `grade merge` reads a results file) and written again, a preview is the same text.
    for (const p of [...previews, previewValue(rowsOf(new Float32Array(4), 2, 2))]) expect(JSON.stringify(valuePreviewSchema.parse(JSON.parse(JSON.stringify(p))))).toBe(JSON.stringify(p));
    expect(JSON.stringify(previewValue(big)).length).toBeLessThan(4000);
    expect(previewNamed(['q', 'k'], [1, 2]).map((n) => n.name)).toEqual(['q', 'k']);
  });
});
