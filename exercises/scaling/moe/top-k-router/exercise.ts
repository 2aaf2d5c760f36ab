import { defineExercise, randomMatrix, type Rng } from 'llm-tutor/pack';
import { close, show, showList } from '../../../transformer-core/properties.js';
import { routeSteps, softmax, type Routing } from '../moe-math.js';

type Args = [logits: number[][], k: number, normalize: boolean];

/** The lesson's batch: 4 tokens, 4 experts, every row a permutation of [2, 1, 0, −1]. */
export const lessonLogits = [
  [2, 1, 0, -1],
  [-1, 2, 1, 0],
  [1, 2, -1, 0],
  [0, 1, -1, 2],
];

/** Top-k by logit, then a softmax over the k selected logits (Mistral's reference MoeLayer): the renormalised weights, whatever `normalize` says. */
function softmaxOfSelected(logits: number[][], k: number): Routing {
  const experts = logits.map((row) => row.map((_, e) => e).sort((a, b) => row[b] - row[a] || a - b).slice(0, k));
  return { experts, weights: experts.map((chosen, t) => softmax(chosen.map((e) => logits[t][e]))) };
}

const isRouting = (x: unknown): x is Routing => {
  const r = x as Routing;
  const rows = (m: unknown) => Array.isArray(m) && m.every((row) => Array.isArray(row) && row.every((v) => typeof v === 'number'));
  return typeof x === 'object' && x !== null && rows(r.experts) && rows(r.weights);
};

/** Where two routings differ (experts exactly, weights within the tolerance), in words; undefined when they agree. */
function routingDifference(a: Routing, b: Routing): string | undefined {
  for (let t = 0; t < a.experts.length; t++) {
    if (a.experts[t].join() !== b.experts[t]?.join()) return `token ${t} goes to experts ${showList(a.experts[t])} in the first and ${showList(b.experts[t] ?? [])} in the second`;
    const j = a.weights[t].findIndex((w, i) => !close(w, b.weights[t]?.[i]));
    if (j >= 0) return `token ${t}'s weight ${j} is ${show(a.weights[t][j])} in the first and ${show(b.weights[t]?.[j])} in the second`;
  }
  return a.experts.length === b.experts.length ? undefined : `${a.experts.length} tokens in the first and ${b.experts.length} in the second`;
}

const random = (rng: Rng, T: number, E: number, std = 1.5) => randomMatrix(rng, T, E, std);

export default defineExercise<Args, Routing>({
  entry: 'topKRouter',
  signature: 'topKRouter(logits: Matrix, k: number, normalize: boolean): { experts: number[][]; weights: number[][] }',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: 4 tokens, 4 experts, k = 2, renormalised (Mixtral)', args: [lessonLogits, 2, true] },
    { name: 'the lesson example with normalize = false: the raw probabilities (Qwen1.5-MoE)', args: [lessonLogits, 2, false] },
    { name: 'random: 5 tokens, 8 experts, k = 2, renormalised (Mixtral 8x7B\'s shape)', args: [random(rng, 5, 8), 2, true] },
    { name: 'random: 4 tokens, 8 experts, k = 2, normalize = false', args: [random(rng, 4, 8), 2, false] },
    { name: 'random: 3 tokens, 16 experts, k = 4, normalize = false (Qwen1.5-MoE routes to 4)', args: [random(rng, 3, 16), 4, false] },
    { name: 'k = 1 (Switch Transformer): renormalised, every weight is 1', args: [random(rng, 4, 4), 1, true] },
    { name: 'k = E = 3: every expert, weights the full softmax, by probability', args: [random(rng, 2, 3), 3, false] },
    { name: 'ties: every logit equal, k = 2 — experts 0 and 1, weights 0.5 and 0.5', args: [[[0, 0, 0, 0]], 2, true] },
    {
      name: 'ties for first place: [1, 3, 0, 3] goes to 1 then 3; [2, 2, 2, −1] to 0 then 1',
      args: [
        [
          [1, 3, 0, 3],
          [2, 2, 2, -1],
        ],
        2,
        false,
      ],
    },
    { name: 'a tie for the last place: [0.5, 2, 0.5, 1] with k = 3 takes expert 0, not 2', args: [[[0.5, 2, 0.5, 1]], 3, true] },
  ],
  reference: (_ctx, logits, k, normalize) => routeSteps(logits, k, normalize).output,
  trace: (_ctx, logits, k, normalize) => routeSteps(logits, k, normalize).steps,
  properties: [
    {
      name: 'adding the same number to every logit of a token changes nothing (±1000 too)',
      cases: (rng) =>
        [1000, -1000].map((shift) => {
          const logits = random(rng, 3, 6);
          return { name: `3 tokens, 6 experts, k = 2, every logit ${shift > 0 ? '+' : ''}${shift}`, calls: [[logits, 2, true], [logits.map((row) => row.map((z) => z + shift)), 2, true]] as Args[] };
        }),
      holds: ([before, after], [, [shifted]]) => {
        for (const out of [before, after]) if (!isRouting(out)) return `topKRouter must return { experts, weights }, two lists of lists of numbers; it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
        const difference = routingDifference(before, after);
        if (difference === undefined) return undefined;
        return `Shifting every logit by the same amount (up to ${show(Math.max(...shifted.flat()))}) changed your routing: ${difference}. Softmax depends only on the differences between logits; subtract each row's largest logit before exponentiating, or exp overflows to Infinity (or underflows to 0) and the weights turn into NaN.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'softmax-of-selected',
      title: { en: 'softmax over the k selected logits, even when normalize is false', 'zh-CN': '即使 normalize 为 false，也在选中的 k 个 logits 上做 softmax' },
      message: {
        en:
          'Your weights come from a softmax over the k selected logits only, which sums to 1 over the k: that is what normalize = true gives. With normalize = false the weights are the probabilities from the softmax over ALL the experts: token 0 of the lesson gets 0.643914 and 0.236883, not 0.731059 and 0.268941.',
        'zh-CN':
          '你的权重来自只在选中的 k 个 logits 上做的 softmax，在这 k 个上和为 1：这是 normalize = true 时的结果。' +
          'normalize = false 时，权重是在「全部」专家上做 softmax 得到的概率：课程示例的 token 0 得到 0.643914 和 0.236883，' +
          '而不是 0.731059 和 0.268941。',
      },
      hint: {
        en:
          'In the lesson with normalize = false, do token 0\'s two weights add up to 1? They should add up to 0.880797, the part of the probability its two experts hold.',
        'zh-CN':
          '在课程示例中取 normalize = false，token 0 的两个权重之和是 1 吗？它们的和应该是 0.880797，即它的两个专家所占的那部分概率。',
      },
      wrong: (_ctx, logits, k) => softmaxOfSelected(logits, k),
    },
    {
      id: 'no-renormalisation',
      title: { en: 'weights not renormalised when normalize is true', 'zh-CN': 'normalize 为 true 时权重没有重新归一化' },
      message: {
        en:
          'Your weights are the raw softmax probabilities of the chosen experts even when normalize is true. Mixtral divides them by their sum, so that each token\'s k weights add up to 1: token 0 of the lesson gets 0.643914/0.880797 = 0.731059 and 0.268941, not 0.643914 and 0.236883.',
        'zh-CN':
          '即使 normalize 为 true，你的权重仍是选中专家的原始 softmax 概率。Mixtral 会把它们除以它们的和，让每个 token 的 k 个权重之和为 1：' +
          '课程示例的 token 0 得到 0.643914/0.880797 = 0.731059 和 0.268941，而不是 0.643914 和 0.236883。',
      },
      hint: {
        en:
          'With normalize = true, add up each token\'s weights. What should the sum be, and what do you divide by to get it?',
        'zh-CN':
          '取 normalize = true，把每个 token 的权重加起来。和应该是多少？要除以什么才能得到它？',
      },
      wrong: (_ctx, logits, k) => routeSteps(logits, k, false).output,
    },
    {
      id: 'ties-to-higher-index',
      title: { en: 'ties broken toward the higher expert index', 'zh-CN': '概率相等时选了下标较大的专家' },
      message: {
        en:
          'Where two experts have the same probability you pick the higher index first (a max loop with >=, or a sort that reverses equal items). The tutor, like tf.topk, takes the lower index first: all-equal logits with k = 2 go to experts 0 and 1, and [0.5, 2, 0.5, 1] with k = 3 to 1, 3, 0.',
        'zh-CN':
          '两个专家概率相同时，你先选了下标较大的那个（用 >= 的求最大值循环，或把相等元素顺序颠倒的排序）。导师和 tf.topk 一样，下标小的优先：' +
          '全部相等的 logits 在 k = 2 时选专家 0 和 1，[0.5, 2, 0.5, 1] 在 k = 3 时选 1、3、0。',
      },
      hint: { en: 'Try [0, 0, 0, 0] with k = 2: which two experts does your function pick, and in which order?', 'zh-CN': '试试 k = 2 时的 [0, 0, 0, 0]：你的函数选了哪两个专家？顺序如何？' },
      wrong: (_ctx, logits, k, normalize) => routeSteps(logits, k, normalize, false).output,
    },
  ],
  hints: [
    {
      en:
        'Start with one token: the softmax of its row over all E experts, then the k largest probabilities with their expert indices.',
      'zh-CN':
        '先从一个 token 开始：对它那一行在全部 E 个专家上做 softmax，再取最大的 k 个概率及其专家下标。',
    },
    {
      en:
        'Sort the expert indices by probability, largest first, breaking ties by the smaller index; keep the first k. With normalize, divide the k probabilities by their sum.',
      'zh-CN':
        '按概率从大到小对专家下标排序，相等时下标小的在前；保留前 k 个。normalize 为真时，把这 k 个概率除以它们的和。',
    },
    {
      en:
        'The key idea: the probabilities come from ALL the experts\' logits; choosing k of them only decides who computes. Renormalising is a separate, optional step.',
      'zh-CN':
        '关键：概率来自「全部」专家的 logits；选出其中 k 个只决定由谁来计算。重新归一化是另一个独立的、可选的步骤。',
    },
  ],
});
