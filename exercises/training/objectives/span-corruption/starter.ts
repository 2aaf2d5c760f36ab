/**
 * objectives/span-corruption — T5's span-corruption inputs and targets.
 *
 *   tokens: token ids of a text
 *   spans: [start, length] pairs, sorted by start, non-overlapping, never adjacent
 *   firstSentinel: the id of <extra_id_0> (32099 in T5); <extra_id_i> is firstSentinel − i
 *
 * inputs: the tokens with span i replaced by the one sentinel firstSentinel − i.
 * targets: for each span, its sentinel then its tokens; then one final sentinel,
 * firstSentinel − (number of spans).
 * Run `llm-tutor lesson objectives/span-corruption` for the lesson, `llm-tutor hint` for a hint.
 */
export function spanCorrupt(
  tokens: number[],
  spans: [start: number, length: number][],
  firstSentinel: number,
): { inputs: number[]; targets: number[] } {
  throw new Error('not implemented');
}
