import { defineExercise, randomVector, type Rng } from 'llm-tutor/pack';
import { notLogits, show, softmax } from '../sampling-math.js';

type Args = [logits: number[], t: number];

/** The lesson's logits: four tokens, one logit apart. */
export const lessonLogits = [2, 1, 0, -1];

const random = (rng: Rng, n: number, std: number) => randomVector(rng, n, std);

export default defineExercise<Args, number[]>({
  entry: 'applyTemperature',
  signature: 'applyTemperature(logits: Vector, t: number): Vector',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: [2, 1, 0, −1] at t = 0.5, sharper', args: [lessonLogits, 0.5] },
    { name: 'the lesson example at t = 2, flatter', args: [lessonLogits, 2] },
    { name: 't = 1 leaves the logits as they are', args: [[1.5, -0.25, 3, 0.75], 1] },
    { name: 'random: 8 logits, t = 0.7 (a common chat setting)', args: [random(rng, 8, 2), 0.7] },
    { name: 'random: 12 logits, t = 1.5', args: [random(rng, 12, 2), 1.5] },
    { name: 'a very low temperature, t = 0.05: nearly greedy', args: [random(rng, 6, 1), 0.05] },
    { name: 'filtered tokens at −Infinity stay at −Infinity (t = 0.8)', args: [[1.2, -Infinity, 0.4, -Infinity, -0.6], 0.8] },
    { name: 'large logits (±40) at t = 0.25', args: [[40, -40, 12.5, 0], 0.25] },
  ],
  reference: ({ tf }, logits, t) => tf.div(tf.tensor1d(logits), t),
  properties: [
    {
      name: 'a lower temperature makes the most likely token more likely',
      cases: (rng) => {
        const six = random(rng, 6, 1.5);
        const ten = random(rng, 10, 1.5);
        return [
          { name: '6 random logits at t = 0.5, 1 and 2', calls: [0.5, 1, 2].map((t) => [six, t] as Args) },
          { name: '10 random logits at t = 0.25, 0.8 and 3', calls: [0.25, 0.8, 3].map((t) => [ten, t] as Args) },
        ];
      },
      holds: (outputs, calls) => {
        for (const [i, out] of outputs.entries()) {
          const odd = notLogits('applyTemperature', out, calls[i][0].length);
          if (odd) return odd;
        }
        const top = (outputs as number[][]).map((z) => Math.max(...softmax(z)));
        for (let i = 1; i < top.length; i++) {
          if (!(top[i] < top[i - 1])) {
            const [lo, hi] = [calls[i - 1][1], calls[i][1]];
            return `After your function, softmax gives the most likely token ${show(top[i - 1])} at t = ${show(lo)} and ${show(top[i])} at t = ${show(hi)}: raising the temperature should lower it. Dividing the logits by t > 1 brings them closer together, which flattens the distribution; dividing by t < 1 spreads them apart.`;
          }
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'multiplies-by-t',
      title: { en: 'the logits multiplied by t', 'zh-CN': 'logits 乘以了 t' },
      message: {
        en: 'You multiply the logits by t; temperature divides them. At t = 0.5 the lesson\'s [2, 1, 0, −1] should become [4, 2, 0, −2] (sharper: the top token goes from 0.644 to 0.865), but you return [1, 0.5, 0, −0.5], which flattens the distribution instead (0.455).',
        'zh-CN': '你把 logits 乘以了 t；温度应该是除。t = 0.5 时课程示例中的 [2, 1, 0, −1] 应变为 [4, 2, 0, −2]（更尖锐：排第一的 token 从 0.644 升到 0.865），而你返回的是 [1, 0.5, 0, −0.5]，反而让分布变平了（0.455）。',
      },
      hint: {
        en: 'At t = 0.5 should the most likely token become more or less likely? Compute softmax of your output for the lesson and see which way it went.',
        'zh-CN': 't = 0.5 时，最可能的 token 应该变得更可能还是更不可能？对课程示例算一下你输出的 softmax，看看它往哪个方向变了。',
      },
      wrong: (_ctx, logits, t) => logits.map((z) => z * t),
    },
    {
      id: 'divides-probabilities',
      title: { en: 'the probabilities divided by t, not the logits', 'zh-CN': '除以 t 的是概率，而不是 logits' },
      message: {
        en: 'You return softmax(logits)/t, probabilities divided by the temperature: [1.287829, 0.473766, 0.174289, 0.064117] for the lesson at t = 0.5. Dividing every probability by the same t changes no ratio between them, so it cannot sharpen anything (and they no longer sum to 1). Temperature divides the logits, before the softmax: logits/t.',
        'zh-CN': '你返回的是 softmax(logits)/t，即概率除以温度：课程示例在 t = 0.5 时为 [1.287829, 0.473766, 0.174289, 0.064117]。每个概率都除以同一个 t，不会改变它们之间的任何比值，所以什么也锐化不了（而且它们之和也不再是 1）。温度在 softmax 之前除的是 logits：logits/t。',
      },
      hint: {
        en: 'Temperature acts before the softmax. What does dividing every probability by the same number do to their ratios?',
        'zh-CN': '温度作用在 softmax 之前。把每个概率都除以同一个数，对它们之间的比值有什么影响？',
      },
      wrong: (_ctx, logits, t) => softmax(logits).map((p) => p / t),
    },
    {
      id: 'returns-probabilities',
      title: { en: 'probabilities returned instead of logits', 'zh-CN': '返回了概率而不是 logits' },
      message: {
        en: 'You return softmax(logits/t), the probabilities after temperature: [0.864955, 0.117059, 0.015842, 0.002144] for the lesson at t = 0.5. The function returns the scaled logits, [4, 2, 0, −2], as Hugging Face\'s TemperatureLogitsWarper does: top-k, top-p and the sampler come after it and take logits.',
        'zh-CN': '你返回的是 softmax(logits/t)，即施加温度之后的概率：课程示例在 t = 0.5 时为 [0.864955, 0.117059, 0.015842, 0.002144]。本函数应返回缩放后的 logits [4, 2, 0, −2]，与 Hugging Face 的 TemperatureLogitsWarper 一样：top-k、top-p 和采样器都在它之后，接收的都是 logits。',
      },
      hint: {
        en: 'Does your output sum to 1? The exercise returns logits, not probabilities: leave the softmax to the sampler.',
        'zh-CN': '你的输出之和是 1 吗？本练习返回的是 logits，不是概率：softmax 留给采样器去做。',
      },
      wrong: (_ctx, logits, t) => softmax(logits.map((z) => z / t)),
    },
  ],
  hints: [
    {
      en: 'One division per logit. Nothing else: the softmax comes later.',
      'zh-CN': '每个 logit 做一次除法。别的都不用做：softmax 在后面。',
    },
    {
      en: 'For the lesson at t = 0.5, [2, 1, 0, −1] becomes [4, 2, 0, −2]: the gaps between logits double, so the largest dominates more.',
      'zh-CN': '课程示例在 t = 0.5 时，[2, 1, 0, −1] 变为 [4, 2, 0, −2]：logit 之间的差距翻倍，所以最大的那个更占优势。',
    },
    {
      en: 'The key idea: softmax(z/t) is the distribution at temperature t. Dividing by t < 1 sharpens it, by t > 1 flattens it, and t → 0 is greedy.',
      'zh-CN': '关键：softmax(z/t) 就是温度为 t 时的分布。除以 t < 1 使它更尖锐，除以 t > 1 使它更平坦，t → 0 就是贪心。',
    },
  ],
});
