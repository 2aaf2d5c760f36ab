/**
 * The authoring API: what an exercise definition imports as `llm-tutor/pack`.
 * Built-in packs and instructors' packs use exactly this module.
 *
 * @example
 * import { defineExercise, randomVector } from 'llm-tutor/pack';
 * export default defineExercise({
 *   entry: 'relu',
 *   signature: 'relu(x: Vector): Vector',
 *   cases: (rng) => [{ name: 'random vector', args: [randomVector(rng, 8)] }],
 *   reference: ({ tf }, x: number[]) => tf.relu(tf.tensor1d(x)),
 *   hints: ['Negative entries become 0.'],
 * });
 */
import { definitionBrand, type ExerciseDefinition } from './core/authoring/exercise.js';
import { MARKER } from './sandbox/wire.js';
import { plural } from './core/common/words.js';

export type {
  Alternatives,
  CaseContext,
  CaseInput,
  Comparison,
  ExerciseDefinition,
  HintAbout,
  LayerCheck,
  Misconception,
  PropertyCase,
  PropertyCheck,
  ReferenceContext,
  Tf,
  TieredHint,
  Tolerance,
} from './core/authoring/exercise.js';
export { anyOf, defaultTolerance } from './core/authoring/exercise.js';
export type {
  Carry,
  DistributionCheck,
  DistributionScenario,
  GradientSpec,
  NumericData,
  PlanDrawing,
  PlanViolation,
  ScheduleSpec,
  StepwiseCase,
  StepwiseSpec,
  Tensor,
} from './core/authoring/kinds.js';
export type { Localised } from './core/authoring/localised.js';
export { hoeffdingMargin } from './core/authoring/kinds.js';
export { Rng, randomInts, randomMatrix, randomVector, tidy, uniforms } from './core/authoring/rng.js';
export { compareOutputs } from './core/grading/compare.js';
export { numericShape } from './core/grading/tensor-diff.js';
export { describeType } from './core/grading/wording.js';
export { plural };
export { readTensorFile, writeTensorFile, type TensorEntry } from './core/authoring/tensor-file.js';

/**
 * Declares an exercise. The default export of every exercise's `exercise.ts`.
 * Returns the definition unchanged (typed, and marked for the loader).
 */
export function defineExercise<Args extends unknown[], Out>(definition: ExerciseDefinition<Args, Out>): ExerciseDefinition<Args, Out> {
  Object.defineProperty(definition, definitionBrand, { value: true, enumerable: false });
  return definition;
}

/**
 * Wraps a list so the learner's function receives it as an iterable that can be
 * read only once (a second `for...of` throws), as a stream of key/value blocks
 * would be. References and wrong variants receive the same kind of iterable.
 */
export function readOnce<T>(items: T[]): Iterable<T> {
  return { [MARKER]: 'read-once', items } as unknown as Iterable<T>;
}

/**
 * Marks a flat `[rows, cols]` Float32Array so that the learner's function
 * receives it as `rows` Float32Array views of one row each (no copy):
 * `w[i][j]` works. References and wrong variants receive the same. The
 * Float32Array goes to the sandbox as raw bytes (only its own elements, even
 * for a view into a larger buffer), without a JSON round-trip.
 */
export function rowsOf(data: Float32Array, rows: number, cols: number): Float32Array[] {
  if (!(data instanceof Float32Array)) throw new TypeError('rowsOf: data must be a Float32Array');
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 0 || rows * cols !== data.length) {
    throw new RangeError(`rowsOf: ${plural(rows, 'row')} × ${plural(cols, 'column')} do not fit a Float32Array of ${plural(data.length, 'element')}`);
  }
  return { [MARKER]: 'rows', data, rows, cols } as unknown as Float32Array[];
}

/**
 * Marks a flat `[rows, cols]` Float32Array so that the learner's function
 * receives it as a plain `number[][]` (a Matrix, every array method works),
 * built in the sandbox from the raw bytes: model-sized weights cross without
 * a JSON round-trip, about 15 ms per million elements, and the learner's
 * earlier functions see the same kind of matrix as in their own exercises.
 * References and wrong variants receive the same.
 */
export function matrixOf(data: Float32Array, rows: number, cols: number): number[][] {
  const marker = rowsOf(data, rows, cols) as unknown as Record<string, unknown>;
  marker.plain = true;
  return marker as unknown as number[][];
}

/** Matrix helpers a reference or a wrong variant may want without tfjs. */
export function matmul(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const k = b.length;
  const m = k === 0 ? 0 : b[0].length;
  const out = Array.from({ length: n }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i][p];
      for (let j = 0; j < m; j++) out[i][j] += aip * b[p][j];
    }
  }
  return out;
}

/** The transpose of a `[rows, cols]` matrix. */
export function transpose(a: number[][]): number[][] {
  if (a.length === 0) return [];
  return a[0].map((_, j) => a.map((row) => row[j]));
}

/**
 * A GPT-2-style model shipped in a pack (the capstone's, or an instructor's
 * own): its file (float32 safetensors with the config, tokenizer, corpus and
 * training record in the header, checksummed), the reference forward pass in
 * TensorFlow.js, and the sampling rule of a next token.
 */
export { readGptFile, type GptModel } from './mini-gpt/weights-file.js';
export { gptLogits, layerNormEps, parameterCount, tensorShapes, tfParams, type GptConfig } from './mini-gpt/model.js';
export { nextToken, type SampleOptions } from './mini-gpt/sample.js';
export { decode, encode, type CharTokenizer } from './mini-gpt/tokenizer.js';
export { configOf, tensorsOf, weightsOf, type GptBlockParams, type GptCache, type GptWeights } from './mini-gpt/gpt-weights.js';
