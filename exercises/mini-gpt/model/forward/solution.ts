/**
 * model/forward — model solution.
 * GPT-2's forward pass: x = wte[tokens] + wpe[0 … T−1]; each block
 * a = x + attn(ln_1(x)), x = a + mlp(ln_2(a)); then ln_f, and the logits
 * ln_f(x)·wteᵀ. Plain float64 loops over rows, so the shipped models
 * (C = 128, 4 layers, 64 tokens) run in a fraction of a second.
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

export function gptForward(tokens: number[], w: GptWeights): Matrix {
  let x = tokens.map((token, t) => w.wte[token].map((e, j) => e + w.wpe[t][j]));
  for (const p of w.h) {
    const a = add(x, attention(layerNorm(x, p.ln_1), p.attn, w.config.heads));
    const hidden = linear(layerNorm(a, p.ln_2), p.mlp.w1, p.mlp.b1).map((row) => row.map(gelu));
    x = add(a, linear(hidden, p.mlp.w2, p.mlp.b2));
  }
  // The logits: each row against every token's embedding (tied: no bias).
  return linear(layerNorm(x, w.ln_f), transpose(w.wte), new Array<number>(w.wte.length).fill(0));
}

/** Causal self-attention with contiguous heads of width C / heads, scale 1/√(C/heads), then c_proj. */
function attention(h: Matrix, p: BlockParams['attn'], heads: number): Matrix {
  const [q, k, v] = [linear(h, p.wq, p.bq), linear(h, p.wk, p.bk), linear(h, p.wv, p.bv)];
  const C = q[0].length;
  const d = C / heads;
  const merged = q.map((qi, i) => {
    const out = new Array<number>(C).fill(0);
    for (let first = 0; first < C; first += d) {
      // Position i sees positions 0 … i.
      const scores = k.slice(0, i + 1).map((kj) => dot(qi, kj, first, first + d) / Math.sqrt(d));
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const sum = exps.reduce((s, e) => s + e, 0);
      exps.forEach((e, j) => {
        for (let c = first; c < first + d; c++) out[c] += (e / sum) * v[j][c];
      });
    }
    return out;
  });
  return linear(merged, p.wo, p.bo);
}

/** Σ a[c]·b[c] over columns from … to − 1. */
function dot(a: Vector, b: Vector, from: number, to: number): number {
  let s = 0;
  for (let c = from; c < to; c++) s += a[c] * b[c];
  return s;
}

/**
 * x·w + b for every row of x: each input adds its row of w, scaled. The
 * rows of w are copied into Float64Arrays first; every one is read T times,
 * and unboxed doubles make the inner loop several times faster.
 */
function linear(x: Matrix, w: Matrix, b: Vector): Matrix {
  const rows = w.map((row) => Float64Array.from(row));
  return x.map((xr) => {
    const y = Float64Array.from(b);
    for (let i = 0; i < rows.length; i++) {
      const xi = xr[i];
      const wi = rows[i];
      for (let j = 0; j < y.length; j++) y[j] += xi * wi[j];
    }
    return Array.from(y);
  });
}

/** LayerNorm of each row: biased variance, ε = 1e-5. */
function layerNorm(x: Matrix, p: { gamma: Vector; beta: Vector }): Matrix {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, j) => ((v - mean) / Math.sqrt(variance + 1e-5)) * p.gamma[j] + p.beta[j]);
  });
}

/** GELU, tanh form (GPT-2's). */
function gelu(z: number): number {
  return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
}

/** The transpose of m. */
function transpose(m: Matrix): Matrix {
  return m[0].map((_, j) => m.map((row) => row[j]));
}

function add(a: Matrix, b: Matrix): Matrix {
  return a.map((row, i) => row.map((v, j) => v + b[i][j]));
}
