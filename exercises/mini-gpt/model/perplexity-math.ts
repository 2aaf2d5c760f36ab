import { gptLogits, Rng, tfParams, type Tf } from 'llm-tutor/pack';
import { randomModel, tensorsOf, weightsOf, type GptConfig, type GptWeights } from './gpt-math.js';

// The pieces of model/perplexity: its lesson example, the windows the
// held-out figure is measured on, the reference in TensorFlow.js, and the
// per-window logits the misconceptions are computed from.

type Tensor = ReturnType<Tf['tensor']>;

/** The lesson's model: a vocabulary of 6, context 8, one block of width 4 with 2 heads, random weights of seed 2024. */
export const lessonConfig: GptConfig = { vocabSize: 6, context: 8, layers: 1, heads: 2, width: 4 };
export const lessonWeights = (): GptWeights => weightsOf(randomModel(new Rng(2024), lessonConfig));
/** The lesson's 10 tokens: two windows of 4, and token 9 left over. */
export const lessonTokens = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3];

/** How many windows of `context` tokens N tokens make: ⌊(N − 1)/context⌋. */
export const windowCount = (n: number, context: number): number => Math.floor((n - 1) / context);

/** The inputs and targets of `count` windows of `context` tokens, window j starting at j·stride. */
function windowTensors(tf: Tf, tokens: readonly number[], context: number, count: number, stride: number) {
  const x = new Int32Array(count * context);
  const y = new Int32Array(count * context);
  for (let j = 0; j < count; j++) {
    x.set(tokens.slice(j * stride, j * stride + context), j * context);
    y.set(tokens.slice(j * stride + 1, j * stride + context + 1), j * context);
  }
  return { x: tf.tensor2d(x, [count, context], 'int32'), y: tf.tensor2d(y, [count, context], 'int32') };
}

/**
 * The held-out figure in TensorFlow.js, as src/mini-gpt/evaluate.ts measures
 * it (the capstone's model, gptLogits): the windows, each window's mean
 * cross-entropy [windows] and the mean over every prediction (nats), and the
 * perplexity, exp of that mean.
 */
export function perplexitySteps(tf: Tf, w: GptWeights, tokens: readonly number[], context: number): { steps: Record<string, Tensor | number>; output: Tensor } {
  const windows = windowCount(tokens.length, context);
  const params = tfParams(tf, w.config, tensorsOf(w));
  const { x, y } = windowTensors(tf, tokens, context, windows, context);
  const logProbs = tf.logSoftmax(gptLogits(tf, params, w.config, x), -1);
  const losses = tf.neg(tf.sum(tf.mul(logProbs, tf.oneHot(y, w.config.vocabSize)), -1));
  const loss = tf.mean(losses);
  return { steps: { windows, windowLoss: tf.mean(losses, 1), loss }, output: tf.exp(loss) };
}

/**
 * Window logits already computed, by the model and the windows: every
 * misconception of a case reads the same windows, and each call receives its
 * own copy of the weights, so a model is told by its shape and a few of its
 * weights. Kept for the last few windows asked for.
 */
const computed = new Map<string, number[][][]>();

function modelKey(w: GptWeights): string {
  const last = (m: ArrayLike<number>[]) => m[m.length - 1][m[0].length - 1];
  const b = w.h[w.h.length - 1];
  const sample = [w.wte[0][0], last(w.wte), w.wpe[0][0], last(w.wpe), w.h[0].attn.wq[0][0], last(b.attn.wv), last(b.mlp.w2), w.ln_f.gamma[0], w.ln_f.beta[w.ln_f.beta.length - 1]];
  return `${JSON.stringify(w.config)} ${sample.join(',')}`;
}

/** The logits [count][context][V] of `count` windows of `context` tokens, window j starting at j·stride, from the tfjs model, as plain numbers (shared: not to be changed). */
export function windowLogits(tf: Tf, w: GptWeights, tokens: readonly number[], context: number, count: number, stride = context): number[][][] {
  if (count === 0) return [];
  const key = `${modelKey(w)} ${context} ${count} ${stride} ${tokens.slice(0, (count - 1) * stride + context).join(',')}`;
  let logits = computed.get(key);
  if (!logits) {
    logits = tf.tidy(() => {
      const params = tfParams(tf, w.config, tensorsOf(w));
      const { x } = windowTensors(tf, tokens, context, count, stride);
      return gptLogits(tf, params, w.config, x).arraySync() as number[][][];
    });
    if (computed.size >= 16) computed.delete(computed.keys().next().value!);
    computed.set(key, logits);
  }
  return logits;
}

/** −log softmax(row)[target] in float64, the max subtracted. */
export function tokenLoss(row: readonly number[], target: number): number {
  const max = Math.max(...row);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return max + Math.log(sum) - row[target];
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Each window's losses, as a learner's loop computes them: window j reads
 * tokens[j·context …] and its row t is scored against tokens[j·context + t + shift]
 * (shift 1 is right, 0 scores each token against itself), for the first
 * `scored` rows of the window.
 */
export function windowLosses(logits: number[][][], tokens: readonly number[], context: number, shift = 1, scored = context): number[][] {
  return logits.map((rows, j) => rows.slice(0, scored).map((row, t) => tokenLoss(row, tokens[j * context + t + shift])));
}

/** exp of the mean loss over every prediction of every window (the right figure, from given losses). */
export const perplexityOf = (losses: number[][]): number => Math.exp(mean(losses.flat()));

/** The mean loss over every prediction (nats). */
export const meanLoss = (losses: number[][]): number => mean(losses.flat());

/** The mean over windows of each window's perplexity. */
export const meanOfWindowPerplexities = (losses: number[][]): number => mean(losses.map((l) => Math.exp(mean(l))));
