import { defineExercise, randomInts, randomMatrix, type ReferenceContext, type Rng } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';

type Args = [tokens: number[], wte: number[][], wpe: number[][]];

/** The lesson example: a vocabulary of 5, width C = 3, a context of 4 positions, tokens [3, 1, 3]. */
export const lessonEmbedding: Args = [
  [3, 1, 3],
  [
    [0.1, 0.2, 0.3],
    [1, 0, -1],
    [0.5, 0.5, 0.5],
    [0, 2, 0],
    [-1, 1, 0],
  ],
  [
    [0.1, 0, 0],
    [0, 0.1, 0],
    [0, 0, 0.1],
    [0.2, 0.2, 0.2],
  ],
];

/** Row t = wte[tokens[t]] + wpe[position(t)], in float64; a position past wpe's last row is not applicable. */
function embed64(tokens: number[], wte: number[][], wpe: number[][], position: (t: number) => number): number[][] {
  return tokens.map((id, t) => {
    const p = wpe[position(t)];
    if (!p) throw new Error(`not applicable: position ${position(t)} is past the context of ${wpe.length}`);
    return wte[id].map((v, c) => v + p[c]);
  });
}

/** Random tokens of a vocabulary V, and tables wte [V, C] and wpe [context, C]. */
function randomEmbedding(rng: Rng, T: number, V: number, C: number, context: number): Args {
  return [randomInts(rng, T, 0, V - 1), randomMatrix(rng, V, C), randomMatrix(rng, context, C)];
}

/** The calls of the prefix property: T random tokens, then their first k. */
function prefixCalls(rng: Rng, T: number, k: number): { name: string; calls: Args[] } {
  const [tokens, wte, wpe] = randomEmbedding(rng, T, 8, 4, 8);
  return { name: `T = ${T}, k = ${k}`, calls: [[tokens, wte, wpe], [tokens.slice(0, k), wte, wpe]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'embed',
  signature: 'embed(tokens: number[], wte: Matrix, wpe: Matrix): Matrix',
  cases: (rng) => [
    { name: 'the lesson example (tokens [3, 1, 3], C = 3)', args: lessonEmbedding },
    { name: 'random, T = 5 of a context of 8, vocabulary 10, C = 4', args: randomEmbedding(rng, 5, 10, 4, 8) },
    { name: 'random, T = 7 of a context of 12, vocabulary 20, C = 6', args: randomEmbedding(rng, 7, 20, 6, 12) },
    { name: 'one token (T = 1)', args: randomEmbedding(rng, 1, 6, 4, 4) },
    { name: 'one token id repeated at every position (rows differ by wpe alone)', args: [[2, 2, 2, 2], ...randomEmbedding(rng, 0, 5, 3, 6).slice(1)] as Args },
    { name: 'T = the context length (every row of wpe used)', args: randomEmbedding(rng, 6, 9, 4, 6) },
  ],
  reference: ({ tf }: ReferenceContext, tokens, wte, wpe) =>
    tf.add(tf.gather(tf.tensor2d(wte), tf.tensor1d(tokens, 'int32')), tf.slice(tf.tensor2d(wpe), [0, 0], [tokens.length, wpe[0].length])),
  properties: [
    {
      name: 'the first k tokens embed to the first k rows',
      cases: (rng) => [prefixCalls(rng, 6, 3), prefixCalls(rng, 4, 1)],
      holds: matricesAgree<Args>(
        'embed',
        ([whole, prefix], calls) => [whole.slice(0, calls[1][0].length), prefix],
        (difference) =>
          `Embedding the first k tokens alone and embedding the whole sequence give different first k rows (the whole first): ${difference}. ` +
          'Row t is wte[tokens[t]] + wpe[t]: it depends on the token at t and on t, never on how many tokens follow.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'positions-from-1',
      title: 'positions counted from 1 (wpe[t + 1])',
      message:
        'Your row t adds wpe[t + 1]: positions are counted from 1. GPT-2 counts them from 0 (position_ids = arange(0, T)), so the first token gets wpe[0]. ' +
        'In the lesson example row 0 should be [0.1, 2, 0] and yours is [0, 2.1, 0].',
      hint: 'Which row of wpe does the first token get? Write out row 0 of the lesson example by hand.',
      wrong: (_ctx, tokens, wte, wpe) => embed64(tokens, wte, wpe, (t) => t + 1),
    },
    {
      id: 'position-missing',
      title: 'the position embedding left out',
      message:
        'Your rows are wte[tokens[t]] alone. GPT-2 adds the position embedding: row t = wte[tokens[t]] + wpe[t], or the model cannot tell the order of its tokens. ' +
        'In the lesson example token 3 comes twice: its rows should be [0.1, 2, 0] and [0, 2, 0.1], and yours are both [0, 2, 0].',
      hint: 'In the lesson example token 3 comes at positions 0 and 2. Should those two rows be equal?',
      wrong: (_ctx, tokens, wte) => tokens.map((id) => [...wte[id]]),
    },
    {
      id: 'wpe-by-token',
      title: 'wpe indexed by the token id (wpe[tokens[t]])',
      message:
        'Your row t adds wpe[tokens[t]]: the position table looked up by the token. wpe is indexed by the position t, wte by the token id. ' +
        'In the lesson example row 1 (token 1, position 1) should be [1, 0.1, −1] and it happens to agree, but row 0 should be [0.1, 2, 0] and yours is [0.2, 2.2, 0.2].',
      hint: 'Two tables, two indices: which one is looked up by the token id, and which one by where the token sits?',
      wrong: (_ctx, tokens, wte, wpe) => embed64(tokens, wte, wpe, (t) => tokens[t]),
    },
  ],
  hints: [
    'Two lookups and a sum for every position t: a row of wte and a row of wpe.',
    'wte is looked up by the token id, tokens[t]; wpe by the position t itself, counted from 0.',
    'Row t is wte[tokens[t]][c] + wpe[t][c] for every column c; the output has one row per token and C columns.',
  ],
});
