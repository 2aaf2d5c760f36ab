import { packExercises } from '../../helpers/pack-exercises.js';

// The inference pack's compression and serving exercises in tests (SmoothQuant,
// GPTQ, the distillation loss, the paged KV cache), by their id in the pack.

export const { file: inferenceFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock } = packExercises('inference');

/** A square matrix's inverse by Gauss–Jordan elimination with partial pivoting, in float64. */
export function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const pivot = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

/** ½·δᵀHδ. */
export function halfQuadratic(delta: number[], h: number[][]): number {
  return 0.5 * delta.reduce((acc, di, i) => acc + di * h[i].reduce((s, hij, j) => s + hij * delta[j], 0), 0);
}
