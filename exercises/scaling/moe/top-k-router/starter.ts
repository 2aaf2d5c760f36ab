/**
 * moe/top-k-router — the router of a mixture of experts, as Mixtral's.
 *
 *   probs      = softmax(logits[t]) over ALL E experts        (stably)
 *   experts[t] = the k most probable experts, most probable first
 *                (equal probabilities: the lower index first)
 *   weights[t] = their probabilities, divided by their sum when normalize
 *
 * logits is [T, E]; return experts and weights, both [T, k].
 * Run `llm-tutor lesson moe/top-k-router` for the lesson, `llm-tutor hint` for a hint.
 */
export function topKRouter(logits: Matrix, k: number, normalize: boolean): { experts: number[][]; weights: number[][] } {
  throw new Error('not implemented');
}
