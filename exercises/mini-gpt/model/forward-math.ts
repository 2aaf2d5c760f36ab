import { geluErf, geluTanh, lnEps } from '../../training/block/block-math.js';
import type { BlockParams, GptCache, GptWeights } from './gpt-math.js';

// The float64 forward pass of model/forward and model/kv-cached-step, fast
// enough for the shipped models (loops over rows, no allocation per entry),
// with the mistakes a learner makes as switches: the wrong variants of both
// exercises. And the hand-made model of their lessons.

type Rows = ArrayLike<ArrayLike<number>>;

/** A mistake of the forward pass; the empty object is GPT-2's. */
export interface ModelVariant {
  /** wpe left out: the embedding is wte[token] alone. */
  noPositions?: boolean;
  /** Every token embedded at position 0 (wpe[0]). */
  positionZero?: boolean;
  /** ln_f left out before the unembedding. */
  noFinalNorm?: boolean;
  /** Post-norm blocks: a = ln_1(x + attn(x)), y = ln_2(a + mlp(a)). */
  postNorm?: boolean;
  /** The exact GELU, 0.5z(1 + erf(z/√2)), in the MLP. */
  geluErf?: boolean;
  /** Every query sees every key, the later ones too. */
  notCausal?: boolean;
  /** Scores divided by √C instead of √(C/heads). */
  scaleByWidth?: boolean;
  /** A query sees the keys before it but not its own (attend, then append). */
  ownKeyLeftOut?: boolean;
}

// Internally every row is a Float64Array, the weights' rows copied into
// Float64Arrays once per product: an inner loop that reads one kind of row
// stays fast, where frozen arrays (read-only inputs) and plain ones mixed at
// one site make it several times slower.
type Row = Float64Array;

/** Rows copied into Float64Arrays. */
const rowsOf64 = (m: Rows): Row[] => Array.from({ length: m.length }, (_, i) => Float64Array.from(m[i]));

/** Float64Array rows back to plain lists. */
const plain = (m: readonly Row[]): number[][] => m.map((row) => Array.from(row));

/** x·W + b for every row of x (W [in, out]). */
export function linear64(x: readonly Row[], w: Rows, b: ArrayLike<number>): Row[] {
  const W = rowsOf64(w);
  return x.map((row) => {
    const y = Float64Array.from(b);
    for (let i = 0; i < W.length; i++) {
      const xi = row[i];
      const wi = W[i];
      for (let j = 0; j < y.length; j++) y[j] += xi * wi[j];
    }
    return y;
  });
}

/** LayerNorm of each row: biased variance, ε = 1e-5. */
export function layerNormRows(x: readonly Row[], p: { gamma: ArrayLike<number>; beta: ArrayLike<number> }): Row[] {
  return x.map((row) => {
    const n = row.length;
    let mean = 0;
    for (let j = 0; j < n; j++) mean += row[j];
    mean /= n;
    let variance = 0;
    for (let j = 0; j < n; j++) variance += (row[j] - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / n + lnEps);
    return row.map((v, j) => (v - mean) * inv * p.gamma[j] + p.beta[j]);
  });
}

const addRows = (a: readonly Row[], b: readonly Row[]): Row[] => a.map((row, i) => row.map((v, j) => v + b[i][j]));

/**
 * Query i of `q` (at position `start + i` of the sequence) against the keys
 * `k` of positions 0, 1, …: softmax(q_h·k_hᵀ/√d)·v_h per contiguous head,
 * heads side by side. Causal: query i sees keys 0 … start + i.
 */
export function attend64(q: readonly Row[], k: readonly Row[], v: readonly Row[], heads: number, start: number, variant: ModelVariant = {}): Row[] {
  const C = q[0].length;
  const d = C / heads;
  const scale = 1 / Math.sqrt(variant.scaleByWidth ? C : d);
  return q.map((qi, i) => {
    const seen = variant.notCausal ? k.length : variant.ownKeyLeftOut ? start + i : start + i + 1;
    const out = new Float64Array(C);
    const scores = new Float64Array(seen);
    for (let h = 0; h < heads; h++) {
      const first = h * d;
      let max = -Infinity;
      for (let j = 0; j < seen; j++) {
        let s = 0;
        for (let c = first; c < first + d; c++) s += qi[c] * k[j][c];
        scores[j] = s * scale;
        if (scores[j] > max) max = scores[j];
      }
      let total = 0;
      for (let j = 0; j < seen; j++) total += scores[j] = Math.exp(scores[j] - max);
      for (let j = 0; j < seen; j++) {
        const p = scores[j] / total;
        for (let c = first; c < first + d; c++) out[c] += p * v[j][c];
      }
    }
    return out;
  });
}

/** gelu(h·w1 + b1)·w2 + b2. */
function mlp64(h: readonly Row[], p: BlockParams['mlp'], variant: ModelVariant): Row[] {
  const gelu = variant.geluErf ? geluErf : geluTanh;
  return linear64(
    linear64(h, p.w1, p.b1).map((row) => row.map(gelu)),
    p.w2,
    p.b2,
  );
}

/** The embedding of `tokens` from position `start` on: wte[token] + wpe[position]. */
function embed64(w: GptWeights, tokens: readonly number[], start: number, variant: ModelVariant): Row[] {
  return tokens.map((token, i) => {
    const e = w.wte[token];
    const p = w.wpe[variant.positionZero ? 0 : start + i];
    return Float64Array.from({ length: e.length }, (_, j) => e[j] + (variant.noPositions ? 0 : p[j]));
  });
}

/** logits = h·wteᵀ, row by row. */
function unembed64(h: readonly Row[], wte: Rows): number[][] {
  const E = rowsOf64(wte);
  return h.map((row) => {
    const out = new Array<number>(E.length);
    for (let v = 0; v < E.length; v++) {
      const e = E[v];
      let s = 0;
      for (let j = 0; j < row.length; j++) s += row[j] * e[j];
      out[v] = s;
    }
    return out;
  });
}

/**
 * The tokens at positions start, start + 1, … through the model, each
 * layer's attention seeing `cache` (the keys and values of positions
 * 0 … start − 1) and then these tokens' own: the residual stream after each
 * piece (`embedding`, `h.0` …, `ln_f`), the logits, and the cache grown by
 * these tokens' keys and values. From the empty cache it is the forward pass.
 */
export function run64(w: GptWeights, tokens: readonly number[], cache: GptCache = w.h.map(() => ({ k: [], v: [] })), variant: ModelVariant = {}) {
  const start = cache[0]?.k.length ?? 0;
  const steps: [string, number[][]][] = [];
  const grown: GptCache = [];
  let x = embed64(w, tokens, start, variant);
  steps.push(['embedding', plain(x)]);
  w.h.forEach((p, l) => {
    const attn = (h: Row[]) => {
      const q = linear64(h, p.attn.wq, p.attn.bq);
      const k = [...rowsOf64(cache[l].k), ...linear64(h, p.attn.wk, p.attn.bk)];
      const v = [...rowsOf64(cache[l].v), ...linear64(h, p.attn.wv, p.attn.bv)];
      grown.push({ k: plain(k), v: plain(v) });
      return linear64(attend64(q, k, v, w.config.heads, start, variant), p.attn.wo, p.attn.bo);
    };
    if (variant.postNorm) {
      const a = layerNormRows(addRows(x, attn(x)), p.ln_1);
      x = layerNormRows(addRows(a, mlp64(a, p.mlp, variant)), p.ln_2);
    } else {
      const a = addRows(x, attn(layerNormRows(x, p.ln_1)));
      x = addRows(a, mlp64(layerNormRows(a, p.ln_2), p.mlp, variant));
    }
    steps.push([`h.${l}`, plain(x)]);
  });
  if (!variant.noFinalNorm) {
    x = layerNormRows(x, w.ln_f);
    steps.push(['ln_f', plain(x)]);
  }
  return { steps, logits: unembed64(x, w.wte), cache: grown };
}

/** The logits [T, vocab] of `tokens` in float64, or of a variant. */
export const forwardLogits64 = (w: GptWeights, tokens: readonly number[], variant: ModelVariant = {}): number[][] => run64(w, tokens, undefined, variant).logits;

const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/**
 * The lessons' model, made by hand: vocabulary 6, context 8, one layer of
 * two heads, C = 4. Its block is the one of training's block/transformer-block
 * lesson, and the tokens [2, 0, 1] embed to that lesson's x, so h.0 is its y.
 * ln_f is plain (γ = 1, β = 0).
 */
export const lessonModel: GptWeights = {
  config: { vocabSize: 6, context: 8, layers: 1, heads: 2, width: 4 },
  wte: [
    [1, 1, 0, 0],
    [0, 1, 1, 0],
    [1, -1, 0, 0],
    [0, 0, 1, 1],
    [-1, 0, 0, 1],
    [0, 1, 0, -1],
  ],
  wpe: [
    [0, 0, 1, -1],
    [1, 1, 0, 0],
    [0, 1, 1, 0],
    [0.5, 0, 0, -0.5],
    [0, 0.5, -0.5, 0],
    [-0.5, 0, 0.5, 0],
    [0, -0.5, 0, 0.5],
    [0.5, 0.5, -0.5, -0.5],
  ],
  h: [
    {
      ln_1: { gamma: [1, 1, 1, 1], beta: [0, 0, 0, 0] },
      attn: { wq: identity(4), bq: [0, 0, 0, 0], wk: identity(4), bk: [1, 1, 1, 1], wv: identity(4), bv: [0.5, 0, 0, -0.5], wo: identity(4), bo: [0, 0, 0, 0] },
      ln_2: { gamma: [1, 1, 1, 1], beta: [0, 0, 0, 0] },
      mlp: {
        w1: identity(4).map((row) => [1, -1, 0.5, -0.5].flatMap((s) => row.map((v) => s * v))),
        b1: new Array<number>(16).fill(0),
        w2: [...identity(4), ...identity(4), ...identity(4), ...identity(4)].map((row) => row.map((v) => v / 2)),
        b2: [0, 0, 0, 0.1],
      },
    },
  ],
  ln_f: { gamma: [1, 1, 1, 1], beta: [0, 0, 0, 0] },
};

/** The lessons' tokens: they embed to the block lesson's x. */
export const lessonTokens = [2, 0, 1];
