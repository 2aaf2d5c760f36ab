import { expect } from 'vitest';
import { loadTf, registerGradients } from '../../../src/reference/backend.js';
import { packExercises } from '../../helpers/pack-exercises.js';

// The alignment-multimodal pack's preference track in tests (a response's
// log-probability, the Bradley–Terry loss, DPO), by their id in the pack, and
// the same computations in TensorFlow.js (float32), written apart from the
// references: tf.logSoftmax, tf.logSigmoid and tf.grad.

export const { file: packFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock } = packExercises('alignment-multimodal');

/** The text of a lesson's `## <heading>` section, up to the next heading of level 1 or 2. */
export async function lessonSection(id: string, heading: string): Promise<string> {
  const lesson = await packFile(id, 'lesson.md');
  const start = lesson.indexOf(`\n## ${heading}\n`);
  expect(start, `${id}: a section "${heading}"`).toBeGreaterThan(0);
  const rest = lesson.slice(start + heading.length + 5);
  const end = rest.search(/^#{1,2} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** A number as the lessons print it: 6 decimals, a Unicode minus. */
export const printed = (x: number, decimals = 6): string => x.toFixed(decimals).replace('-', '−');

/** |got − want| within the exercises' default tolerance, for a float32 computation against a float64 one. */
export function expectWithinTolerance(got: number, want: number, where: string): void {
  expect(Math.abs(got - want), `${where}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want));
}

/** Σ log softmax(logits[t − 1])[tokens[t]] for t = max(promptLen, 1) … T−1, by tf.logSoftmax over the whole matrix (float32). */
export async function tfSequenceLogProb(logits: number[][], tokens: number[], promptLen: number): Promise<number> {
  const { tf } = await loadTf();
  const logp = tf.tidy(() => tf.logSoftmax(tf.tensor2d(logits)).arraySync() as number[][]);
  let total = 0;
  for (let t = Math.max(promptLen, 1); t < tokens.length; t++) total += logp[t - 1][tokens[t]];
  return total;
}

/**
 * −mean tf.logSigmoid(chosen − rejected), and the gradient with respect to
 * chosen by tf.grad of mean tf.softplus(rejected − chosen), the same function
 * (tfjs 4 on the wasm backend throws in the gradient of tf.logSigmoid when its
 * input is an intermediate tensor). Float32.
 */
export async function tfBradleyTerry(chosen: number[], rejected: number[]): Promise<{ loss: number; dChosen: number[] }> {
  const { tf } = await loadTf();
  registerGradients();
  return tf.tidy(() => {
    const c = tf.tensor1d(chosen);
    const r = tf.tensor1d(rejected);
    const loss = tf.neg(tf.mean(tf.logSigmoid(tf.sub(c, r))));
    const f = (x: ReturnType<typeof tf.tensor1d>) => tf.mean(tf.softplus(tf.sub(r, x)));
    return { loss: loss.arraySync() as number, dChosen: tf.grad(f)(c).arraySync() as number[] };
  });
}

interface Pair {
  chosen: number[];
  rejected: number[];
}

/** The DPO loss by tf.logSigmoid, and its gradient with respect to the policy's chosen log-probabilities by tf.grad of mean tf.softplus(−β·logits) (float32). */
export async function tfDpo(pi: Pair, ref: Pair, beta: number): Promise<{ loss: number; dPiChosen: number[] }> {
  const { tf } = await loadTf();
  registerGradients();
  return tf.tidy(() => {
    const refRatio = tf.sub(tf.tensor1d(ref.chosen), tf.tensor1d(ref.rejected));
    const piRejected = tf.tensor1d(pi.rejected);
    const logits = (piChosen: ReturnType<typeof tf.tensor1d>) => tf.sub(tf.sub(piChosen, piRejected), refRatio);
    const piChosen = tf.tensor1d(pi.chosen);
    const loss = tf.neg(tf.mean(tf.logSigmoid(tf.mul(beta, logits(piChosen)))));
    const f = (x: ReturnType<typeof tf.tensor1d>) => tf.mean(tf.softplus(tf.mul(-beta, logits(x))));
    return { loss: loss.arraySync() as number, dPiChosen: tf.grad(f)(piChosen).arraySync() as number[] };
  });
}
