/**
 * attention/kv-cache — model solution.
 * Append the new token's key and value to a NEW cache (the caller's cache is
 * left as it was), then attend with the new query over every cached key, the
 * new one included: with t earlier tokens this is row t of causal attention.
 */
export function decodeStep(
  cache: { k: Matrix; v: Matrix },
  q: Vector,
  k: Vector,
  v: Vector,
): { out: Vector; cache: { k: Matrix; v: Matrix } } {
  const next = { k: [...cache.k, k], v: [...cache.v, v] };
  const d = q.length;
  const scale = 1 / Math.sqrt(d);
  const scores = next.k.map((kj) => {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += q[c] * kj[c];
    return dot * scale;
  });
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const out = new Array<number>(v.length).fill(0);
  exps.forEach((e, j) => {
    for (let c = 0; c < v.length; c++) out[c] += (e / sum) * next.v[j][c];
  });
  return { out, cache: next };
}
