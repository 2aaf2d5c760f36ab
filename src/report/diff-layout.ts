import { numberFormat, type TensorDiff } from '../core/grading/tensor-diff.js';

export interface LayoutCell {
  text: string;
  bad: boolean;
}

/** The expected and got grids of a diff window, as text cells, cut to fit `maxCols` columns of `cellWidth`. */
export interface WindowLayout {
  /** Column headers (tensor column indices); empty for a vector. */
  columns: string[];
  rowLabels: string[];
  expected: LayoutCell[][];
  got: LayoutCell[][];
  /** For a tensor of rank > 2: the slice shown, by its leading indices, e.g. "[1, :, :]". */
  slice?: string;
  vector: boolean;
}

/** Up to `most` (at least one) consecutive positions of `0..length-1`, centred on `centre` where the ends allow. */
export function centredRange(length: number, centre: number, most: number): number[] {
  const keep = Math.min(length, Math.max(1, most));
  const first = Math.max(0, Math.min(centre - Math.floor(keep / 2), length - keep));
  return Array.from({ length: keep }, (_, i) => first + i);
}

/** The label of a slice by its leading indices: `[1, :, :]`. */
export function sliceLabel(lead: readonly number[]): string {
  return `[${[...lead, ':', ':'].join(', ')}]`;
}

/**
 * Lays out the window of a tensor diff for a renderer: a vector becomes one
 * row per element (index, expected, got); a matrix, or the slice of a higher
 * rank tensor that holds the worst element, becomes two grids. Every number
 * of the window, expected and got, is written in one format (see numberFormat).
 * Rows and columns beyond `maxRows` and `maxCols` are dropped around the worst element.
 */
export function layoutWindow(diff: Pick<TensorDiff, 'shape' | 'worst' | 'window'>, maxCols = 7, maxRows = 5): WindowLayout {
  const w = diff.window;
  const format = numberFormat([...w.expected.flat(), ...w.got.flat()]);
  const vector = diff.shape.length <= 1;
  if (vector) {
    const values = w.expected[0] ?? [];
    return {
      columns: [],
      rowLabels: values.map((_, j) => (diff.shape.length === 0 ? '[]' : `[${w.colStart + j}]`)),
      expected: values.map((e, j) => [{ text: format(e), bad: w.mismatch[0][j] }]),
      got: values.map((_, j) => [{ text: format(w.got[0][j]), bad: w.mismatch[0][j] }]),
      vector,
    };
  }
  const cols = centredRange(w.expected[0]?.length ?? 0, diff.worst[diff.worst.length - 1] - w.colStart, maxCols);
  const rowsShown = centredRange(w.expected.length, diff.worst[diff.worst.length - 2] - w.rowStart, maxRows);
  const grid = (values: number[][]) => rowsShown.map((i) => cols.map((j) => ({ text: format(values[i][j]), bad: w.mismatch[i][j] })));
  return {
    columns: cols.map((j) => String(w.colStart + j)),
    rowLabels: rowsShown.map((i) => String(w.rowStart + i)),
    expected: grid(w.expected),
    got: grid(w.got),
    slice: w.slice && w.slice.length > 0 ? sliceLabel(w.slice) : undefined,
    vector,
  };
}

/** One character per heatmap cell: · for no error, darker for more. */
export function heatmapChar(fraction: number): string {
  const shades = ['·', '░', '▒', '▓', '█'];
  return fraction === 0 ? shades[0] : shades[Math.min(4, Math.ceil(fraction * 4))];
}
