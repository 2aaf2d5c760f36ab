/**
 * block/transformer-block — one GPT-2 block: the milestone of the block track.
 * It joins your layer-norm, your mlp and your transformer-core attention.
 *
 *   a = x + attn(ln_1(x))        causal multi-head attention with biases
 *   y = a + mlp(ln_2(a))         gelu_tanh(h·w1 + b1)·w2 + b2
 *
 *   attn(h): q = h·wq + bq, k = h·wk + bk, v = h·wv + bv      each [T, C]
 *            head j = columns j·dHead … (j+1)·dHead − 1, dHead = C / numHeads
 *            causal softmax(q_j·k_jᵀ / √dHead)·v_j per head, heads merged
 *            out = merged·wo + bo
 *
 *   x: [T, C]      numHeads: a divisor of C      returns [T, C]
 *   p: BlockParams (below), every weight [in, out]
 *
 * Conventions:
 * - Pre-norm, as GPT-2: LayerNorm (ε = 1e-5) only makes each sublayer's
 *   input; the residual sums start from x and from a.
 * - Your multiHeadAttention has no biases: the lesson shows which ones fold
 *   away and how to run your causalAttention per head for the rest.
 * Your earlier files are imported below: use them, or write your own.
 * Run `llm-tutor lesson block/transformer-block` for the lesson.
 */
import { layerNorm } from '../norms/layer-norm.js';
import { mlp } from './mlp.js';
import { multiHeadAttention } from '../../transformer-core/attention/multi-head.js';
import { causalAttention } from '../../transformer-core/attention/causal-mask.js';

/** The parameters of one GPT-2 block (h.0.ln_1, h.0.attn, h.0.ln_2, h.0.mlp). */
export interface BlockParams {
  ln_1: { gamma: Vector; beta: Vector };
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: { gamma: Vector; beta: Vector };
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

export function transformerBlock(x: Matrix, p: BlockParams, numHeads: number): Matrix {
  throw new Error('not implemented');
}
