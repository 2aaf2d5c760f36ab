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
      title: { en: 'positions counted from 1 (wpe[t + 1])', 'zh-CN': '位置从 1 开始计数（wpe[t + 1]）' },
      message: {
        en:
          'Your row t adds wpe[t + 1]: positions are counted from 1. GPT-2 counts them from 0 (position_ids = arange(0, T)), so the first token gets wpe[0]. ' +
          'In the lesson example row 0 should be [0.1, 2, 0] and yours is [0, 2.1, 0].',
        'zh-CN':
          '你的第 t 行加的是 wpe[t + 1]：位置从 1 开始计数了。GPT-2 从 0 开始计数（position_ids = arange(0, T)），所以第一个 token 得到 wpe[0]。' +
          '在课程的例子中，第 0 行应为 [0.1, 2, 0]，而你的是 [0, 2.1, 0]。',
      },
      hint: {
        en: 'Which row of wpe does the first token get? Write out row 0 of the lesson example by hand.',
        'zh-CN': '第一个 token 得到的是 wpe 的哪一行？手算写出课程例子中的第 0 行。',
      },
      wrong: (_ctx, tokens, wte, wpe) => embed64(tokens, wte, wpe, (t) => t + 1),
    },
    {
      id: 'position-missing',
      title: { en: 'the position embedding left out', 'zh-CN': '漏了位置嵌入' },
      message: {
        en:
          'Your rows are wte[tokens[t]] alone. GPT-2 adds the position embedding: row t = wte[tokens[t]] + wpe[t], or the model cannot tell the order of its tokens. ' +
          'In the lesson example token 3 comes twice: its rows should be [0.1, 2, 0] and [0, 2, 0.1], and yours are both [0, 2, 0].',
        'zh-CN':
          '你的每一行只有 wte[tokens[t]]。GPT-2 还要加上位置嵌入：第 t 行 = wte[tokens[t]] + wpe[t]，否则模型无法分辨 token 的顺序。' +
          '在课程的例子中 token 3 出现了两次：它的两行应为 [0.1, 2, 0] 和 [0, 2, 0.1]，而你的都是 [0, 2, 0]。',
      },
      hint: {
        en: 'In the lesson example token 3 comes at positions 0 and 2. Should those two rows be equal?',
        'zh-CN': '在课程的例子中，token 3 出现在位置 0 和位置 2。这两行应该相等吗？',
      },
      wrong: (_ctx, tokens, wte) => tokens.map((id) => [...wte[id]]),
    },
    {
      id: 'wpe-by-token',
      title: { en: 'wpe indexed by the token id (wpe[tokens[t]])', 'zh-CN': '用 token id 去索引 wpe（wpe[tokens[t]]）' },
      message: {
        en:
          'Your row t adds wpe[tokens[t]]: the position table looked up by the token. wpe is indexed by the position t, wte by the token id. ' +
          'In the lesson example row 1 (token 1, position 1) should be [1, 0.1, −1] and it happens to agree, but row 0 should be [0.1, 2, 0] and yours is [0.2, 2.2, 0.2].',
        'zh-CN':
          '你的第 t 行加的是 wpe[tokens[t]]：用 token 去查位置表了。wpe 按位置 t 索引，wte 才按 token id 索引。' +
          '在课程的例子中，第 1 行（token 1，位置 1）应为 [1, 0.1, −1]，恰好一致；但第 0 行应为 [0.1, 2, 0]，而你的是 [0.2, 2.2, 0.2]。',
      },
      hint: {
        en: 'Two tables, two indices: which one is looked up by the token id, and which one by where the token sits?',
        'zh-CN': '两张表，两种索引：哪一张按 token id 查，哪一张按 token 所在的位置查？',
      },
      wrong: (_ctx, tokens, wte, wpe) => embed64(tokens, wte, wpe, (t) => tokens[t]),
    },
  ],
  hints: [
    {
      en: 'Two lookups and a sum for every position t: a row of wte and a row of wpe.',
      'zh-CN': '对每个位置 t：两次查表再求和，一次查 wte 的一行，一次查 wpe 的一行。',
    },
    {
      en: 'wte is looked up by the token id, tokens[t]; wpe by the position t itself, counted from 0.',
      'zh-CN': 'wte 按 token id，即 tokens[t] 查；wpe 按位置 t 本身查，从 0 开始计数。',
    },
    {
      en: 'Row t is wte[tokens[t]][c] + wpe[t][c] for every column c; the output has one row per token and C columns.',
      'zh-CN': '对每一列 c，第 t 行为 wte[tokens[t]][c] + wpe[t][c]；输出每个 token 一行，共 C 列。',
    },
  ],
});
