import path from 'node:path';
import { configOf, gptLogits, readGptFile, tensorShapes, tensorsOf, tfParams, weightsOf, type GptConfig, type GptModel, type GptWeights, type Rng, type Tf } from 'llm-tutor/pack';
import { block64, layerNorm64, type BlockOrder } from '../../training/block/block-math.js';

// Shared pieces of the mini-gpt exercises: the shipped models, GptWeights as
// the learner's function receives them (exercises/mini-gpt/README.md), small
// random models, and the reference forward pass in TensorFlow.js.

export type { BlockParams } from '../../training/block/block-math.js';
export type { GptCache, GptConfig, GptModel, GptWeights } from 'llm-tutor/pack';
export { configOf, tensorsOf, weightsOf };

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

/** The rows of a matrix marked to be sent as bytes (matrixOf), as plain number[] (a loop: Array.from on a typed array is several times slower). */
export function rowsOfBytes({ data, rows, cols }: { data: Float32Array; rows: number; cols: number }): number[][] {
  const out = new Array<number[]>(rows);
  for (let i = 0; i < rows; i++) {
    const row = new Array<number>(cols);
    for (let j = 0, at = i * cols; j < cols; j++) row[j] = data[at + j];
    out[i] = row;
  }
  return out;
}

const shippedWeightsOf = new Map<string, GptWeights>();

/**
 * A shipped model's weights as the learner's function receives them
 * (weightsOf), made once per process: every case of every exercise that
 * holds them holds the same object (frozen with the first case), so they go
 * to the sandbox once per run and the tutor copies them into rows once.
 */
export function shippedWeights(exerciseDir: string, name: ModelName): GptWeights {
  const file = path.join(modelsDir(exerciseDir), `${name}.safetensors`);
  let w = shippedWeightsOf.get(file);
  if (!w) {
    w = weightsOf(shippedModel(exerciseDir, name));
    shippedWeightsOf.set(file, w);
  }
  return w;
}

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
