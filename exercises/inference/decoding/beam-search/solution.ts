/**
 * decoding/beam-search — model solution: Hugging Face's beam search with
 * early_stopping = "never" over a bigram model. Live beams are ranked by
 * Σ log p; a finished hypothesis is scored Σ log p / len^lengthPenalty.
 */
export function beamSearch(logProbs: Matrix, start: number, eos: number, beams: number, maxLen: number, lengthPenalty: number): { tokens: number[]; score: number } {
  let live = [{ tokens: [] as number[], last: start, sum: 0 }];
  const finished: { tokens: number[]; score: number }[] = [];
  for (let len = 1; len <= maxLen && live.length > 0; len++) {
    const candidates: { tokens: number[]; token: number; sum: number }[] = [];
    for (const beam of live) {
      logProbs[beam.last].forEach((lp, token) => candidates.push({ tokens: [...beam.tokens, token], token, sum: beam.sum + lp }));
    }
    // A stable sort keeps equal sums in beam order, then token order.
    candidates.sort((a, b) => b.sum - a.sum);
    const next: typeof live = [];
    for (let rank = 0; rank < 2 * beams && rank < candidates.length && next.length < beams; rank++) {
      const c = candidates[rank];
      if (c.token !== eos) next.push({ tokens: c.tokens, last: c.token, sum: c.sum });
      else if (rank < beams) finished.push({ tokens: c.tokens, score: c.sum / len ** lengthPenalty });
    }
    live = next;
  }
  for (const beam of live) finished.push({ tokens: beam.tokens, score: beam.sum / beam.tokens.length ** lengthPenalty });
  return finished.reduce((best, h) => (h.score > best.score ? h : best));
}
