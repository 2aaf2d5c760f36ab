import { defineExercise, randomInts, randomVector } from 'llm-tutor/pack';
import { notLogits, penalise, show } from '../sampling-math.js';

type Args = [logits: number[], seen: number[], penalty: number];

/** The lesson's example: token 0 seen twice, tokens 1 and 3 once; penalty 1.5. */
export const lessonLogits = [3, -1, 1.5, 0, -2];
export const lessonSeen = [0, 1, 0, 3];

export default defineExercise<Args, number[]>({
  entry: 'repetitionPenalty',
  signature: 'repetitionPenalty(logits: Vector, seen: number[], penalty: number): Vector',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: seen [0, 1, 0, 3], penalty 1.5', args: [lessonLogits, lessonSeen, 1.5] },
    { name: 'random: 10 logits, 6 seen tokens with repeats, penalty 1.2 (CTRL\'s suggestion)', args: [randomVector(rng, 10, 2), randomInts(rng, 6, 0, 9), 1.2] },
    { name: 'random: 16 logits, 12 seen tokens, penalty 1.3', args: [randomVector(rng, 16, 2), randomInts(rng, 12, 0, 15), 1.3] },
    { name: 'one negative token seen three times, penalty 2', args: [[0.5, -0.75, 1], [1, 1, 1], 2] },
    { name: 'nothing seen: unchanged', args: [[1.2, -0.4, 0.3], [], 1.5] },
    { name: 'penalty 1: unchanged', args: [[1.2, -0.4, 0.3], [0, 1, 2], 1] },
    { name: 'penalty 0.8 < 1 rewards repetition: positive logits grow, negative ones shrink toward 0', args: [[2, -1, 0.5, -3], [0, 1, 3], 0.8] },
    { name: 'a zero logit and a −Infinity logit seen: both stay', args: [[0, -Infinity, 1.5, -0.5], [0, 1, 3], 1.4] },
  ],
  reference: (_ctx, logits, seen, penalty) => penalise(logits, seen, penalty),
  properties: [
    {
      name: 'with penalty > 1 no seen token gains, and unseen tokens are untouched',
      cases: (rng) =>
        [
          { name: '10 random logits, 5 seen and the lowest, penalty 1.3', n: 10, seen: 5, penalty: 1.3 },
          { name: '8 random logits, 8 seen and the lowest, penalty 2', n: 8, seen: 8, penalty: 2 },
        ].map(({ name, n, seen, penalty }) => {
          const logits = randomVector(rng, n, 2);
          // The lowest logit is negative (almost surely) and seen, so dividing it would raise it.
          const lowest = logits.indexOf(Math.min(...logits));
          return { name, calls: [[logits, [...randomInts(rng, seen, 0, n - 1), lowest], penalty]] as Args[] };
        }),
      holds: ([out], [[logits, seen]]) => {
        const odd = notLogits('repetitionPenalty', out, logits.length);
        if (odd) return odd;
        const distinct = new Set(seen);
        for (let i = 0; i < logits.length; i++) {
          if (!distinct.has(i) && out[i] !== logits[i]) return `Token ${i} was never seen, yet its logit went from ${show(logits[i])} to ${show(out[i])}: only seen tokens are penalised.`;
          if (distinct.has(i) && out[i] > logits[i]) return `Token ${i} was seen, and its logit went UP from ${show(logits[i])} to ${show(out[i])}: with a penalty above 1, a repeated token must become less likely. A negative logit is multiplied by the penalty, not divided.`;
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'always-divides',
      title: { en: 'every seen logit divided by the penalty, negative ones too', 'zh-CN': '所有出现过的 logit 都除以惩罚值，负的也不例外' },
      message: {
        en: 'You divide every seen logit by the penalty. Dividing a negative logit brings it closer to 0, which makes the token MORE likely: in the lesson token 1 goes from −1 to −0.666667 instead of down to −1.5. Divide positive logits and multiply negative ones, as Hugging Face does; that was CTRL\'s formula, which divides always, fixed for negative logits.',
        'zh-CN': '你把每个出现过的 logit 都除以了惩罚值。对负的 logit 做除法会让它更接近 0，反而使该 token「更」可能出现：课程示例中 token 1 从 −1 变成了 −0.666667，而不是降到 −1.5。应像 Hugging Face 那样：正的 logit 做除法，负的 logit 做乘法；这正是对 CTRL 那个总做除法的公式在负 logit 上的修正。',
      },
      hint: {
        en: 'Token 1 of the lesson has logit −1 and was seen. After the penalty, should it be more likely or less? Is −1/1.5 above or below −1?',
        'zh-CN': '课程示例中 token 1 的 logit 为 −1，并且出现过。施加惩罚后，它应该更可能还是更不可能出现？−1/1.5 比 −1 大还是小？',
      },
      wrong: (_ctx, logits, seen, penalty) => {
        const distinct = new Set(seen);
        return logits.map((z, i) => (distinct.has(i) ? z / penalty : z));
      },
    },
    {
      id: 'once-per-occurrence',
      title: { en: 'the penalty applied once per occurrence, not once per token', 'zh-CN': '每出现一次就惩罚一次，而不是每个 token 惩罚一次' },
      message: {
        en: 'You apply the penalty once for every time a token appears in `seen`, so a token seen twice is penalised twice: token 0 of the lesson becomes 3/1.5² = 1.333333 instead of 3/1.5 = 2. Hugging Face gathers and scatters the logits of the seen ids, so each distinct token is penalised once, however often it appeared.',
        'zh-CN': '你对 token 在 `seen` 中的每次出现都施加一次惩罚，于是出现两次的 token 被惩罚了两次：课程示例中 token 0 变成了 3/1.5² = 1.333333，而不是 3/1.5 = 2。Hugging Face 对出现过的 id 做 gather 和 scatter，因此每个不同的 token 只惩罚一次，不管它出现了多少次。',
      },
      hint: {
        en: 'Token 0 appears twice in the lesson\'s `seen`. How many times should its logit be divided by 1.5?',
        'zh-CN': 'token 0 在课程示例的 `seen` 中出现了两次。它的 logit 应该被 1.5 除几次？',
      },
      wrong: (_ctx, logits, seen, penalty) => {
        const out = [...logits];
        for (const i of seen) out[i] = out[i] < 0 ? out[i] * penalty : out[i] / penalty;
        return out;
      },
    },
  ],
  hints: [
    {
      en: 'Make the set of distinct tokens in `seen` first; every other logit is returned as it is.',
      'zh-CN': '先求出 `seen` 中不同 token 的集合；其余 logit 原样返回。',
    },
    {
      en: 'For a token in that set: a positive logit is divided by the penalty, a negative one multiplied by it (0 stays 0). Both move the logit down when the penalty is above 1.',
      'zh-CN': '对集合中的 token：正的 logit 除以惩罚值，负的乘以惩罚值（0 保持 0）。惩罚值大于 1 时，两者都会把 logit 往下压。',
    },
    {
      en: 'The key idea: the penalty pushes every seen token toward less likely, by the same factor, whatever the sign of its logit and however often it was seen.',
      'zh-CN': '关键：惩罚把每个出现过的 token 都往「更不可能」的方向推，推的倍数相同，与其 logit 的符号和出现次数都无关。',
    },
  ],
});
