/**
 * block/transformer-block — model solution.
 * Pre-norm, as GPT-2: a = x + attn(ln_1(x)), then y = a + mlp(ln_2(a)).
 * The attention projects with biases, runs causal attention in each
 * contiguous head of width C / numHeads with the scale 1/√d_head, merges the
 * heads and applies c_proj (·wo + bo); the MLP is gelu_tanh(h·w1 + b1)·w2 + b2.
 */
interface BlockParams {
  ln_1: { gamma: Vector; beta: Vector };
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: { gamma: Vector; beta: Vector };
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

export function transformerBlock(x: Matrix, p: BlockParams, numHeads: number): Matrix {
  const a = add(x, attention(layerNorm(x, p.ln_1), p.attn, numHeads));
  return add(a, mlp(layerNorm(a, p.ln_2), p.mlp));
}

/** Causal multi-head self-attention with biases, contiguous heads. */
function attention(h: Matrix, w: BlockParams['attn'], numHeads: number): Matrix {
  const q = linear(h, w.wq, w.bq);
  const k = linear(h, w.wk, w.bk);
  const v = linear(h, w.wv, w.bv);
  const C = q[0].length;
  const dHead = C / numHeads;
  const merged = h.map(() => new Array<number>(C).fill(0));
  for (let head = 0; head < numHeads; head++) {
    const first = head * dHead;
    for (let i = 0; i < h.length; i++) {
      // Token i sees tokens 0 … i.
      const scores = k.slice(0, i + 1).map((kj) => {
        let dot = 0;
        for (let c = first; c < first + dHead; c++) dot += q[i][c] * kj[c];
        return dot / Math.sqrt(dHead);
      });
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const sum = exps.reduce((s, e) => s + e, 0);
      exps.forEach((e, j) => {
        for (let c = first; c < first + dHead; c++) merged[i][c] += (e / sum) * v[j][c];
      });
    }
  }
  return linear(merged, w.wo, w.bo);
}

/** gelu_tanh(h·w1 + b1)·w2 + b2. */
function mlp(h: Matrix, p: BlockParams['mlp']): Matrix {
  const gelu = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
  return linear(linear(h, p.w1, p.b1).map((row) => row.map(gelu)), p.w2, p.b2);
}

/** LayerNorm of each row, biased variance, ε = 1e-5. */
function layerNorm(x: Matrix, p: { gamma: Vector; beta: Vector }): Matrix {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, c) => ((v - mean) / Math.sqrt(variance + 1e-5)) * p.gamma[c] + p.beta[c]);
  });
}

/** x·w + b for every row of x. */
function linear(x: Matrix, w: Matrix, b: Vector): Matrix {
  return x.map((row) => b.map((bias, j) => row.reduce((sum, v, i) => sum + v * w[i][j], bias)));
}

/** a + b, entry by entry. */
function add(a: Matrix, b: Matrix): Matrix {
  return a.map((row, i) => row.map((v, j) => v + b[i][j]));
}
