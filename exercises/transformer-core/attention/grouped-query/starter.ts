/**
 * attention/grouped-query — several query heads share each key/value head.
 *
 *   out[h] = causalAttention(q[h], k[g], v[g]),   g = ⌊h / (H / H_kv)⌋
 *
 *   q: H heads, each [n, d]        (H = q.length)
 *   k: H_kv heads, each [m, d]     (H_kv = k.length; H is a multiple of H_kv)
 *   v: H_kv heads, each [m, dv]
 *   returns H heads, each [n, dv]
 *
 * Conventions:
 * - Consecutive query heads share a KV head: with H = 6 and H_kv = 2, query
 *   heads 0, 1, 2 read KV head 0 and heads 3, 4, 5 read KV head 1.
 * - Every head is causal, aligned bottom-right: usually n = m = T and query i
 *   sees keys j <= i; with a cache (n < m) query i is at position m − n + i and
 *   sees keys j <= m − n + i.
 * - The scale is 1/√d with d = the width of one head; the softmax must be stable.
 * Run `llm-tutor lesson attention/grouped-query` for the lesson, `llm-tutor hint` for a hint.
 * You may import your own earlier solutions, e.g. `import { causalAttention } from './causal-mask.js'`.
 */
export function groupedQueryAttention(q: Matrix[], k: Matrix[], v: Matrix[]): Matrix[] {
  throw new Error('not implemented');
}
