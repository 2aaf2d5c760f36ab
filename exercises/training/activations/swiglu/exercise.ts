import { anyOf, defineExercise, matmul, randomMatrix, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { matricesAgree, shuffled } from '../../../transformer-core/properties.js';
import { geluExact, geluTanh, sigmoid, silu } from '../activations-math.js';

type Args = [x: number[][], w1: number[][], w3: number[][], w2: number[][]];

/** The lesson's example: one token of C = 2 features, a hidden layer of H = 3. */
const lessonArgs: Args = [
  [[1, -1]],
  [
    [2, 0, 1],
    [1, 1, -1],
  ],
  [
    [1, 2, 1],
    [0, 1, -1],
  ],
  [
    [1, 0],
    [0, 1],
    [1, -1],
  ],
];

/** Random x [T, C] and weights w1, w3 [C, H], w2 [H, C], the weights scaled by 1/√fan-in as at initialisation. */
function randomArgs(rng: Rng, tokens: number, c: number, h: number, xStd = 1): Args {
  return [randomMatrix(rng, tokens, c, xStd), randomMatrix(rng, c, h, 1 / Math.sqrt(c)), randomMatrix(rng, c, h, 1 / Math.sqrt(c)), randomMatrix(rng, h, c, 1 / Math.sqrt(h))];
}

/** The SwiGLU feed-forward in tfjs, step by step: the gate x·w1, silu of it, the up branch x·w3 and their product (the steps a trace shows), and the output. */
function swigluSteps(tf: Tf, x: number[][], w1: number[][], w3: number[][], w2: number[][]) {
  const xt = tf.tensor2d(x);
  const gate = tf.matMul(xt, tf.tensor2d(w1));
  const up = tf.matMul(xt, tf.tensor2d(w3));
  const activated = tf.mul(gate, tf.sigmoid(gate));
  const hidden = tf.mul(activated, up);
  return { steps: { 'x·w1': gate, 'silu(x·w1)': activated, 'x·w3': up, hidden }, output: tf.matMul(hidden, tf.tensor2d(w2)) };
}

/** (act(x·gateW) ⊙ (x·upW))·w2 in float64: a gated feed-forward with any activation on any branch. */
function gatedFeedForward(x: number[][], gateW: number[][], upW: number[][], w2: number[][], act: (z: number) => number): number[][] {
  const gate = matmul(x, gateW);
  const up = matmul(x, upW);
  return matmul(gate.map((row, t) => row.map((z, j) => act(z) * up[t][j])), w2);
}

/** A random case, then the same with its tokens in another order. */
function permutedTokens(rng: Rng): { name: string; calls: Args[] } {
  const [x, w1, w3, w2] = randomArgs(rng, 4, 3, 5);
  const order = shuffled(rng, 4);
  return { name: `4 tokens, reordered as [${order.join(', ')}]`, calls: [[x, w1, w3, w2], [order.map((t) => x[t]), w1, w3, w2]] };
}

/** A random case, then the same with w3 doubled. */
function doubledUp(rng: Rng): { name: string; calls: Args[] } {
  const [x, w1, w3, w2] = randomArgs(rng, 3, 4, 6);
  return { name: 'x of [3, 4], H = 6, then w3 × 2', calls: [[x, w1, w3, w2], [x, w1, w3.map((row) => row.map((v) => 2 * v)), w2]] };
}

export default defineExercise<Args, number[][]>({
  entry: 'swiglu',
  signature: 'swiglu(x: Matrix, w1: Matrix, w3: Matrix, w2: Matrix): Matrix',
  cases: (rng) => {
    const [tokens, c, h] = [rng.int(2, 4), rng.int(3, 6), rng.int(4, 10)];
    const zero = randomArgs(rng, 3, 4, 8);
    zero[0][1] = [0, 0, 0, 0];
    return [
      { name: 'the lesson example (T = 1, C = 2, H = 3)', args: lessonArgs },
      { name: 'random, T = 3, C = 4, H = 8', args: randomArgs(rng, 3, 4, 8) },
      { name: `random, T = ${tokens}, C = ${c}, H = ${h}`, args: randomArgs(rng, tokens, c, h) },
      { name: 'one token (T = 1, C = 5, H = 7)', args: randomArgs(rng, 1, 5, 7) },
      { name: "LLaMA's hidden size, H ≈ 8C/3 (C = 6, H = 16)", args: randomArgs(rng, 2, 6, 16) },
      { name: 'large pre-activations (x about ±20)', args: randomArgs(rng, 2, 4, 6, 20) },
      { name: 'a zero token (its output row is 0)', args: zero },
    ];
  },
  reference: ({ tf }: ReferenceContext, x, w1, w3, w2) => swigluSteps(tf, x, w1, w3, w2).output,
  trace: ({ tf }: ReferenceContext, x, w1, w3, w2) => swigluSteps(tf, x, w1, w3, w2).steps,
  properties: [
    {
      name: 'reordering the tokens reorders the output rows the same way',
      cases: (rng) => [permutedTokens(rng)],
      holds: matricesAgree<Args>(
        'swiglu',
        ([first, second], calls) => {
          const key = (row: number[]) => JSON.stringify(row);
          const order = calls[1][0].map((row) => calls[0][0].findIndex((r) => key(r) === key(row)));
          return [order.map((t) => first[t]), second];
        },
        (difference) =>
          `Your output for the reordered tokens is not your first output reordered (${difference}). ` +
          'A feed-forward layer works on each token alone: output row t depends on x[t] and the weights only, never on the other tokens.',
      ),
    },
    {
      name: 'doubling w3 doubles the output',
      cases: (rng) => [doubledUp(rng)],
      holds: matricesAgree<Args>(
        'swiglu',
        ([first, second]) => [first.map((row) => row.map((v) => 2 * v)), second],
        (difference) =>
          `Doubling w3 did not double your output (twice your first output, and your second: ${difference}). ` +
          'x·w3 is the linear branch: it enters the product as it is, so the output is linear in w3. Only the gate x·w1 goes through SiLU.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'silu-on-up-branch',
      title: { en: 'SiLU applied to the w3 branch instead of the w1 gate', 'zh-CN': 'SiLU 用在了 w3 分支上，而不是 w1 门控上' },
      message: {
        en:
          'You compute silu(x·w3) ⊙ (x·w1): the activation is on the wrong branch. In LLaMA\'s FeedForward it is w2(silu(w1(x)) · w3(x)): w1 is the gate and goes through SiLU, w3 is the linear "up" branch. ' +
          'In the lesson, x·w1 = [1, −1, 2] and x·w3 = [1, 1, 2]: the right output is [4.254247, −3.792130], yours gives [4.254247, −4.254247].',
        'zh-CN':
          '你计算的是 silu(x·w3) ⊙ (x·w1)：激活函数放错了分支。在 LLaMA 的 FeedForward 中是 w2(silu(w1(x)) · w3(x))：w1 是门控，要经过 SiLU；w3 是线性的「上投影」分支。' +
          '在课程的例子中，x·w1 = [1, −1, 2]，x·w3 = [1, 1, 2]：正确输出是 [4.254247, −3.792130]，你的结果是 [4.254247, −4.254247]。',
      },
      hint: {
        en: 'Print x·w1 and x·w3 for the lesson\'s token: [1, −1, 2] and [1, 1, 2]. Which of the two goes through SiLU?',
        'zh-CN': '对课程中的 token 打印 x·w1 和 x·w3：分别是 [1, −1, 2] 和 [1, 1, 2]。两者中哪一个要经过 SiLU？',
      },
      wrong: (_ctx, x, w1, w3, w2) => gatedFeedForward(x, w3, w1, w2, silu),
    },
    {
      id: 'sigmoid-not-silu',
      title: { en: 'σ(z) instead of SiLU, z·σ(z)', 'zh-CN': '用了 σ(z)，而不是 SiLU，即 z·σ(z)' },
      message: {
        en:
          'Your gate is σ(x·w1), the sigmoid alone, as in the original GLU. SwiGLU uses SiLU (swish), z·σ(z): silu(1) = 0.731059 but silu(2) = 2·0.880797 = 1.761594. ' +
          'In the lesson that gives [2.492653, −1.492653] instead of [4.254247, −3.792130].',
        'zh-CN':
          '你的门控是 σ(x·w1)，只有 sigmoid，和最初的 GLU 一样。SwiGLU 用的是 SiLU（swish），即 z·σ(z)：silu(1) = 0.731059，但 silu(2) = 2·0.880797 = 1.761594。' +
          '在课程的例子中，这会得到 [2.492653, −1.492653]，而不是 [4.254247, −3.792130]。',
      },
      hint: {
        en: 'Compute your gate for z = 2 and compare: σ(2) = 0.880797, silu(2) = 1.761594. SiLU keeps a factor you may have dropped.',
        'zh-CN': '算一下 z = 2 时你的门控值并比较：σ(2) = 0.880797，silu(2) = 1.761594。SiLU 还保留着一个你可能丢掉了的因子。',
      },
      wrong: (_ctx, x, w1, w3, w2) => gatedFeedForward(x, w1, w3, w2, sigmoid),
    },
    {
      id: 'gelu-not-silu',
      title: { en: 'GELU instead of SiLU on the gate (GeGLU)', 'zh-CN': '门控上用了 GELU 而不是 SiLU（GeGLU）' },
      message: {
        en:
          'Your gate is GELU(x·w1): that is GeGLU, another variant of the same paper. SwiGLU, LLaMA\'s, uses SiLU, z·σ(z): at z = 1 GELU is 0.841345 and SiLU 0.731059. ' +
          'In the lesson the output is [4.254247, −3.792130], not GeGLU\'s [4.750344, −4.067655].',
        'zh-CN':
          '你的门控是 GELU(x·w1)：那是 GeGLU，同一篇论文中的另一个变体。LLaMA 所用的 SwiGLU 用的是 SiLU，即 z·σ(z)：z = 1 时 GELU 为 0.841345，SiLU 为 0.731059。' +
          '在课程的例子中，输出应为 [4.254247, −3.792130]，而不是 GeGLU 的 [4.750344, −4.067655]。',
      },
      hint: {
        en: 'Which activation does the "Swi" in SwiGLU name? Compare your gate at z = 1 with the lesson\'s silu(1) = 0.731059.',
        'zh-CN': 'SwiGLU 里的「Swi」指的是哪个激活函数？把你在 z = 1 处的门控值与课程中的 silu(1) = 0.731059 比较一下。',
      },
      wrong: (_ctx, x, w1, w3, w2) => anyOf(gatedFeedForward(x, w1, w3, w2, geluExact), gatedFeedForward(x, w1, w3, w2, (z) => geluTanh(z))),
    },
  ],
  hints: [
    {
      en: 'Work the lesson\'s token by hand first: x·w1 = [1, −1, 2] and x·w3 = [1, 1, 2]. Three small products, then one more matrix product.',
      'zh-CN': '先手算课程中的那个 token：x·w1 = [1, −1, 2]，x·w3 = [1, 1, 2]。三个小乘积，再做一次矩阵乘法。',
    },
    {
      en: 'Compute a = x·w1 and b = x·w3 (both [T, H]), then h[t][j] = silu(a[t][j])·b[t][j] with silu(z) = z·σ(z) = z/(1 + e^(−z)), then h·w2.',
      'zh-CN': '算出 a = x·w1 和 b = x·w3（都是 [T, H]），然后 h[t][j] = silu(a[t][j])·b[t][j]，其中 silu(z) = z·σ(z) = z/(1 + e^(−z))，最后算 h·w2。',
    },
  ],
});
