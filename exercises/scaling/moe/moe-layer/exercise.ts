import { defineExercise, randomMatrix, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { matricesAgree } from '../../../transformer-core/properties.js';
import { expertOf, mixture, routeSteps, rowTimes, softmax, type MoeParams } from '../moe-math.js';

type Args = [x: number[][], p: MoeParams, k: number];

const I = [
  [1, 0],
  [0, 1],
];
/** The lesson example: T = 2 tokens of width C = 2, E = 3 experts of hidden width 2, k = 2. */
export const lessonMoe: Args = [
  [
    [1, -1],
    [2, 0.5],
  ],
  {
    router: [
      [1, 0, -1],
      [-1, 2, 0],
    ],
    experts: [
      { w1: I, w3: I, w2: I },
      {
        w1: [
          [0, 1],
          [1, 0],
        ],
        w3: [
          [1, 1],
          [0, 1],
        ],
        w2: [
          [1, 0],
          [0, -1],
        ],
      },
      {
        w1: [
          [1, 1],
          [0, 0],
        ],
        w3: [
          [0, 1],
          [1, 0],
        ],
        w2: [
          [0, 1],
          [1, 0],
        ],
      },
    ],
  },
  2,
];

/** Routing in float64 (so that the choice of experts never hangs on float32 rounding), then every expert on every token with tfjs, combined with each token's weights. */
function moeSteps(tf: Tf, x: number[][], p: MoeParams, k: number) {
  const logits = x.map((row) => rowTimes(row, p.router));
  const { experts, weights } = routeSteps(logits, k, true).steps;
  const xs = tf.tensor2d(x);
  const outputs = p.experts.map((e) => {
    const gate = tf.matMul(xs, tf.tensor2d(e.w1));
    const up = tf.matMul(xs, tf.tensor2d(e.w3));
    return tf.matMul(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), tf.tensor2d(e.w2));
  });
  // gates[t][e]: the token's weight for e when e is among its k experts, else 0.
  const gates = x.map((_, t) => p.experts.map((__, e) => (experts[t].includes(e) ? weights[t][experts[t].indexOf(e)] : 0)));
  const output = outputs.reduce((acc, y, e) => tf.add(acc, tf.mul(tf.tensor2d(gates.map((g) => [g[e]])), y)), tf.zeros([x.length, x[0].length]));
  const expertOutputs = x.map((row, t) => experts[t].map((e) => expertOf(row, p.experts[e])));
  return { steps: { logits, probabilities: logits.map(softmax), experts, weights, expertOutputs }, output };
}

/** Random router [C, E] and E SwiGLU experts of hidden width H, weights of standard deviation 0.5. */
function randomParams(rng: Rng, C: number, E: number, H: number): MoeParams {
  return {
    router: randomMatrix(rng, C, E),
    experts: Array.from({ length: E }, () => ({ w1: randomMatrix(rng, C, H, 0.5), w3: randomMatrix(rng, C, H, 0.5), w2: randomMatrix(rng, H, C, 0.5) })),
  };
}
const randomInput = (rng: Rng, T: number, C: number, E: number, H: number, k: number): Args => [randomMatrix(rng, T, C), randomParams(rng, C, E, H), k];

/** The calls of the row-independence property: x, then each of its rows alone. */
function rowCalls(rng: Rng, T: number, C: number, E: number, H: number, k: number): { name: string; calls: Args[] } {
  const [x, p] = randomInput(rng, T, C, E, H, k);
  return { name: `T = ${T}, C = ${C}, E = ${E}, k = ${k}`, calls: [[x, p, k], ...x.map((row): Args => [[row], p, k])] };
}

export default defineExercise<Args, number[][]>({
  entry: 'moeLayer',
  signature: 'moeLayer(x: Matrix, p: { router: Matrix; experts: { w1: Matrix; w3: Matrix; w2: Matrix }[] }, k: number): Matrix',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: 2 tokens, C = 2, 3 experts of hidden width 2, k = 2', args: lessonMoe },
    { name: 'random: 3 tokens, C = 4, 4 experts of hidden width 6, k = 2', args: randomInput(rng, 3, 4, 4, 6, 2) },
    { name: 'random: 4 tokens, C = 3, 8 experts, k = 2 (Mixtral\'s 8 and 2)', args: randomInput(rng, 4, 3, 8, 4, 2) },
    { name: 'k = 1 (Switch Transformer): 3 tokens, 4 experts — the renormalised weight is 1', args: randomInput(rng, 3, 4, 4, 4, 1) },
    { name: 'k = E = 3: every expert, weighted by the full softmax', args: randomInput(rng, 2, 3, 3, 4, 3) },
    { name: 'one token, C = 5, 6 experts, k = 3', args: randomInput(rng, 1, 5, 6, 3, 3) },
  ],
  reference: ({ tf }: ReferenceContext, x, p, k) => moeSteps(tf, x, p, k).output,
  trace: ({ tf }: ReferenceContext, x, p, k) => moeSteps(tf, x, p, k).steps,
  properties: [
    {
      name: 'each token is routed on its own: a row alone gives the same row',
      cases: (rng) => [rowCalls(rng, 3, 4, 4, 3, 2), rowCalls(rng, 4, 2, 6, 2, 2)],
      holds: matricesAgree<Args>(
        'moeLayer',
        ([whole, ...rows]) => [whole, rows.map((r) => r[0])],
        (difference) =>
          `moeLayer(x) and the rows of moeLayer([x[t]]), one token at a time, differ (the whole first): ${difference}. ` +
          'A token\'s experts and weights come from its own logits only, and its output from its own row: nothing in this layer looks at the other tokens (no capacity, no normalisation across the batch).',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'dense',
      title: { en: 'every expert run on every token, weighted by the full softmax', 'zh-CN': '每个 token 上运行了每个专家，并按完整 softmax 加权' },
      message: {
        en:
          'Your output is Σ over ALL experts of p_e · expert_e(x): a dense mixture, which costs E expert MLPs per token instead of k. A sparse MoE runs only the k most probable experts, with their probabilities renormalised over the k: token 0 of the lesson is 0.952574·expert0 + 0.047426·expert2 = [0.731059, 0.221516], not [0.713911, 0.217717].',
        'zh-CN':
          '你的输出是对「所有」专家求和 p_e · expert_e(x)：这是稠密混合，每个 token 要花 E 个专家 MLP 的计算，而不是 k 个。' +
          '稀疏 MoE 只运行概率最大的 k 个专家，它们的概率在这 k 个上重新归一化：课程示例的 token 0 为 0.952574·expert0 + 0.047426·expert2 = [0.731059, 0.221516]，' +
          '而不是 [0.713911, 0.217717]。',
      },
      hint: { en: 'In the lesson, how many experts should token 0 go through? Which ones, and with what weights?', 'zh-CN': '在课程示例中，token 0 应该经过几个专家？哪几个？权重各是多少？' },
      wrong: (_ctx, x, p) => x.map((row) => mixture(row, p, p.experts.map((_, e) => e), softmax(rowTimes(row, p.router)))),
    },
    {
      id: 'no-renormalisation',
      title: { en: 'the top-k weights not renormalised', 'zh-CN': 'top-k 权重没有重新归一化' },
      message: {
        en:
          'You weight the k chosen experts by their raw softmax probabilities, which add up to less than 1 (0.982853 for token 0 of the lesson), so the output shrinks: [0.718523, 0.217717] instead of [0.731059, 0.221516]. Mixtral divides the k probabilities by their sum.',
        'zh-CN':
          '你用原始的 softmax 概率给选中的 k 个专家加权，它们的和小于 1（课程示例的 token 0 为 0.982853），于是输出变小了：' +
          '[0.718523, 0.217717]，而不是 [0.731059, 0.221516]。Mixtral 会把这 k 个概率除以它们的和。',
      },
      hint: { en: 'Add up the weights you give token 0\'s two experts. Do they sum to 1?', 'zh-CN': '把你给 token 0 两个专家的权重加起来。和是 1 吗？' },
      wrong: (_ctx, x, p, k) => {
        const { experts, weights } = routeSteps(x.map((row) => rowTimes(row, p.router)), k, false).output;
        return x.map((row, t) => mixture(row, p, experts[t], weights[t]));
      },
    },
    {
      id: 'silu-on-up',
      title: { en: 'silu applied to x·w3 instead of x·w1', 'zh-CN': 'silu 作用在 x·w3 上，而不是 x·w1' },
      message: {
        en:
          'Your experts compute (x·w1) ⊙ silu(x·w3). In Mixtral (and LLaMA) the gate is w1: silu(x·w1) ⊙ (x·w3), then ·w2. Token 0 of the lesson gives [0.731059, 0.243432] instead of [0.731059, 0.221516].',
        'zh-CN':
          '你的专家计算的是 (x·w1) ⊙ silu(x·w3)。在 Mixtral（以及 LLaMA）中门控是 w1：silu(x·w1) ⊙ (x·w3)，' +
          '再乘以 w2。课程示例的 token 0 得到 [0.731059, 0.243432]，而不是 [0.731059, 0.221516]。',
      },
      hint: {
        en:
          'Expert 2 on token 0: x·w1 = [1, 1] and x·w3 = [−1, 1]. Which of the two goes through silu?',
        'zh-CN':
          '专家 2 作用于 token 0：x·w1 = [1, 1]，x·w3 = [−1, 1]。两者中哪一个要经过 silu？',
      },
      wrong: (_ctx, x, p, k) => {
        const { experts, weights } = routeSteps(x.map((row) => rowTimes(row, p.router)), k, true).output;
        return x.map((row, t) => mixture(row, p, experts[t], weights[t], true));
      },
    },
  ],
  hints: [
    {
      en:
        'Route as in moe/top-k-router: logits = x·router ([T, E]), then each token\'s k most probable experts and their weights, renormalised over the k.',
      'zh-CN':
        '按 moe/top-k-router 的方式路由：logits = x·router（[T, E]），然后取每个 token 概率最大的 k 个专家及其权重，' +
        '在这 k 个上重新归一化。',
    },
    {
      en:
        'One expert on one token is (silu(x·w1) ⊙ (x·w3))·w2, silu(z) = z/(1 + e^(−z)). The token\'s output is the sum, over its k experts, of weight · expert(x).',
      'zh-CN':
        '一个专家作用于一个 token 是 (silu(x·w1) ⊙ (x·w3))·w2，silu(z) = z/(1 + e^(−z))。token 的输出是在它的 k 个专家上对「权重 · expert(x)」求和。',
    },
    {
      en:
        'The key idea: every token reads all E logits but runs only k experts; the other E − k contribute nothing, not even a small weight.',
      'zh-CN':
        '关键：每个 token 读取全部 E 个 logits，但只运行 k 个专家；其余 E − k 个毫无贡献，连一个很小的权重都没有。',
    },
  ],
});
