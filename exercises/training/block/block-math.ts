import { matmul, randomMatrix, randomVector, type Rng, type Tf } from 'llm-tutor/pack';

// Plain float64 pieces of a GPT-2 block, shared by the block track's wrong
// variants (written the way a learner would), and the tfjs steps its
// references are built from. Weights are [in, out]: a linear layer is x·W + b.

/** The parameters of the GPT-2 MLP: c_fc [C, 4C] and its bias, c_proj [4C, C] and its bias. */
export interface MlpParams {
  w1: number[][];
  b1: number[];
  w2: number[][];
  b2: number[];
}

/** The parameters of one GPT-2 block, as exercises/training/README.md fixes them. */
export interface BlockParams {
  ln_1: { gamma: number[]; beta: number[] };
  attn: { wq: number[][]; bq: number[]; wk: number[][]; bk: number[]; wv: number[][]; bv: number[]; wo: number[][]; bo: number[] };
  ln_2: { gamma: number[]; beta: number[] };
  mlp: MlpParams;
}

/** GPT-2's LayerNorm ε. */
export const lnEps = 1e-5;

/** x·W + b, row by row. */
export function linear(x: number[][], w: number[][], b: number[]): number[][] {
  return matmul(x, w).map((row) => row.map((v, j) => v + b[j]));
}

/** a + b, entry by entry. */
export function add(a: number[][], b: number[][]): number[][] {
  return a.map((row, i) => row.map((v, j) => v + b[i][j]));
}

/** GELU, tanh approximation (GPT-2's gelu_new). */
export const geluTanh = (v: number): number => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

/** erf by its Maclaurin series for |x| < 3 and the continued fraction of erfc beyond: within 1e-12 of erf. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  if (a < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = e^(−a²)/√π / (a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated from the tail.
  let fraction = a;
  for (let n = 60; n >= 1; n--) fraction = a + n / 2 / fraction;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / fraction);
}

/** GELU, exact: x·Φ(x) (PyTorch's default approximate='none'). */
export const geluErf = (v: number): number => 0.5 * v * (1 + erf(v / Math.SQRT2));

/** LayerNorm of each row: (x − mean)/√(var + ε)·γ + β, biased variance. */
export function layerNorm64(x: number[][], p: { gamma: number[]; beta: number[] }, eps = lnEps): number[][] {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, j) => ((v - mean) / Math.sqrt(variance + eps)) * p.gamma[j] + p.beta[j]);
  });
}

/** How a learner's MLP may differ from GPT-2's; the empty object is the right MLP. */
export interface MlpVariant {
  activation?: (v: number) => number;
  /** b1 added after the activation, gelu(x·w1) + b1 (right: before). */
  biasAfterActivation?: boolean;
}

/** The GPT-2 MLP in float64: activation(x·w1 + b1)·w2 + b2, or a variant of it. */
export function mlp64(x: number[][], p: MlpParams, variant: MlpVariant = {}): number[][] {
  const act = variant.activation ?? geluTanh;
  const hidden = variant.biasAfterActivation
    ? matmul(x, p.w1).map((row) => row.map((v, j) => act(v) + p.b1[j]))
    : linear(x, p.w1, p.b1).map((row) => row.map(act));
  return linear(hidden, p.w2, p.b2);
}

/** Causal multi-head self-attention with biases in float64: contiguous heads, scale 1/√d_head. */
export function attention64(x: number[][], a: BlockParams['attn'], numHeads: number): number[][] {
  const [q, k, v] = [linear(x, a.wq, a.bq), linear(x, a.wk, a.bk), linear(x, a.wv, a.bv)];
  const D = q[0].length / numHeads;
  const merged = q.map((qi, i) =>
    Array.from({ length: numHeads }, (_, h) => {
      const cols = (row: number[]) => row.slice(h * D, (h + 1) * D);
      const scores = k.slice(0, i + 1).map((kj) => cols(kj).reduce((s, e, c) => s + e * cols(qi)[c], 0) / Math.sqrt(D));
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const total = exps.reduce((s, e) => s + e, 0);
      return Array.from({ length: D }, (_, c) => exps.reduce((s, e, j) => s + (e / total) * cols(v[j])[c], 0));
    }).flat(),
  );
  return linear(merged, a.wo, a.bo);
}

/** How a learner's block may differ from GPT-2's; 'pre' is the right one. */
export type BlockOrder =
  | 'pre' // a = x + attn(ln_1(x)); y = a + mlp(ln_2(a))
  | 'post' // a = ln_1(x + attn(x)); y = ln_2(a + mlp(a)), the 2017 paper's order
  | 'normed-stream' // the residual stream itself replaced by its LayerNorm before each sublayer
  | 'parallel' // y = x + attn(ln_1(x)) + mlp(ln_2(x)), GPT-J's order
  | 'no-attn-residual' // a = attn(ln_1(x))
  | 'no-mlp-residual'; // y = mlp(ln_2(a))

/** One GPT-2 block in float64, in the given order. */
export function block64(x: number[][], p: BlockParams, numHeads: number, order: BlockOrder = 'pre'): number[][] {
  const attn = (h: number[][]) => attention64(h, p.attn, numHeads);
  const mlp = (h: number[][]) => mlp64(h, p.mlp);
  const [ln1, ln2] = [(h: number[][]) => layerNorm64(h, p.ln_1), (h: number[][]) => layerNorm64(h, p.ln_2)];
  switch (order) {
    case 'post': {
      const a = ln1(add(x, attn(x)));
      return ln2(add(a, mlp(a)));
    }
    case 'normed-stream': {
      const h = ln1(x);
      const a = add(h, attn(h));
      const g = ln2(a);
      return add(g, mlp(g));
    }
    case 'parallel':
      return add(add(x, attn(ln1(x))), mlp(ln2(x)));
    default: {
      const a = order === 'no-attn-residual' ? attn(ln1(x)) : add(x, attn(ln1(x)));
      return order === 'no-mlp-residual' ? mlp(ln2(a)) : add(a, mlp(ln2(a)));
    }
  }
}

type Tensor2D = ReturnType<Tf['tensor2d']>;

/** x·W + b in tfjs. */
export const linearTf = (tf: Tf, x: Tensor2D, w: number[][], b: number[]): Tensor2D => tf.add(tf.matMul(x, tf.tensor2d(w)), tf.tensor1d(b));

/** The GPT-2 MLP in tfjs, step by step: the hidden pre-activation z = x·w1 + b1, gelu_tanh(z), and the output. */
export function mlpSteps(tf: Tf, x: Tensor2D, p: MlpParams) {
  const z = linearTf(tf, x, p.w1, p.b1);
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3))));
  const activated = tf.mul(tf.mul(0.5, z), tf.add(1, tf.tanh(inner))) as Tensor2D;
  return { steps: { 'x·w1 + b1': z, gelu_tanh: activated }, output: linearTf(tf, activated, p.w2, p.b2) };
}

/** Random MLP parameters for width C, hidden 4C, with entries of x·W near unit size. */
export function randomMlp(rng: Rng, C: number, hidden = 4 * C): MlpParams {
  return {
    w1: randomMatrix(rng, C, hidden, 1 / Math.sqrt(C)),
    b1: randomVector(rng, hidden, 0.5),
    w2: randomMatrix(rng, hidden, C, 1 / Math.sqrt(hidden)),
    b2: randomVector(rng, C, 0.5),
  };
}

/** Random block parameters of width C, LayerNorm γ near 1 and β near 0. */
export function randomBlock(rng: Rng, C: number): BlockParams {
  const weight = () => randomMatrix(rng, C, C, 1 / Math.sqrt(C));
  const bias = () => randomVector(rng, C, 0.2);
  const ln = () => ({ gamma: randomVector(rng, C, 0.2).map((g) => 1 + g), beta: bias() });
  return {
    ln_1: ln(),
    attn: { wq: weight(), bq: bias(), wk: weight(), bk: bias(), wv: weight(), bv: bias(), wo: weight(), bo: bias() },
    ln_2: ln(),
    mlp: randomMlp(rng, C),
  };
}

