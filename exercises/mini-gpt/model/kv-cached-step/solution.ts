/**
 * model/kv-cached-step — model solution.
 * One token at position t = cache[0].k.length: x = wte[token] + wpe[t];
 * in each block the token's key and value are appended to that layer's
 * cached rows and its query attends over all t + 1 of them, head by head;
 * then ln_f and the logits. The cache passed in is not changed: each layer's
 * new rows are new arrays.
 */
interface BlockParams {
  ln_1: { gamma: Vector; beta: Vector };
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: { gamma: Vector; beta: Vector };
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

interface GptWeights {
  config: { vocabSize: number; context: number; layers: number; heads: number; width: number };
  wte: Matrix;
  wpe: Matrix;
  h: BlockParams[];
  ln_f: { gamma: Vector; beta: Vector };
}

type GptCache = { k: Matrix; v: Matrix }[];

export function gptStep(token: number, cache: GptCache, w: GptWeights): { logits: Vector; cache: GptCache } {
  const t = cache[0].k.length;
  let x = w.wte[token].map((e, j) => e + w.wpe[t][j]);
  const next: GptCache = [];
  w.h.forEach((p, l) => {
    const h = layerNorm(x, p.ln_1);
    const keys = [...cache[l].k, linear(h, p.attn.wk, p.attn.bk)];
    const values = [...cache[l].v, linear(h, p.attn.wv, p.attn.bv)];
    next.push({ k: keys, v: values });
    const attn = linear(attend(linear(h, p.attn.wq, p.attn.bq), keys, values, w.config.heads), p.attn.wo, p.attn.bo);
    const a = x.map((v, j) => v + attn[j]);
    const mlp = linear(linear(layerNorm(a, p.ln_2), p.mlp.w1, p.mlp.b1).map(gelu), p.mlp.w2, p.mlp.b2);
    x = a.map((v, j) => v + mlp[j]);
  });
  const final = layerNorm(x, w.ln_f);
  return { logits: w.wte.map((e) => dot(final, e, 0, final.length)), cache: next };
}

/** One query against every key (the new one last), contiguous heads of width C / heads, scale 1/√(C/heads). */
function attend(q: Vector, keys: Matrix, values: Matrix, heads: number): Vector {
  const C = q.length;
  const d = C / heads;
  const out = new Array<number>(C).fill(0);
  for (let first = 0; first < C; first += d) {
    const scores = keys.map((k) => dot(q, k, first, first + d) / Math.sqrt(d));
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const sum = exps.reduce((s, e) => s + e, 0);
    exps.forEach((e, j) => {
      for (let c = first; c < first + d; c++) out[c] += (e / sum) * values[j][c];
    });
  }
  return out;
}

/** Σ a[c]·b[c] over columns from … to − 1. */
function dot(a: Vector, b: Vector, from: number, to: number): number {
  let s = 0;
  for (let c = from; c < to; c++) s += a[c] * b[c];
  return s;
}

/** x·w + b for one row x: each input adds its row of w, scaled. */
function linear(x: Vector, w: Matrix, b: Vector): Vector {
  const y = Array.from(b);
  x.forEach((xi, i) => {
    const wi = w[i];
    for (let j = 0; j < y.length; j++) y[j] += xi * wi[j];
  });
  return y;
}

/** LayerNorm of one row: biased variance, ε = 1e-5. */
function layerNorm(x: Vector, p: { gamma: Vector; beta: Vector }): Vector {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  return x.map((v, j) => ((v - mean) / Math.sqrt(variance + 1e-5)) * p.gamma[j] + p.beta[j]);
}

/** GELU, tanh form (GPT-2's). */
function gelu(z: number): number {
  return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
}
