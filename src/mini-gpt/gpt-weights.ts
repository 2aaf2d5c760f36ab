/**
 * A capstone model's weights as the learner's functions receive them
 * (exercises/mini-gpt/README.md): the config, the token and position
 * embeddings, one BlockParams per layer (GPT-2's fused c_attn split into its
 * query, key and value thirds) and the final LayerNorm. Matrices go to the
 * sandbox as raw float32 bytes and arrive as plain number[][] (matrixOf).
 */
import { MARKER } from '../sandbox/wire.js';
import type { GptConfig } from './model.js';
import type { GptModel } from './weights-file.js';

/** One GPT-2 block's parameters, as the training pack's BlockParams. */
export interface GptBlockParams {
  ln_1: { gamma: number[]; beta: number[] };
  attn: { wq: number[][]; bq: number[]; wk: number[][]; bk: number[]; wv: number[][]; bv: number[]; wo: number[][]; bo: number[] };
  ln_2: { gamma: number[]; beta: number[] };
  mlp: { w1: number[][]; b1: number[]; w2: number[][]; b2: number[] };
}

/** The weights as exercises/mini-gpt/README.md fixes them. */
export interface GptWeights {
  config: GptConfig;
  wte: number[][];
  wpe: number[][];
  h: GptBlockParams[];
  ln_f: { gamma: number[]; beta: number[] };
}

/** One entry per layer: the keys and values of every position so far, [t, C] each. */
export type GptCache = { k: number[][]; v: number[][] }[];

/** A flat [rows, cols] Float32Array marked to arrive as a plain number[][] (the authoring API's matrixOf). */
export function plainRows(data: Float32Array, rows: number, cols: number): number[][] {
  return { [MARKER]: 'rows', data, rows, cols, plain: true } as unknown as number[][];
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
  const matrix = (name: string, rows: number, cols: number) => plainRows(t(name), rows, cols);
  const h: GptBlockParams[] = [];
  for (let l = 0; l < config.layers; l++) {
    const p = `h.${l}.`;
    const cAttn = t(`${p}attn.c_attn.weight`);
    const bAttn = vector(`${p}attn.c_attn.bias`);
    h.push({
      ln_1: { gamma: vector(`${p}ln_1.weight`), beta: vector(`${p}ln_1.bias`) },
      attn: {
        wq: plainRows(columns(cAttn, c, 3 * c, 0, c), c, c),
        bq: bAttn.slice(0, c),
        wk: plainRows(columns(cAttn, c, 3 * c, c, c), c, c),
        bk: bAttn.slice(c, 2 * c),
        wv: plainRows(columns(cAttn, c, 3 * c, 2 * c, c), c, c),
        bv: bAttn.slice(2 * c),
        wo: matrix(`${p}attn.c_proj.weight`, c, c),
        bo: vector(`${p}attn.c_proj.bias`),
      },
      ln_2: { gamma: vector(`${p}ln_2.weight`), beta: vector(`${p}ln_2.bias`) },
      mlp: { w1: matrix(`${p}mlp.c_fc.weight`, c, 4 * c), b1: vector(`${p}mlp.c_fc.bias`), w2: matrix(`${p}mlp.c_proj.weight`, 4 * c, c), b2: vector(`${p}mlp.c_proj.bias`) },
    });
  }
  return {
    config: configOf(config),
    wte: matrix('wte', config.vocabSize, c),
    wpe: matrix('wpe', config.context, c),
    h,
    ln_f: { gamma: vector('ln_f.weight'), beta: vector('ln_f.bias') },
  };
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


/** The config fields GptWeights carries, in the README's order. */
export const configOf = (config: GptConfig): GptConfig => ({ vocabSize: config.vocabSize, context: config.context, layers: config.layers, heads: config.heads, width: config.width });
