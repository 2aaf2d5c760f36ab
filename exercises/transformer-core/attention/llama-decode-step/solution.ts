/**
 * attention/llama-decode-step — model solution.
 * Self-contained, so that it passes on its own; a learner's file may instead
 * import their matmul, applyRopeHalf and groupedQueryAttention (the starter
 * does). Project, split into heads, rotate q and the new k at position t (the
 * cache length), append, attend per query head over its KV head, merge, Wo.
 */
export interface KVCache {
  k: Matrix[];
  v: Matrix[];
}

export interface LlamaAttention {
  wq: Matrix;
  wk: Matrix;
  wv: Matrix;
  wo: Matrix;
  heads: number;
  kvHeads: number;
  base: number;
}

export function llamaDecodeStep(x: Vector, cache: KVCache, params: LlamaAttention): { out: Vector; cache: KVCache } {
  const { wq, wk, wv, wo, heads, kvHeads, base } = params;
  const position = cache.k[0].length;
  const q = splitHeads(times(x, wq), heads).map((h) => rotate(h, position, base));
  const k = splitHeads(times(x, wk), kvHeads).map((h) => rotate(h, position, base));
  const v = splitHeads(times(x, wv), kvHeads);
  const next: KVCache = {
    k: cache.k.map((rows, g) => [...rows, k[g]]),
    v: cache.v.map((rows, g) => [...rows, v[g]]),
  };
  const group = heads / kvHeads; // query heads per KV head
  const merged = q.flatMap((qh, h) => attendAll(qh, next.k[Math.floor(h / group)], next.v[Math.floor(h / group)]));
  return { out: times(merged, wo), cache: next };
}

/** x·W for one row vector: [in] · [in, out] → [out]. */
function times(x: Vector, w: Matrix): Vector {
  const out = new Array<number>(w[0].length).fill(0);
  x.forEach((xi, i) => w[i].forEach((wij, j) => (out[j] += xi * wij)));
  return out;
}

/** [n·width] → n heads of `width`. */
function splitHeads(vector: Vector, n: number): Matrix {
  const width = vector.length / n;
  return Array.from({ length: n }, (_, h) => vector.slice(h * width, (h + 1) * width));
}

/** RoPE on one head at `position`, half-split pairs (i, i + width/2). */
function rotate(head: Vector, position: number, base: number): Vector {
  const half = head.length / 2;
  const out = [...head];
  for (let i = 0; i < half; i++) {
    const angle = position * base ** ((-2 * i) / head.length);
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    out[i] = head[i] * c - head[i + half] * s;
    out[i + half] = head[i] * s + head[i + half] * c;
  }
  return out;
}

/** One query over every key it is given: softmax(q·Kᵀ/√d_head)·V, stable. */
function attendAll(q: Vector, keys: Matrix, values: Matrix): Vector {
  const scale = 1 / Math.sqrt(q.length);
  const scores = keys.map((kj) => kj.reduce((acc, e, c) => acc + e * q[c], 0) * scale);
  const max = Math.max(...scores);
  const weights = scores.map((s) => Math.exp(s - max));
  const total = weights.reduce((a, b) => a + b, 0);
  return values[0].map((_, c) => weights.reduce((acc, w, j) => acc + (w / total) * values[j][c], 0));
}
