import { anyOf, defineExercise, randomVector, type Rng, type Tensor, type Tf } from 'llm-tutor/pack';
import { erf, isVector, show, wrongKind } from '../backprop-math.js';

type Args = [x: number[], dy: number[]];

const c = Math.sqrt(2 / Math.PI);
const cubic = 0.044715;

/** GELU, tanh form, on a tensor: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(tf: Tf, x: Tensor): Tensor {
  const u = tf.mul(c, tf.add(x, tf.mul(cubic, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(u)));
}

/** The pieces of the derivative at x: t = tanh(u), the tanh derivative 1 − t², and u′. */
function pieces(x: number) {
  const t = Math.tanh(c * (x + cubic * x ** 3));
  return { t, sech2: 1 - t * t, du: c * (1 + 3 * cubic * x * x) };
}

/** dy ⊙ f(x), for a derivative f written with a mistake. */
function times(x: number[], dy: number[], f: (x: number) => number): number[] {
  return x.map((v, i) => dy[i] * f(v));
}

/** gelu′ by the product rule, with `sech2` and `du` as a variant computes them. */
function productRule(x: number, sech2: (p: ReturnType<typeof pieces>) => number, du: (p: ReturnType<typeof pieces>) => number): number {
  const p = pieces(x);
  return 0.5 * (1 + p.t) + 0.5 * x * sech2(p) * du(p);
}

const geluDerivative = (x: number) => productRule(x, (p) => p.sech2, (p) => p.du);

/** The exact GELU's derivative, Φ(x) + x·φ(x). */
const exactDerivative = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI);

/** x and dy of `n` entries, x spread by `std`. */
function randomPair(rng: Rng, n: number, std: number): Args {
  return [randomVector(rng, n, std), randomVector(rng, n)];
}

const ones = (n: number) => new Array<number>(n).fill(1);

export default defineExercise<Args, number[]>({
  entry: 'geluBackward',
  signature: 'geluBackward(x: Vector, dy: Vector): Vector',
  cases: (rng) => [
    { name: 'the lesson example (5 entries)', args: [[-2, -0.5, 0, 1, 2.7], [1, 2, 1, -1, 0.5]] },
    { name: 'random x and dy (8 entries)', args: randomPair(rng, 8, 1.5) },
    { name: 'random x spread over ±6, random dy (16 entries)', args: randomPair(rng, 16, 3) },
    { name: 'dy = 1 everywhere: the result is gelu′(x) itself', args: [randomVector(rng, 8, 2), ones(8)] },
    { name: 'around the minimum of GELU (gelu′ crosses 0 near x = −0.7525)', args: [[-2.5, -1.42, -1, -0.7525, -0.5], ones(5)] },
    { name: 'large magnitudes (±8, ±20): gelu′ is 0 far left and 1 far right', args: [[-20, -8, 8, 20], [1, -2, 0.5, 3]] },
  ],
  gradient: {
    wrt: (x) => ({ dx: x }),
    loss: ({ tf }, vars, _x, dy) => tf.sum(tf.mul(geluTanh(tf, vars.dx), tf.tensor1d(dy))),
    single: true,
  },
  trace: ({ tf }, x) => {
    const t = tf.tensor1d(x);
    const u = tf.mul(c, tf.add(t, tf.mul(cubic, tf.pow(t, 3))));
    return { u, 'tanh(u)': tf.tanh(u), "gelu′(x)": tf.grad((v: Tensor) => tf.sum(geluTanh(tf, v)))(t) };
  },
  properties: [
    {
      name: 'the gradient is linear in dy',
      cases: (rng) => [0, 1].map((k) => {
        const [x, dy] = randomPair(rng, 6, 2);
        return { name: `6 random entries, dy and 3·dy (${k === 0 ? 'first' : 'second'} draw)`, calls: [[x, dy], [x, dy.map((g) => 3 * g)]] as Args[] };
      }),
      holds: (outputs, calls) => {
        const odd = wrongKind('geluBackward', 'a vector', outputs, isVector);
        if (odd) return odd;
        const [once, thrice] = outputs;
        const i = once.findIndex((g, j) => !(Math.abs(thrice[j] - 3 * g) <= 1e-9 + 1e-9 * Math.abs(g)));
        if (i < 0) return undefined;
        return (
          `With dy multiplied by 3 your entry ${i} went from ${show(once[i])} to ${show(thrice[i])}, not ${show(3 * once[i])}. ` +
          'The backward pass is dx = dy ⊙ gelu′(x): gelu′ depends on x alone, and dy multiplies it entry by entry.'
        );
      },
    },
    {
      name: 'GELU slopes down left of its minimum',
      cases: () => [
        { name: 'x = −1, −1.5, −2, −3 with dy = 1', calls: [[[-1, -1.5, -2, -3], ones(4)]] },
        { name: 'x = −0.9 and −4 with dy = 1', calls: [[[-0.9, -4], ones(2)]] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('geluBackward', 'a vector', outputs, isVector);
        if (odd) return odd;
        const x = calls[0][0];
        const i = outputs[0].findIndex((g) => !(g < 0));
        if (i < 0) return undefined;
        return (
          `At x = ${x[i]} your gelu′ is ${show(outputs[0][i])}, but GELU falls there: it dips to about −0.17 at x ≈ −0.75 and rises back to 0 as x → −∞, ` +
          'so its slope is negative for every x below −0.7525 (−0.128 at x = −1.5). The negative part comes from 0.5·x·(1 − tanh²(u))·u′, the term of the product rule where x multiplies the tanh’s derivative.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'tanh-derivative-dropped',
      title: { en: 'the derivative of tanh approximated away', 'zh-CN': '把 tanh 的导数近似掉了' },
      message: {
        en:
          'Your gelu′ treats tanh as if it did not change with x, or takes its derivative 1 − tanh²(u) as 1. By the product rule on 0.5·x·(1 + tanh(u)), ' +
          'gelu′(x) = 0.5·(1 + tanh u) + 0.5·x·(1 − tanh² u)·u′: at x = 1 that is 0.841192 + 0.241772 = 1.082964, where tanh treated as constant gives 0.841192.',
        'zh-CN':
          '你的 gelu′ 把 tanh 当成不随 x 变化，或者把它的导数 1 − tanh²(u) 当成了 1。对 0.5·x·(1 + tanh(u)) 用乘积法则，gelu′(x) = 0.5·(1 + tanh u) + 0.5·x·(1 − tanh² u)·u′：' +
          '在 x = 1 处是 0.841192 + 0.241772 = 1.082964，而把 tanh 当成常数只得到 0.841192。',
      },
      hint: {
        en: 'Differentiate 0.5·x·(1 + tanh(u)) with the product rule: two terms. In the second, what is the derivative of tanh(u) with respect to u?',
        'zh-CN': '用乘积法则对 0.5·x·(1 + tanh(u)) 求导：共两项。在第二项中，tanh(u) 对 u 的导数是什么？',
      },
      wrong: (_ctx, x, dy) => anyOf(times(x, dy, (v) => 0.5 * (1 + pieces(v).t)), times(x, dy, (v) => productRule(v, () => 1, (p) => p.du))),
    },
    {
      id: 'inner-derivative-wrong',
      title: { en: 'the chain rule through u = √(2/π)·(x + 0.044715·x³) left incomplete', 'zh-CN': '经由 u = √(2/π)·(x + 0.044715·x³) 的链式法则没做完整' },
      message: {
        en:
          'u′ = √(2/π)·(1 + 3·0.044715·x²): the derivative of the inside of the tanh, the cubic term included. Leaving out 3·0.044715·x², or u′ altogether, ' +
          'gives another slope wherever x ≠ 0: at x = 1 gelu′ is 1.082964, not 1.054368 (the cubic term’s derivative left out) or 1.108368 (u′ left out).',
        'zh-CN':
          'u′ = √(2/π)·(1 + 3·0.044715·x²)：这是 tanh 内部表达式的导数，立方项也包括在内。漏掉 3·0.044715·x²，或者整个漏掉 u′，在所有 x ≠ 0 处都会得到另一个斜率：' +
          '在 x = 1 处 gelu′ 应为 1.082964，而不是 1.054368（漏了立方项的导数）或 1.108368（漏了 u′）。',
      },
      hint: {
        en: 'Write u as a function of x and differentiate it on its own: what is the derivative of 0.044715·x³?',
        'zh-CN': '把 u 写成 x 的函数，单独对它求导：0.044715·x³ 的导数是什么？',
      },
      wrong: (_ctx, x, dy) => anyOf(times(x, dy, (v) => productRule(v, (p) => p.sech2, () => c)), times(x, dy, (v) => productRule(v, (p) => p.sech2, () => 1))),
    },
    {
      id: 'dy-ignored',
      title: { en: 'returning gelu′(x) without multiplying by dy', 'zh-CN': '返回了 gelu′(x)，没有乘以 dy' },
      message: {
        en:
          'The backward pass returns the gradient of the loss with respect to x, which is dy ⊙ gelu′(x) by the chain rule: dy is how much the loss changes with GELU’s output. ' +
          'On the lesson example the entry at x = −0.5 is 2·0.132630 = 0.265260, not 0.132630.',
        'zh-CN':
          '反向传播返回的是损失对 x 的梯度，按链式法则就是 dy ⊙ gelu′(x)：dy 表示损失随 GELU 输出变化的快慢。' +
          '在课程的例子中，x = −0.5 处的元素应为 2·0.132630 = 0.265260，而不是 0.132630。',
      },
      hint: {
        en: 'What does dy stand for, and where does it enter the chain rule ∂loss/∂x = ∂loss/∂y · ∂y/∂x?',
        'zh-CN': 'dy 代表什么？它在链式法则 ∂loss/∂x = ∂loss/∂y · ∂y/∂x 中出现在哪里？',
      },
      wrong: (_ctx, x) => x.map(geluDerivative),
    },
    {
      id: 'exact-gelu-derivative',
      title: { en: 'the derivative of the exact (erf) GELU instead of the tanh form', 'zh-CN': '用了精确（erf）GELU 的导数，而不是 tanh 形式的' },
      message: {
        en:
          'Φ(x) + x·φ(x) is the derivative of the exact GELU, 0.5·x·(1 + erf(x/√2)). This exercise is GPT-2’s tanh form, whose derivative differs by up to 8.7e-4 (near x = 2): ' +
          'the gradient must be the derivative of the function the forward pass computed.',
        'zh-CN': 'Φ(x) + x·φ(x) 是精确 GELU，即 0.5·x·(1 + erf(x/√2)) 的导数。本练习用的是 GPT-2 的 tanh 形式，其导数与之最多相差 8.7e-4（在 x = 2 附近）：梯度必须是前向计算实际所用函数的导数。',
      },
      hint: {
        en: 'Which GELU does the forward pass compute here? Differentiate that formula, tanh and all, not the Gaussian one.',
        'zh-CN': '这里的前向计算用的是哪个 GELU？对那个公式求导，连同 tanh 一起，而不是对高斯形式的那个。',
      },
      wrong: (_ctx, x, dy) => times(x, dy, exactDerivative),
    },
  ],
  hints: [
    {
      en: 'gelu(x) = 0.5·x·(1 + tanh(u)) is a product of 0.5·x and (1 + tanh(u)): the product rule gives two terms. Then multiply by dy.',
      'zh-CN': 'gelu(x) = 0.5·x·(1 + tanh(u)) 是 0.5·x 与 (1 + tanh(u)) 的乘积：乘积法则给出两项。然后乘以 dy。',
    },
    {
      en: 'The second term needs the chain rule twice: tanh′(u) = 1 − tanh²(u), and u′ = √(2/π)·(1 + 3·0.044715·x²).',
      'zh-CN': '第二项需要用两次链式法则：tanh′(u) = 1 − tanh²(u)，u′ = √(2/π)·(1 + 3·0.044715·x²)。',
    },
    {
      en: 'gelu′(x) = 0.5·(1 + t) + 0.5·x·(1 − t²)·u′ with t = tanh(u); the result is dy[i]·gelu′(x[i]) for every i.',
      'zh-CN': 'gelu′(x) = 0.5·(1 + t) + 0.5·x·(1 − t²)·u′，其中 t = tanh(u)；对每个 i，结果是 dy[i]·gelu′(x[i])。',
    },
  ],
});
