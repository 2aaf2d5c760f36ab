interface BlockParams {
  ln_1: { gamma: Vector; beta: Vector };
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: { gamma: Vector; beta: Vector };
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

export interface GptWeights {
  config: { vocabSize: number; context: number; layers: number; heads: number; width: number };
  wte: Matrix;
  wpe: Matrix;
  h: BlockParams[];
  ln_f: { gamma: Vector; beta: Vector };
}

export interface SampleOptions {
  temperature: number;
  topK?: number;
  topP?: number;
}

/** A [rows, cols] matrix laid out flat, row after row: the inner loops read one typed array. */
interface Flat {
  data: Float64Array;
  cols: number;
}

function flat(m: Matrix): Flat {
  const cols = m[0].length;
  const data = new Float64Array(m.length * cols);
  m.forEach((row, i) => data.set(row, i * cols));
  return { data, cols };
}

/** x·W + b for one row x; W is [in, out]. */
function linear(x: Float64Array, W: Flat, b: Vector): Float64Array {
  const { data, cols } = W;
  const out = Float64Array.from(b);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    for (let j = 0, at = i * cols; j < cols; j++) out[j] += xi * data[at + j];
  }
  return out;
}

/** LayerNorm of one row: biased variance, ε = 1e-5. */
function layerNorm(x: Float64Array, p: { gamma: Vector; beta: Vector }): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let j = 0; j < n; j++) mean += x[j];
  mean /= n;
  let variance = 0;
  for (let j = 0; j < n; j++) variance += (x[j] - mean) ** 2;
  const scale = 1 / Math.sqrt(variance / n + 1e-5);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = (x[j] - mean) * scale * p.gamma[j] + p.beta[j];
  return out;
}

const gelu = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));

/** A KV-cached decoder: each call of the returned function runs one token at the next position and returns its logits. */
function decoder(w: GptWeights): (token: number) => Float64Array {
  const { width: C, heads: H, vocabSize: V } = w.config;
  const D = C / H;
  const wte = flat(w.wte);
  const blocks = w.h.map((p) => ({
    ...p,
    wq: flat(p.attn.wq),
    wk: flat(p.attn.wk),
    wv: flat(p.attn.wv),
    wo: flat(p.attn.wo),
    w1: flat(p.mlp.w1),
    w2: flat(p.mlp.w2),
    k: [] as Float64Array[],
    v: [] as Float64Array[],
  }));
  return (token) => {
    const t = blocks[0].k.length;
    let x: Float64Array = new Float64Array(C);
    for (let j = 0; j < C; j++) x[j] = w.wte[token][j] + w.wpe[t][j];
    for (const b of blocks) {
      const h = layerNorm(x, b.ln_1);
      const q = linear(h, b.wq, b.attn.bq);
      b.k.push(linear(h, b.wk, b.attn.bk));
      b.v.push(linear(h, b.wv, b.attn.bv));
      const merged = new Float64Array(C);
      const weights = new Float64Array(t + 1);
      for (let head = 0; head < H; head++) {
        const from = head * D;
        let max = -Infinity;
        for (let s = 0; s <= t; s++) {
          const key = b.k[s];
          let dot = 0;
          for (let j = from; j < from + D; j++) dot += q[j] * key[j];
          weights[s] = dot / Math.sqrt(D);
          max = Math.max(max, weights[s]);
        }
        let sum = 0;
        for (let s = 0; s <= t; s++) sum += weights[s] = Math.exp(weights[s] - max);
        for (let s = 0; s <= t; s++) {
          const a = weights[s] / sum;
          const value = b.v[s];
          for (let j = from; j < from + D; j++) merged[j] += a * value[j];
        }
      }
      const stream = linear(merged, b.wo, b.attn.bo);
      for (let j = 0; j < C; j++) stream[j] += x[j];
      const hidden = linear(layerNorm(stream, b.ln_2), b.w1, b.mlp.b1);
      for (let j = 0; j < hidden.length; j++) hidden[j] = gelu(hidden[j]);
      x = linear(hidden, b.w2, b.mlp.b2);
      for (let j = 0; j < C; j++) x[j] += stream[j];
    }
    const final = layerNorm(x, w.ln_f);
    const logits = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      let dot = 0;
      for (let j = 0, at = v * C; j < C; j++) dot += final[j] * wte.data[at + j];
      logits[v] = dot;
    }
    return logits;
  };
}

/**
 * The next token from one row of logits and a uniform u in [0, 1): the
 * argmax at temperature 0 (the lower index on a tie); otherwise logits / T,
 * top-k, top-p, softmax, and the first token whose cumulative probability
 * exceeds u·total.
 */
export function nextToken(logits: Vector, opts: SampleOptions, u: number): number {
  const n = logits.length;
  if (opts.temperature === 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  const z = Array.from(logits, (x) => x / opts.temperature);
  if (opts.topK !== undefined && opts.topK < n) {
    // Every logit below the k-th largest goes: ties with it are kept.
    const kth = Float64Array.from(z).sort()[n - opts.topK];
    for (let i = 0; i < n; i++) if (z[i] < kth) z[i] = -Infinity;
  }
  const max = Math.max(...z);
  let probs = z.map((x) => Math.exp(x - max));
  const sum = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / sum);
  if (opts.topP !== undefined) {
    // From the least probable up (equal ones: the higher index first), drop
    // every token whose cumulative probability is ≤ 1 − p, never the last.
    // Tokens already at 0 (removed by top-k) add nothing: only the others are sorted.
    const ascending = [...probs.keys()].filter((i) => probs[i] > 0).sort((a, b) => probs[a] - probs[b] || b - a);
    let cumulative = 0;
    ascending.forEach((i, at) => {
      cumulative += probs[i];
      if (cumulative <= 1 - opts.topP! && at < ascending.length - 1) probs[i] = 0;
    });
  }
  const target = u * probs.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (probs[i] > 0) last = i;
    cumulative += probs[i];
    if (target < cumulative) return i;
  }
  return last;
}

export function generate(prompt: number[], n: number, w: GptWeights, opts: SampleOptions, u: Vector): number[] {
  const step = decoder(w);
  let logits: Float64Array = new Float64Array(0);
  for (const token of prompt) logits = step(token);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const token = nextToken(Array.from(logits), opts, u[i]);
    out.push(token);
    if (i < n - 1) logits = step(token);
  }
  return out;
}
