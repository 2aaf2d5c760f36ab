import { expect } from 'vitest';
import { packExercises } from '../../helpers/pack-exercises.js';
import { loadTf } from '../../../src/reference/backend.js';

// The quant track's exercises (pack `inference`) in tests, by their id in the
// pack (`quant/int8-absmax`), and independent computations to check their
// references against: tfjs in float32, and plain loops written apart from
// exercises/inference/quant/quant-math.ts.

export const { file: inferenceFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock } = packExercises('inference');

/** tf.round of a list of numbers: TensorFlow.js rounds half to even, in float32. */
export async function tfRound(values: number[]): Promise<number[]> {
  const { tf } = await loadTf();
  return tf.tidy(() => tf.round(tf.tensor1d(values, 'float32')).arraySync() as number[]).map((v) => v + 0);
}

/** The largest and the mean absolute difference between two equally long lists, by a plain loop. */
export function absErrors(a: number[], b: number[]): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

/** Expects a number within a relative 1e-9 of `want` (float64 arithmetic done in another order). */
export function expectNear(got: unknown, want: number, what = ''): void {
  expect(typeof got, what).toBe('number');
  expect(Math.abs((got as number) - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
}
