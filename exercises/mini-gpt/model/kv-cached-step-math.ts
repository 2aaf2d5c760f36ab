import type { Tf } from 'llm-tutor/pack';
import { lnEps } from '../../training/block/block-math.js';
import { rowsOfBytes, type GptCache, type GptWeights } from './gpt-math.js';

// The reference of model/kv-cached-step: one decoding step in TensorFlow.js,
// over the keys and values a cache holds (it holds no tokens, so the step
// cannot be a forward pass of the prefix). And shipped weights as plain
// arrays, for building caches in a case.

type Tensor2D = ReturnType<Tf['tensor2d']>;
type Tensor = ReturnType<Tf['tensor']>;

/**
 * A matrix as a tfjs tensor, its rows laid end to end in a Float32Array first:
 * the same float32 tensor as tf.tensor2d(rows), which flattens a shipped
 * model's million numbers one by one.
 */
function matrixTf(tf: Tf, m: readonly ArrayLike<number>[]): Tensor2D {
  const cols = m[0].length;
  const data = new Float32Array(m.length * cols);
  for (let i = 0; i < m.length; i++) {
    const row = m[i];
    for (let j = 0, at = i * cols; j < cols; j++) data[at + j] = row[j];
  }
  return tf.tensor2d(data, [m.length, cols]);
}

/** x·W + b in tfjs. */
const linearTf = (tf: Tf, x: Tensor2D, w: readonly ArrayLike<number>[], b: ArrayLike<number>): Tensor2D => tf.add(tf.matMul(x, matrixTf(tf, w)), tf.tensor1d(Array.from(b)));

/** LayerNorm of each row in tfjs: biased variance, ε = 1e-5. */
function layerNormTf(tf: Tf, x: Tensor2D, p: { gamma: ArrayLike<number>; beta: ArrayLike<number> }): Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, lnEps))), tf.tensor1d(Array.from(p.gamma))), tf.tensor1d(Array.from(p.beta)));
}

/** gelu_tanh(h·w1 + b1)·w2 + b2 in tfjs. */
function mlpTf(tf: Tf, h: Tensor2D, p: GptWeights['h'][number]['mlp']): Tensor2D {
  const z = linearTf(tf, h, p.w1, p.b1);
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3))));
  return linearTf(tf, tf.mul(tf.mul(0.5, z), tf.add(1, tf.tanh(inner))) as Tensor2D, p.w2, p.b2);
}

/** Rows of a matrix as plain lists (a frozen input's rows copied). */
const rowsCopy = (m: readonly ArrayLike<number>[]): number[][] => m.map((row) => Array.from(row));

/**
 * One decoding step in tfjs: `token` at position t = cache[0].k.length.
 * x = wte[token] + wpe[t]; in each layer h = ln_1(x), q, k, v = h·W + b
 * ([1, C] each), k and v appended to the layer's cached rows, each head's
 * query against all t + 1 keys (scale 1/√(C/heads)), c_proj, the residual,
 * then the MLP on ln_2; ln_f, and logits = x·wteᵀ. Returns the steps a
 * trace shows (`embedding`, each layer's attention weights [heads, t + 1]
 * and stream `h.l`, `ln_f`) and the output, the new cache as plain rows.
 */
export function stepSteps(tf: Tf, token: number, cache: GptCache, w: GptWeights) {
  const t = cache[0].k.length;
  const { width: C, heads: H } = w.config;
  const d = C / H;
  const row = (m: readonly ArrayLike<number>[], i: number) => tf.tensor2d([Array.from(m[i])]);
  let x = tf.add(row(w.wte, token), row(w.wpe, t)) as Tensor2D;
  const steps: Record<string, Tensor> = { embedding: tf.reshape(x, [C]) };
  const next: GptCache = [];
  w.h.forEach((p, l) => {
    const h = layerNormTf(tf, x, p.ln_1);
    const [q, k, v] = [linearTf(tf, h, p.attn.wq, p.attn.bq), linearTf(tf, h, p.attn.wk, p.attn.bk), linearTf(tf, h, p.attn.wv, p.attn.bv)];
    const grown = { k: [...rowsCopy(cache[l].k), ...(k.arraySync() as number[][])], v: [...rowsCopy(cache[l].v), ...(v.arraySync() as number[][])] };
    next.push(grown);
    // [t + 1, C] → [H, t + 1, d], and the query [1, C] → [H, 1, d].
    const byHead = (m: Tensor2D, rows: number) => tf.transpose(tf.reshape(m, [rows, H, d]), [1, 0, 2]);
    const [K, V] = [byHead(tf.tensor2d(grown.k), t + 1), byHead(tf.tensor2d(grown.v), t + 1)];
    const weights = tf.softmax(tf.div(tf.matMul(byHead(q, 1), K, false, true), Math.sqrt(d)));
    steps[`h.${l} attention weights`] = tf.reshape(weights, [H, t + 1]);
    const merged = tf.reshape(tf.transpose(tf.matMul(weights, V), [1, 0, 2]), [1, C]) as Tensor2D;
    const a = tf.add(x, linearTf(tf, merged, p.attn.wo, p.attn.bo)) as Tensor2D;
    x = tf.add(a, mlpTf(tf, layerNormTf(tf, a, p.ln_2), p.mlp)) as Tensor2D;
    steps[`h.${l}`] = tf.reshape(x, [C]);
  });
  const final = layerNormTf(tf, x, w.ln_f);
  steps.ln_f = tf.reshape(final, [C]);
  const logits = tf.reshape(tf.matMul(final, matrixTf(tf, w.wte), false, true), [w.config.vocabSize]);
  return { steps, output: { logits, cache: next } };
}

/** A matrix marker of the authoring API (matrixOf): the rows' data, not yet arrays. */
interface MatrixMarker {
  data: Float32Array;
  rows: number;
  cols: number;
}

const isMarker = (m: unknown): m is MatrixMarker => typeof m === 'object' && m !== null && !Array.isArray(m) && (m as MatrixMarker).data instanceof Float32Array;

/**
 * GptWeights whose matrices are marked for the sandbox (weightsOf) as plain
 * arrays, so that a case can run the float64 model on them to build a cache.
 * Made once per GptWeights (a shipped model's serve all its cases), and not to be changed.
 */
export function plainWeights(w: GptWeights): GptWeights {
  let made = plain.get(w);
  if (!made) {
    const walk = (value: unknown): unknown => {
      if (isMarker(value)) return rowsOfBytes(value);
      if (Array.isArray(value)) return value.map(walk);
      if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, walk(v)]));
      return value;
    };
    made = walk(w) as GptWeights;
    plain.set(w, made);
  }
  return made;
}

const plain = new WeakMap<GptWeights, GptWeights>();
