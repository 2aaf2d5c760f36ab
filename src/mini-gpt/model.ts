/**
 * The capstone's GPT in TensorFlow.js: GPT-2's architecture at a small size
 * (learned positions, pre-norm blocks with biased LayerNorm ε = 1e-5, causal
 * multi-head attention, a GELU-tanh MLP four times as wide, a final
 * LayerNorm, and the unembedding tied to the token embedding). Weights are
 * stored `[in, out]` as in GPT-2's Conv1D, so a linear layer is x·W + b.
 * The training script and the reference of the mini-gpt exercises both run it.
 */
import type { Tf } from '../core/authoring/exercise.js';

type Tensor = ReturnType<Tf['tensor']>;

/** A model's shape. */
export interface GptConfig {
  vocabSize: number;
  /** The longest sequence the model reads (its learned positions). */
  context: number;
  layers: number;
  heads: number;
  /** The residual stream's width, C; each head is C / heads wide and the MLP 4C. */
  width: number;
}

/** LayerNorm's ε, as GPT-2 (`src/model.py` norm) and PyTorch use. */
export const layerNormEps = 1e-5;

/** The names and shapes of a model's tensors, in the order the weights file stores them. */
export function tensorShapes(config: GptConfig): [name: string, shape: number[]][] {
  const c = config.width;
  const shapes: [string, number[]][] = [
    ['wte', [config.vocabSize, c]],
    ['wpe', [config.context, c]],
  ];
  for (let l = 0; l < config.layers; l++) {
    const h = `h.${l}.`;
    shapes.push(
      [`${h}ln_1.weight`, [c]],
      [`${h}ln_1.bias`, [c]],
      [`${h}attn.c_attn.weight`, [c, 3 * c]],
      [`${h}attn.c_attn.bias`, [3 * c]],
      [`${h}attn.c_proj.weight`, [c, c]],
      [`${h}attn.c_proj.bias`, [c]],
      [`${h}ln_2.weight`, [c]],
      [`${h}ln_2.bias`, [c]],
      [`${h}mlp.c_fc.weight`, [c, 4 * c]],
      [`${h}mlp.c_fc.bias`, [4 * c]],
      [`${h}mlp.c_proj.weight`, [4 * c, c]],
      [`${h}mlp.c_proj.bias`, [c]],
    );
  }
  shapes.push(['ln_f.weight', [c]], ['ln_f.bias', [c]]);
  return shapes;
}

/** A model's tensors as tfjs tensors, by name, from their data in row-major order (Float32Arrays of a model file, or plain lists). */
export function tfParams(tf: Tf, config: GptConfig, data: Record<string, ArrayLike<number> | { data: Float32Array }>): Record<string, Tensor> {
  return Object.fromEntries(
    tensorShapes(config).map(([name, shape]) => {
      const entry = data[name];
      // A typed array goes to tfjs as it is: a plain list is flattened element by element (a shipped model's million floats in a quarter second).
      const values = ArrayBuffer.isView(entry) ? (entry as Float32Array) : 'data' in entry ? entry.data : Array.from(entry as ArrayLike<number>);
      return [name, tf.tensor(values, shape)];
    }),
  );
}

/** The number of parameters of a model (the tied unembedding counted once). */
export const parameterCount = (config: GptConfig): number => tensorShapes(config).reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);

/** LayerNorm over the last axis, biased variance. */
function layerNorm(tf: Tf, x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, layerNormEps))), weight), bias);
}

/** GELU, tanh form (GPT-2's gelu): 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluTanh(tf: Tf, x: Tensor): Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(tf.mul(x, x), x))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/**
 * a·b of two matrices, with a gradient that transposes its operands before
 * multiplying: the wasm backend multiplies a transposed operand ten to
 * twenty times slower than a plain one, and tfjs's own gradient of matMul
 * asks for transposed operands.
 */
function matMul2d(tf: Tf, a: Tensor, b: Tensor): Tensor {
  const withGradient = (x: Tensor, y: Tensor, save: (tensors: Tensor[]) => void) => {
    save([x, y]);
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.matMul(dy, tf.transpose(saved[1])), tf.matMul(tf.transpose(saved[0]), dy)],
    };
  };
  const product = tf.customGrad(withGradient as unknown as Parameters<Tf['customGrad']>[0]);
  return product(a, b) as Tensor;
}

/** x·W + b over the last axis of a [B, T, in] tensor. */
function linear(tf: Tf, x: Tensor, w: Tensor, b: Tensor): Tensor {
  const [batch, time, inWidth] = x.shape as number[];
  const y = tf.add(matMul2d(tf, tf.reshape(x, [batch * time, inWidth]), w), b);
  return tf.reshape(y, [batch, time, w.shape[1] as number]);
}

/**
 * Causal self-attention of a [B, T, C] input: q, k, v from one c_attn
 * projection (q the first C columns, then k, then v), heads as contiguous
 * column blocks, scores scaled by 1/√(C/heads), future positions masked
 * by adding `maskBias` ([T, T]: 0 where allowed, −1e9 above the diagonal).
 */
function attention(tf: Tf, x: Tensor, p: Record<string, Tensor>, prefix: string, config: GptConfig, maskBias: Tensor): Tensor {
  const [batch, time, c] = x.shape as number[];
  const heads = config.heads;
  const d = c / heads;
  const qkv = linear(tf, x, p[`${prefix}attn.c_attn.weight`], p[`${prefix}attn.c_attn.bias`]);
  const [q, k, v] = tf.split(qkv, 3, -1).map((t) => tf.transpose(tf.reshape(t, [batch, time, heads, d]), [0, 2, 1, 3]));
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
  const masked = tf.add(scores, maskBias);
  const y = tf.matMul(tf.softmax(masked, -1), v);
  const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [batch, time, c]);
  return linear(tf, merged, p[`${prefix}attn.c_proj.weight`], p[`${prefix}attn.c_proj.bias`]);
}

/**
 * The logits [B, T, vocab] of a batch of token sequences [B, T] (int32,
 * T ≤ context): position t's row predicts token t + 1. `record`, when given,
 * receives the residual stream after each piece, in order: `embedding`,
 * `h.0` … `h.{L−1}` (after each block), `ln_f`; the logits are the result.
 */
export function gptLogits(tf: Tf, p: Record<string, Tensor>, config: GptConfig, tokens: Tensor, record?: (name: string, value: Tensor) => void): Tensor {
  const [, time] = tokens.shape as number[];
  if (time > config.context) throw new Error(`a sequence of ${time} tokens is longer than the model's context (${config.context})`);
  // The embedding lookup as a one-hot product: its gradient is a matMul, where gather's needs a kernel the wasm backend lacks.
  const [rows] = tokens.shape as number[];
  const embedded = matMul2d(tf, tf.oneHot(tf.reshape(tokens, [rows * time]), config.vocabSize), p.wte);
  let x = tf.add(tf.reshape(embedded, [rows, time, config.width]), tf.slice(p.wpe, [0, 0], [time, config.width]));
  record?.('embedding', x);
  // One causal mask for every layer.
  const maskBias = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([time, time]), -1, 0)), -1e9);
  for (let l = 0; l < config.layers; l++) {
    const h = `h.${l}.`;
    x = tf.add(x, attention(tf, layerNorm(tf, x, p[`${h}ln_1.weight`], p[`${h}ln_1.bias`]), p, h, config, maskBias));
    const hidden = geluTanh(tf, linear(tf, layerNorm(tf, x, p[`${h}ln_2.weight`], p[`${h}ln_2.bias`]), p[`${h}mlp.c_fc.weight`], p[`${h}mlp.c_fc.bias`]));
    x = tf.add(x, linear(tf, hidden, p[`${h}mlp.c_proj.weight`], p[`${h}mlp.c_proj.bias`]));
    record?.(`h.${l}`, x);
  }
  x = layerNorm(tf, x, p['ln_f.weight'], p['ln_f.bias']);
  record?.('ln_f', x);
  const [batch] = x.shape as number[];
  const flat = matMul2d(tf, tf.reshape(x, [batch * time, config.width]), tf.transpose(p.wte));
  return tf.reshape(flat, [batch, time, config.vocabSize]);
}

/** The mean cross-entropy (nats) of logits [B, T, V] against targets [B, T] (int32). */
export function crossEntropy(tf: Tf, logits: Tensor, targets: Tensor): Tensor {
  const [batch, time, vocab] = logits.shape as number[];
  const logProbs = tf.logSoftmax(tf.reshape(logits, [batch * time, vocab]), -1);
  const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.reshape(targets, [batch * time]), vocab)), -1);
  return tf.neg(tf.mean(picked));
}
