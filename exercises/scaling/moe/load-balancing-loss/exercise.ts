import { anyOf, defineExercise, randomMatrix, randomVector, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';
import { balanceSteps, routeSteps } from '../moe-math.js';

type Args = [routerLogits: number[][], k: number];

/** The router lesson's batch: 4 tokens, 4 experts, every row a permutation of [2, 1, 0, −1]; expert 1 is everybody's choice. */
export const lessonLogits = [
  [2, 1, 0, -1],
  [-1, 2, 1, 0],
  [1, 2, -1, 0],
  [0, 1, -1, 2],
];

/** Every cyclic rotation of `row` as one token each: each expert is each slot's choice of exactly one token, and P is uniform. */
export const rotations = (row: readonly number[]): number[][] => row.map((_, s) => row.map((__, e) => row[(e - s + row.length) % row.length]));

/** P computed from the top-k probabilities only (the others 0), raw or renormalised over the k. */
function selectedOnly(logits: number[][], k: number) {
  const { steps } = balanceSteps(logits, k);
  const T = logits.length;
  const E = logits[0].length;
  const lossWith = (weights: number[][]) => {
    const P = Array.from({ length: E }, (_, e) => steps.experts.reduce((acc, chosen, t) => acc + (chosen.includes(e) ? weights[t][chosen.indexOf(e)] : 0), 0) / T);
    return E * steps.fractions.reduce((acc, f) => acc + f.reduce((s, x, e) => s + x * P[e], 0), 0);
  };
  return anyOf(lossWith(routeSteps(logits, k, false).output.weights), lossWith(routeSteps(logits, k, true).output.weights));
}

const randomBatch = (rng: Rng, T: number, E: number) => randomMatrix(rng, T, E, 1.5);

export default defineExercise<Args, number>({
  entry: 'loadBalancingLoss',
  signature: 'loadBalancingLoss(routerLogits: Matrix, k: number): number',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: the router lesson\'s 4 tokens, 4 experts, k = 2', args: [lessonLogits, 2] },
    { name: 'balanced routing: the 4 rotations of [2, 1, 0, −1], k = 2 — exactly k = 2', args: [rotations([2, 1, 0, -1]), 2] },
    { name: 'collapsed routing: every token [2, 1, 0, −1], k = 2 — 4·(0.643914 + 0.236883) = 3.523188', args: [lessonLogits.map(() => [2, 1, 0, -1]), 2] },
    { name: 'nearly all probability on expert 0: every token [10, 0, 0, 0], k = 2 — close to E = 4', args: [[0, 1, 2].map(() => [10, 0, 0, 0]), 2] },
    { name: 'k = 1 (Switch Transformer\'s loss): 8 random tokens, 4 experts', args: [randomBatch(rng, 8, 4), 1] },
    { name: 'random: 6 tokens, 8 experts, k = 2 (Mixtral\'s shape)', args: [randomBatch(rng, 6, 8), 2] },
    { name: 'random: 5 tokens, 6 experts, k = 3', args: [randomBatch(rng, 5, 6), 3] },
    { name: 'a tie decides: token 0 is [1, 1, 0, 0], token 1 [2, 0, 0, 0], k = 1 — both go to expert 0', args: [[[1, 1, 0, 0], [2, 0, 0, 0]], 1] },
  ],
  reference: (_ctx, routerLogits, k) => balanceSteps(routerLogits, k).loss,
  trace: (_ctx, routerLogits, k) => balanceSteps(routerLogits, k).steps,
  properties: [
    {
      name: 'a batch of every rotation of one token\'s logits gives exactly k',
      cases: (rng) =>
        [
          [5, 2],
          [6, 3],
        ].map(([E, k]) => {
          // Distinct logits, so that no tie decides the choices.
          const row = randomVector(rng, E, 1.5).map((z, e) => z + e * 1e-3);
          return { name: `the ${E} rotations of ${E} random logits, k = ${k}`, calls: [[rotations(row), k]] as Args[] };
        }),
      holds: ([loss], [[logits, k]]) => {
        if (typeof loss !== 'number') return `loadBalancingLoss must return a number; it returned ${JSON.stringify(loss)?.slice(0, 80)}.`;
        if (close(k, loss)) return undefined;
        return `Each of the ${logits.length} experts is each slot's choice of exactly one of these ${logits.length} tokens, so every f[slot][e] is 1/${logits.length}, and every P_e is 1/${logits.length} too: the loss must be E · k · E · (1/E)·(1/E) = k = ${k}. Yours is ${show(loss)}.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'selected-probabilities-only',
      title: { en: 'P from the probabilities of the selected experts only', 'zh-CN': 'P 只取了被选中专家的概率' },
      message: {
        en:
          'Your P_e adds up only the probabilities of the experts a token chose (0 for the others). P_e is the mean over tokens of the FULL softmax probability of e, whether or not e was chosen: in the lesson P = [0.25, 0.440399, 0.097036, 0.212565] and the loss 2.571196, not 2.422192.',
        'zh-CN':
          '你的 P_e 只累加了 token 选中的专家的概率（其余记 0）。P_e 是 e 的「完整」softmax 概率在所有 token 上的均值，' +
          '无论 e 是否被选中：课程示例中 P = [0.25, 0.440399, 0.097036, 0.212565]，损失为 2.571196，' +
          '而不是 2.422192。',
      },
      hint: {
        en:
          'In the lesson, what is P for expert 2? Only token 1 chose it, yet every token gives it some probability.',
        'zh-CN':
          '在课程示例中，专家 2 的 P 是多少？只有 token 1 选中了它，但每个 token 都分给它一些概率。',
      },
      wrong: (_ctx, routerLogits, k) => selectedOnly(routerLogits, k),
    },
    {
      id: 'one-distribution',
      title: { en: 'f counted over all T·k choices as one distribution', 'zh-CN': '把全部 T·k 个选择当作一个分布来统计 f' },
      message: {
        en:
          'You count every one of the T·k choices into a single f_e = count/(T·k), so f sums to 1 over all slots together and the loss comes out k times too small: 1 for perfectly balanced routing instead of k, and 1.285598 in the lesson instead of 2.571196. Hugging Face keeps one f per slot (tokens_per_expert is [k, E], each row a fraction of the T tokens).',
        'zh-CN':
          '你把 T·k 个选择全部计入同一个 f_e = count/(T·k)，于是 f 在所有 slot 合起来求和为 1，损失小了 k 倍：完全均衡的路由得到 1 而不是 k，' +
          '课程示例得到 1.285598 而不是 2.571196。Hugging Face 为每个 slot 保留一个 f（tokens_per_expert 形状为 [k, E]，' +
          '每一行都是 T 个 token 中的比例）。',
      },
      hint: {
        en:
          'With the balanced case (every rotation of [2, 1, 0, −1], k = 2), what does your function return? The loss of balanced routing is k.',
        'zh-CN':
          '在均衡的情形下（[2, 1, 0, −1] 的全部循环移位，k = 2），你的函数返回多少？均衡路由的损失是 k。',
      },
      wrong: (_ctx, routerLogits, k) => balanceSteps(routerLogits, k).loss / k,
    },
    {
      id: 'ties-to-higher-index',
      title: { en: 'ties broken toward the higher expert index', 'zh-CN': '概率相等时选了下标较大的专家' },
      message: {
        en:
          'Where two experts have the same probability you choose the higher index; the rule (as in the router) is the lower index first. Token [1, 1, 0, 0] with k = 1 goes to expert 0, so in the tie case both tokens go to expert 0 and the loss is 4·P_0.',
        'zh-CN':
          '两个专家概率相同时，你选了下标较大的那个；规则（和路由器中一样）是下标小的优先。token [1, 1, 0, 0] 在 k = 1 时去专家 0，' +
          '所以在概率相等的用例中，两个 token 都去专家 0，损失为 4·P_0。',
      },
      hint: { en: 'Which expert does [1, 1, 0, 0] choose with k = 1 in your code, 0 or 1?', 'zh-CN': '在你的代码中，k = 1 时 [1, 1, 0, 0] 选择哪个专家，0 还是 1？' },
      wrong: (_ctx, routerLogits, k) => balanceSteps(routerLogits, k, false).loss,
    },
  ],
  hints: [
    {
      en:
        'Route first, as in moe/top-k-router: the full softmax of each token and its k chosen experts. Then two tables: f[slot][e], the fraction of tokens whose slot-th choice is e, and P[e], the mean probability of e over the tokens.',
      'zh-CN':
        '先按 moe/top-k-router 的方式路由：每个 token 的完整 softmax 及其选中的 k 个专家。然后建两张表：f[slot][e]，' +
        '即第 slot 个选择为 e 的 token 比例；P[e]，即 e 在所有 token 上的平均概率。',
    },
    {
      en:
        'The loss is E · Σ over slots and experts of f[slot][e]·P[e]. Each row f[slot] sums to 1 over the experts, so a balanced batch gives E · k · E · (1/E)·(1/E) = k.',
      'zh-CN':
        '损失为 E · Σ（对所有 slot 和专家）f[slot][e]·P[e]。每一行 f[slot] 对所有专家求和为 1，所以均衡的批次给出 E · k · E · (1/E)·(1/E) = k。',
    },
    {
      en:
        'The key idea: f counts the hard choices (no gradient flows through it), P the soft probabilities (the gradient flows through them); the product is smallest when both are spread evenly.',
      'zh-CN':
        '关键：f 统计的是硬选择（梯度不经过它），P 是软概率（梯度经过它）；二者都均匀分布时乘积最小。',
    },
  ],
});
