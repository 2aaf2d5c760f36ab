import path from 'node:path';
import { gptLogits, matrixOf, readGptFile, tensorShapes, tfParams, type GptConfig, type GptModel, type Rng, type Tf } from 'llm-tutor/pack';
import { block64, layerNorm64, type BlockOrder, type BlockParams } from '../../training/block/block-math.js';

// Shared pieces of the mini-gpt exercises: the shipped models, GptWeights as
// the learner's function receives them (exercises/mini-gpt/README.md), small
// random models, and the reference forward pass in TensorFlow.js.

export type { BlockParams } from '../../training/block/block-math.js';
export type { GptConfig, GptModel } from 'llm-tutor/pack';

/** The weights as exercises/mini-gpt/README.md fixes them. */
export interface GptWeights {
  config: GptConfig;
  wte: number[][];
  wpe: number[][];
  h: BlockParams[];
  ln_f: { gamma: number[]; beta: number[] };
}

/** One entry per layer: the keys and values of every position so far, [t, C] each. */
export type GptCache = { k: number[][]; v: number[][] }[];

/** The names of the shipped models. */
export const modelNames = ['shakespeare', 'tang'] as const;
export type ModelName = (typeof modelNames)[number];

/** The pack's models folder, from an exercise's folder (exercises/mini-gpt/model/<name>). */
export const modelsDir = (exerciseDir: string): string => path.join(exerciseDir, '..', '..', 'models');

const loaded = new Map<string, GptModel>();

/** A shipped model, read once per process (the file's checksum is checked on the way). */
export function shippedModel(exerciseDir: string, name: ModelName): GptModel {
  const file = path.join(modelsDir(exerciseDir), `${name}.safetensors`);
  let model = loaded.get(file);
  if (!model) {
    model = readGptFile(file);
    loaded.set(file, model);
  }
  return model;
}

/** Columns [from, from + width) of a row-major [rows, cols] Float32Array, as a new [rows, width] one. */
function columns(data: Float32Array, rows: number, cols: number, from: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + from, r * cols + from + width), r * width);
  return out;
}

/** A model's tensors as the learner's function receives them: matrices sent as bytes (matrixOf), vectors as plain lists. */
export function weightsOf(model: Pick<GptModel, 'config' | 'tensors'>): GptWeights {
  const { config, tensors } = model;
  const c = config.width;
  const t = (name: string) => tensors[name].data;
  const vector = (name: string) => Array.from(t(name));
  const matrix = (name: string, rows: number, cols: number) => matrixOf(t(name), rows, cols);
  const h: BlockParams[] = [];
  for (let l = 0; l < config.layers; l++) {
    const p = `h.${l}.`;
    const cAttn = t(`${p}attn.c_attn.weight`);
    const bAttn = vector(`${p}attn.c_attn.bias`);
    h.push({
      ln_1: { gamma: vector(`${p}ln_1.weight`), beta: vector(`${p}ln_1.bias`) },
      attn: {
        wq: matrixOf(columns(cAttn, c, 3 * c, 0, c), c, c),
        bq: bAttn.slice(0, c),
        wk: matrixOf(columns(cAttn, c, 3 * c, c, c), c, c),
        bk: bAttn.slice(c, 2 * c),
        wv: matrixOf(columns(cAttn, c, 3 * c, 2 * c, c), c, c),
        bv: bAttn.slice(2 * c),
        wo: matrix(`${p}attn.c_proj.weight`, c, c),
        bo: vector(`${p}attn.c_proj.bias`),
      },
      ln_2: { gamma: vector(`${p}ln_2.weight`), beta: vector(`${p}ln_2.bias`) },
      mlp: { w1: matrix(`${p}mlp.c_fc.weight`, c, 4 * c), b1: vector(`${p}mlp.c_fc.bias`), w2: matrix(`${p}mlp.c_proj.weight`, 4 * c, c), b2: vector(`${p}mlp.c_proj.bias`) },
    });
  }
  return {
    config: { ...config },
    wte: matrix('wte', config.vocabSize, c),
    wpe: matrix('wpe', config.context, c),
    h,
    ln_f: { gamma: vector('ln_f.weight'), beta: vector('ln_f.bias') },
  };
}

/** The config fields GptWeights carries, in the README's order. */
export const configOf = (config: GptConfig): GptConfig => ({ vocabSize: config.vocabSize, context: config.context, layers: config.layers, heads: config.heads, width: config.width });

/**
 * A small random model of this shape: weights N(0, 0.3²) (large enough that
 * every piece changes the logits visibly), LayerNorm gains 1 + N(0, 0.1²),
 * biases N(0, 0.1²).
 */
export function randomModel(rng: Rng, config: GptConfig): Pick<GptModel, 'config' | 'tensors'> {
  const tensors: GptModel['tensors'] = {};
  for (const [name, shape] of tensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const gain = /ln_\d\.weight$|ln_f\.weight$/.test(name);
    const bias = name.endsWith('.bias');
    for (let i = 0; i < size; i++) data[i] = gain ? 1 + 0.1 * rng.normal() : bias ? 0.1 * rng.normal() : 0.3 * rng.normal();
    tensors[name] = { shape, data };
  }
  return { config: configOf(config), tensors };
}

/** Rows laid end to end in a Float32Array (each row's first `width` entries, or all of it). */
function packed(rows: readonly ArrayLike<number>[], width = rows[0]?.length ?? 0, into = new Float32Array(rows.length * width), at = 0, stride = width): Float32Array {
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let j = 0; j < width; j++) into[at + r * stride + j] = row[j];
  }
  return into;
}

/** The model file's tensors by name, rebuilt from GptWeights as the reference receives them (c_attn joined again). */
export function tensorsOf(w: GptWeights): Record<string, Float32Array> {
  const vec = (v: ArrayLike<number>) => Float32Array.from(v);
  const out: Record<string, Float32Array> = { wte: packed(w.wte), wpe: packed(w.wpe), 'ln_f.weight': vec(w.ln_f.gamma), 'ln_f.bias': vec(w.ln_f.beta) };
  w.h.forEach((b, l) => {
    const p = `h.${l}.`;
    const c = b.attn.wq.length;
    const cAttn = new Float32Array(c * 3 * c);
    [b.attn.wq, b.attn.wk, b.attn.wv].forEach((m, third) => packed(m, c, cAttn, third * c, 3 * c));
    out[`${p}ln_1.weight`] = vec(b.ln_1.gamma);
    out[`${p}ln_1.bias`] = vec(b.ln_1.beta);
    out[`${p}attn.c_attn.weight`] = cAttn;
    out[`${p}attn.c_attn.bias`] = vec([...b.attn.bq, ...b.attn.bk, ...b.attn.bv]);
    out[`${p}attn.c_proj.weight`] = packed(b.attn.wo);
    out[`${p}attn.c_proj.bias`] = vec(b.attn.bo);
    out[`${p}ln_2.weight`] = vec(b.ln_2.gamma);
    out[`${p}ln_2.bias`] = vec(b.ln_2.beta);
    out[`${p}mlp.c_fc.weight`] = packed(b.mlp.w1);
    out[`${p}mlp.c_fc.bias`] = vec(b.mlp.b1);
    out[`${p}mlp.c_proj.weight`] = packed(b.mlp.w2);
    out[`${p}mlp.c_proj.bias`] = vec(b.mlp.b2);
  });
  return out;
}

type Tensor = ReturnType<Tf['tensor']>;

/**
 * The reference forward pass on GptWeights: the logits [T, vocab] of `tokens`
 * from the capstone's TensorFlow.js model (the one the training script ran),
 * and the residual stream after each piece (`embedding`, `h.0` … `ln_f`),
 * each [T, C]. Tensors the caller disposes (or a tidy does).
 */
export function referenceForward(tf: Tf, w: GptWeights, tokens: readonly number[]): { logits: Tensor; steps: Record<string, Tensor> } {
  const params = tfParams(tf, w.config, tensorsOf(w));
  const steps: Record<string, Tensor> = {};
  const input = tf.tensor2d([Array.from(tokens)], [1, tokens.length], 'int32');
  const logits = gptLogits(tf, params, w.config, input, (name, value) => {
    steps[name] = tf.squeeze(value, [0]);
  });
  return { logits: tf.squeeze(logits, [0]), steps };
}

/** A mistake a float64 forward pass can be made with (the wrong variants of the exercises). */
export interface ForwardVariant {
  /** The blocks' order (training's block64): 'pre' is GPT-2's. */
  order?: BlockOrder;
  /** The position embedding left out. */
  noPositions?: boolean;
  /** ln_f left out before the unembedding. */
  noFinalNorm?: boolean;
}

/** The residual stream after each piece in float64, as the reference names them (`embedding`, `h.0` …, `ln_f`), and the logits. */
export function forwardSteps64(w: GptWeights, tokens: readonly number[], variant: ForwardVariant = {}): { steps: [string, number[][]][]; logits: number[][] } {
  const steps: [string, number[][]][] = [];
  let x = tokens.map((t, i) => Array.from(w.wte[t], (e, j) => e + (variant.noPositions ? 0 : w.wpe[i][j])));
  steps.push(['embedding', x]);
  w.h.forEach((p, l) => {
    x = block64(x, p, w.config.heads, variant.order);
    steps.push([`h.${l}`, x]);
  });
  if (!variant.noFinalNorm) {
    x = layerNorm64(x, w.ln_f);
    steps.push(['ln_f', x]);
  }
  return { steps, logits: x.map((row) => w.wte.map((e) => row.reduce((s, v, j) => s + v * e[j], 0))) };
}

/** The logits [T, vocab] in float64 (see {@link forwardSteps64}). */
export const forward64 = (w: GptWeights, tokens: readonly number[], variant: ForwardVariant = {}): number[][] => forwardSteps64(w, tokens, variant).logits;
