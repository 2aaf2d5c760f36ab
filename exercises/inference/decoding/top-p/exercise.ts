import { anyOf, defineExercise, randomVector, uniforms } from 'llm-tutor/pack';
import { descending, notLogits, show, softmax, topPSteps } from '../sampling-math.js';

type Args = [logits: number[], p: number];

/** The lesson's probabilities (NUMERICS' example, shuffled) and their logits, ln of each. */
export const lessonProbs = [0.3, 0.05, 0.5, 0.15];
export const lessonLogits = lessonProbs.map(Math.log);
/** Logits whose probabilities are exactly 1/8, 1/2, 1/8, 1/4: ln(1/4), 0, ln(1/4), ln(1/2), and exp of each is exact. */
export const binaryLogits = [Math.log(0.25), 0, Math.log(0.25), Math.log(0.5)];

/** The tokens kept by a rule on the running sum, walking from the most probable down (at least one). */
function keepWhile(logits: number[], keep: (sumBefore: number, sumWith: number) => boolean): number[] {
  const probs = softmax(logits);
  const kept = new Set<number>();
  let sum = 0;
  for (const i of descending(probs)) {
    if (kept.size === 0 || keep(sum, sum + probs[i])) kept.add(i);
    sum += probs[i];
  }
  return logits.map((z, i) => (kept.has(i) ? z : -Infinity));
}

/** The same cut made by value, as GPT-2's top_p_logits makes it: every logit at or above the lowest kept one stays (ties with it too). */
function asThreshold(filtered: number[], logits: number[]): number[] {
  const lowest = Math.min(...filtered.filter((z) => z !== -Infinity));
  return logits.map((z) => (z < lowest ? -Infinity : z));
}

export default defineExercise<Args, number[]>({
  entry: 'topPFilter',
  signature: 'topPFilter(logits: Vector, p: number): Vector',
  inputsReadOnly: true,
  cases: (rng) => {
    const [p1, p2] = uniforms(rng, 2).map((u) => 0.5 + 0.45 * u);
    return [
      { name: 'the lesson example: probabilities [0.3, 0.05, 0.5, 0.15], p = 0.85 keeps 3', args: [lessonLogits, 0.85] },
      { name: 'the lesson example with p = 0.5: the top token alone reaches it', args: [lessonLogits, 0.5] },
      { name: 'exactly reached: probabilities [1/8, 1/2, 1/8, 1/4], p = 0.75 keeps 2', args: [binaryLogits, 0.75] },
      { name: 'exactly reached: the same, p = 0.5 keeps the top token only', args: [binaryLogits, 0.5] },
      { name: 'exactly reached: 4 equal logits, p = 0.5 keeps tokens 0 and 1', args: [[0, 0, 0, 0], 0.5] },
      { name: `random: 10 logits, p = ${show(p1)}`, args: [randomVector(rng, 10, 1.5), p1] },
      { name: `random: 16 logits, p = ${show(p2)}`, args: [randomVector(rng, 16, 1.5), p2] },
      { name: 'random: 12 logits, p = 0.9 (a common setting)', args: [randomVector(rng, 12, 2), 0.9] },
      { name: 'a small p = 0.05: at least one token is kept', args: [[0.2, 1.1, -0.4, 0.9], 0.05] },
      { name: 'p = 1 keeps every token', args: [[1.5, -2, 0.3, 0], 1] },
      { name: 'after top-k: logits already at −Infinity stay there, p = 0.8', args: [[2, -Infinity, 1, 0.5, -Infinity], 0.8] },
    ];
  },
  reference: (_ctx, logits, p) => topPSteps(logits, p).output,
  trace: (_ctx, logits, p) => topPSteps(logits, p).steps,
  properties: [
    {
      name: 'the kept tokens hold at least p of the probability, and without the least likely of them less than p',
      cases: (rng) => [
        { name: '10 random logits, p = 0.7', calls: [[randomVector(rng, 10, 1.5), 0.7]] },
        { name: '14 random logits, p = 0.9', calls: [[randomVector(rng, 14, 1.5), 0.9]] },
      ],
      holds: ([out], [[logits, p]]) => {
        const odd = notLogits('topPFilter', out, logits.length);
        if (odd) return odd;
        const changed = out.findIndex((z, i) => z !== -Infinity && z !== logits[i]);
        if (changed >= 0) return `Token ${changed}'s logit came back as ${show(out[changed])} instead of ${show(logits[changed])}: a kept logit is left as it is, a removed one becomes −Infinity.`;
        const probs = softmax(logits);
        const kept = probs.filter((_, i) => out[i] !== -Infinity);
        const held = kept.reduce((a, b) => a + b, 0);
        if (kept.length === 0) return 'You removed every token: top-p always keeps at least the most probable one.';
        if (held < p - 1e-12) return `The tokens you keep hold ${show(held)} of the probability, less than p = ${show(p)}: keep going down the list until the sum reaches p, and keep the token that makes it cross.`;
        const least = Math.min(...kept);
        if (kept.length > 1 && held - least >= p) return `The tokens you keep hold ${show(held)}, and would still hold ${show(held - least)} ≥ p = ${show(p)} without the least likely of them (${show(least)}): top-p keeps the SMALLEST set that reaches p.`;
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'crossing-token-dropped',
      title: { en: 'the token that crosses p dropped (the early GPT-2 top_p_logits)', 'zh-CN': '丢掉了越过 p 的那个 token（早期 GPT-2 的 top_p_logits）' },
      message: {
        en: 'You keep only the tokens whose running sum stays at or below p, so the token that carries the sum past p is dropped: in the lesson with p = 0.85 you keep 0.5 and 0.3 (a sum of 0.8, short of p) and drop 0.15. Hugging Face keeps the smallest set whose sum reaches p, the crossing token included: 0.5 + 0.3 + 0.15 = 0.95.',
        'zh-CN': '你只保留累加和不超过 p 的 token，于是把和推过 p 的那个 token 被丢掉了：课程示例中 p = 0.85 时你保留了 0.5 和 0.3（和为 0.8，不到 p），丢掉了 0.15。Hugging Face 保留的是和达到 p 的最小集合，包括越过 p 的那个 token：0.5 + 0.3 + 0.15 = 0.95。',
      },
      hint: {
        en: 'In the lesson with p = 0.85, add up the probabilities of the tokens you keep. Is the sum at least p?',
        'zh-CN': '课程示例中 p = 0.85 时，把你保留的 token 的概率加起来。和至少是 p 吗？',
      },
      wrong: (_ctx, logits, p) => {
        const kept = keepWhile(logits, (_before, withIt) => withIt <= p);
        return anyOf(kept, asThreshold(kept, logits));
      },
    },
    {
      id: 'must-exceed-p',
      title: { en: 'the sum must exceed p, not just reach it (Meta\'s sample_top_p)', 'zh-CN': '要求和超过 p，而不只是达到 p（Meta 的 sample_top_p）' },
      message: {
        en: 'You keep adding tokens until their sum is strictly above p, so when it lands exactly on p you keep one more: with probabilities [1/8, 1/2, 1/8, 1/4] and p = 0.75, 1/2 + 1/4 = 0.75 already reaches p and Hugging Face stops at those 2; you keep a third. A token is kept while the probability above it is below p.',
        'zh-CN': '你一直添加 token，直到它们的和严格大于 p，所以当和恰好等于 p 时你会多保留一个：概率为 [1/8, 1/2, 1/8, 1/4]、p = 0.75 时，1/2 + 1/4 = 0.75 已经达到 p，Hugging Face 在这 2 个处停止；你却保留了第三个。只要排在某个 token 之前的概率之和小于 p，它就被保留。',
      },
      hint: {
        en: 'Try [1/8, 1/2, 1/8, 1/4] with p = 0.75: after 1/2 and 1/4 the sum is exactly 0.75. Has it reached p?',
        'zh-CN': '试试 [1/8, 1/2, 1/8, 1/4] 配 p = 0.75：加上 1/2 和 1/4 之后和恰好是 0.75。它达到 p 了吗？',
      },
      wrong: (_ctx, logits, p) => keepWhile(logits, (before) => before <= p),
    },
  ],
  hints: [
    {
      en: 'Turn the logits into probabilities (softmax, largest logit subtracted first), then list the tokens from the most probable down, equal probabilities by the lower index.',
      'zh-CN': '把 logits 变成概率（softmax，先减去最大的 logit），然后把 token 从最可能的开始往下排，概率相等时下标小的在前。',
    },
    {
      en: 'Walk that list with a running sum: a token is kept when the sum of the tokens BEFORE it is still below p. The first token is always kept.',
      'zh-CN': '用累加和遍历这个列表：当排在某个 token「之前」的 token 之和仍小于 p 时，保留它。第一个 token 总会被保留。',
    },
    {
      en: 'The key idea: the nucleus is the smallest set of most probable tokens whose probabilities add up to p or more, the crossing token included; everything else becomes −Infinity.',
      'zh-CN': '关键：核是概率之和达到或超过 p 的、由最可能的 token 组成的最小集合，包括越过 p 的那个 token；其余一切都变成 −Infinity。',
    },
  ],
});
