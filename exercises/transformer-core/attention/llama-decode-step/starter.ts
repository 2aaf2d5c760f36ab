/**
 * attention/llama-decode-step — one decode step of a LLaMA attention layer.
 * The milestone of the attention track: it joins four of your earlier files.
 *
 *   t = cache.k[0].length                the new token's position
 *   q = x·Wq, k = x·Wk, v = x·Wv          split into heads of width d_head
 *   q, k ← RoPE at position t             half-split pairs (i, i + d_head/2)
 *   cache ← cache + [k, v]                one row more per KV head
 *   head h = attention of q[h] over KV head g = ⌊h / (H / H_kv)⌋
 *   out = [head 0, …, head H−1]·Wo
 *
 *   x: [d]                 the token's hidden state (after the layer's norm)
 *   cache.k, cache.v:      H_kv matrices [t, d_head] (t may be 0); k is rotated
 *   params.wq: [d, H·d_head]    wk, wv: [d, H_kv·d_head]    wo: [H·d_head, d]
 *   returns { out: [d], cache: H_kv matrices [t + 1, d_head] each }
 *
 * Conventions:
 * - d_head = wq[0].length / heads. Weights are [in, out]: q = x·Wq.
 * - RoPE as in Hugging Face LLaMA: pair i is (i, i + d_head/2) of each head,
 *   θ_i = base^(−2i/d_head); q and k turn, v does not. The cache holds keys
 *   AFTER RoPE: rotate the new key once, leave the cached ones alone.
 * - Consecutive query heads share a KV head (repeat_kv). Scale 1/√d_head.
 * - Return a NEW cache; the one you are given must not change.
 * Your earlier files are imported below: use them, or write your own.
 * Run `llm-tutor lesson attention/llama-decode-step` for the lesson.
 */
import { matmul } from '../foundations/matmul.js';
import { applyRopeHalf } from '../positions/rope-half-split.js';
import { groupedQueryAttention } from './grouped-query.js';

/** One matrix [t, d_head] per KV head: the rotated keys and the values so far. */
export interface KVCache {
  k: Matrix[];
  v: Matrix[];
}

/** The weights of one attention layer, and its shape. */
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
  throw new Error('not implemented');
}
