/**
 * model/perplexity — model solution.
 * The tokens are cut into consecutive windows of `context`: window j reads
 * tokens[j·context … (j+1)·context − 1] and its row t predicts the token
 * after it, so every window scores `context` predictions and the windows do
 * not overlap. The perplexity is exp of the mean cross-entropy (nats) over
 * every scored prediction. The forward pass is GPT-2's, in float64, one row
 * at a time: pre-norm blocks, causal attention with contiguous heads, a
 * GELU-tanh MLP, ln_f, and logits from the tied embedding.
 */
interface LayerNormParams {
  gamma: Vector;
  beta: Vector;
}

interface BlockParams {
  ln_1: LayerNormParams;
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: LayerNormParams;
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

interface GptWeights {
  config: { vocabSize: number; context: number; layers: number; heads: number; width: number };
  wte: Matrix;
  wpe: Matrix;
  h: BlockParams[];
  ln_f: LayerNormParams;
}

const eps = 1e-5;
const geluScale = Math.sqrt(2 / Math.PI);

/** LayerNorm of one row (biased variance) into `out`. */
function layerNorm(x: Float64Array, p: LayerNormParams, out: Float64Array): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (x[i] - mean) ** 2;
  const scale = 1 / Math.sqrt(variance / n + eps);
  for (let i = 0; i < n; i++) out[i] = (x[i] - mean) * scale * p.gamma[i] + p.beta[i];
  return out;
}

/** x·W + b for one row, W [in, out] read row by row. */
function linear(x: Float64Array, w: Matrix, b: Vector): Float64Array {
  const out = Float64Array.from(b);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const row = w[i];
    for (let j = 0; j < out.length; j++) out[j] += xi * row[j];
  }
  return out;
}

/** Causal multi-head attention of rows already normalised, with contiguous heads; returns merged·wo + bo per row. */
function attention(h: Float64Array[], a: BlockParams['attn'], heads: number): Float64Array[] {
  const T = h.length;
  const C = h[0].length;
  const d = C / heads;
  const q = h.map((row) => linear(row, a.wq, a.bq));
  const k = h.map((row) => linear(row, a.wk, a.bk));
  const v = h.map((row) => linear(row, a.wv, a.bv));
  const scale = 1 / Math.sqrt(d);
  const weights = new Float64Array(T);
  return q.map((qt, t) => {
    const merged = new Float64Array(C);
    for (let head = 0; head < heads; head++) {
      const from = head * d;
      let max = -Infinity;
      for (let s = 0; s <= t; s++) {
        let score = 0;
        for (let j = from; j < from + d; j++) score += qt[j] * k[s][j];
        weights[s] = score * scale;
        if (weights[s] > max) max = weights[s];
      }
      let sum = 0;
      for (let s = 0; s <= t; s++) {
        weights[s] = Math.exp(weights[s] - max);
        sum += weights[s];
      }
      for (let s = 0; s <= t; s++) {
        const p = weights[s] / sum;
        for (let j = from; j < from + d; j++) merged[j] += p * v[s][j];
      }
    }
    return linear(merged, a.wo, a.bo);
  });
}

/** One pre-norm block on the residual stream x, in place: x += attn(ln_1(x)), then x += mlp(ln_2(x)). */
function block(x: Float64Array[], p: BlockParams, heads: number): void {
  const C = x[0].length;
  const attn = attention(x.map((row) => layerNorm(row, p.ln_1, new Float64Array(C))), p.attn, heads);
  const normed = new Float64Array(C);
  x.forEach((row, t) => {
    for (let j = 0; j < C; j++) row[j] += attn[t][j];
    const hidden = linear(layerNorm(row, p.ln_2, normed), p.mlp.w1, p.mlp.b1);
    for (let j = 0; j < hidden.length; j++) {
      const z = hidden[j];
      hidden[j] = 0.5 * z * (1 + Math.tanh(geluScale * (z + 0.044715 * z * z * z)));
    }
    const out = linear(hidden, p.mlp.w2, p.mlp.b2);
    for (let j = 0; j < C; j++) row[j] += out[j];
  });
}

/** The logits [T, V] of one sequence of at most `context` tokens, a row per position. */
function logitsOf(input: number[], w: GptWeights): Float64Array[] {
  const C = w.wte[0].length;
  const x = input.map((token, t) => {
    const row = new Float64Array(C);
    for (let j = 0; j < C; j++) row[j] = w.wte[token][j] + w.wpe[t][j];
    return row;
  });
  for (const p of w.h) block(x, p, w.config.heads);
  const V = w.wte.length;
  const normed = new Float64Array(C);
  return x.map((row) => {
    layerNorm(row, w.ln_f, normed);
    const logits = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      const e = w.wte[v];
      let dot = 0;
      for (let j = 0; j < C; j++) dot += normed[j] * e[j];
      logits[v] = dot;
    }
    return logits;
  });
}

/** The summed cross-entropy (nats) of rows of logits against their targets: logsumexp(row) − row[target], the max shifted out. */
function summedLoss(logits: Float64Array[], targets: number[]): number {
  let total = 0;
  logits.forEach((row, t) => {
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    total += max + Math.log(sum) - row[targets[t]];
  });
  return total;
}

export function evalPerplexity(tokens: number[], w: GptWeights, context: number): number {
  const windows = Math.floor((tokens.length - 1) / context);
  let total = 0;
  for (let j = 0; j < windows; j++) {
    const at = j * context;
    total += summedLoss(logitsOf(tokens.slice(at, at + context), w), tokens.slice(at + 1, at + context + 1));
  }
  return Math.exp(total / (windows * context));
}
