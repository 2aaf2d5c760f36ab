import { defineExercise, randomMatrix, type Rng } from 'llm-tutor/pack';

type Args = [logProbs: number[][], start: number, eos: number, beams: number, maxLen: number, lengthPenalty: number];
export interface Hypothesis {
  tokens: number[];
  score: number;
}

/** How a search goes wrong, for the misconceptions' variants. */
interface SearchVariant {
  /** Each beam stores its normalised score and the next step adds log p to that. */
  carryNormalised?: boolean;
  /** Only the top `beams` candidates are considered: finished ones take live beams' slots. */
  finishedTakeSlots?: boolean;
}

interface Beam {
  tokens: number[];
  last: number;
  /** Σ log p of the generated tokens (or, for carryNormalised, the carried normalised score). */
  sum: number;
}

const show = (x: number) => (Object.is(x, -0) ? 0 : x).toFixed(4);
const hyp = (tokens: number[]) => `[${tokens.join(', ')}]`;

/**
 * Beam search over a bigram model as Hugging Face's BeamSearchScorer runs it
 * with early_stopping = "never": each step ranks every (beam, next token) by
 * Σ log p, looks at the best 2·beams, keeps an end-of-sequence candidate as a
 * finished hypothesis only when it ranks among the first `beams`, and
 * continues the first `beams` others; at maxLen the live beams join the
 * finished ones. The best by Σ log p / len^lengthPenalty wins (the first found
 * on a tie). Returns the steps a trace shows and the result.
 */
export function beamSteps(logProbs: number[][], start: number, eos: number, beams: number, maxLen: number, lengthPenalty: number, variant: SearchVariant = {}) {
  const steps: Record<string, string[]> = {};
  const finished: Hypothesis[] = [];
  let live: Beam[] = [{ tokens: [], last: start, sum: 0 }];
  for (let step = 1; step <= maxLen && live.length > 0; step++) {
    const norm = step ** lengthPenalty;
    const candidates = live.flatMap((b, beam) => logProbs[b.last].map((lp, token) => ({ b, beam, token, sum: b.sum + lp })));
    // Σ log p, best first; equal sums: the earlier beam, then the lower token id (the flattened order beam·V + token).
    candidates.sort((x, y) => y.sum - x.sum || x.beam - y.beam || x.token - y.token);
    const considered = candidates.slice(0, variant.finishedTakeSlots ? beams : 2 * beams);
    const next: Beam[] = [];
    const notes: string[] = [];
    for (let rank = 0; rank < considered.length && next.length < beams; rank++) {
      const c = considered[rank];
      const tokens = [...c.b.tokens, c.token];
      const score = variant.carryNormalised ? c.sum / norm : c.sum;
      if (c.token === eos) {
        if (rank < beams) {
          finished.push({ tokens, score: c.sum / norm });
          notes.push(`${hyp(tokens)} Σ ${show(c.sum)}: finished, score ${show(c.sum / norm)}`);
        } else {
          notes.push(`${hyp(tokens)} Σ ${show(c.sum)}: end-of-sequence ranked ${rank + 1}, not kept`);
        }
      } else {
        next.push({ tokens, last: c.token, sum: score });
        notes.push(`${hyp(tokens)} Σ ${show(c.sum)}: live`);
      }
    }
    steps[`step ${step}`] = notes;
    live = next;
  }
  for (const b of live) finished.push({ tokens: b.tokens, score: variant.carryNormalised ? b.sum : b.sum / b.tokens.length ** lengthPenalty });
  let best = finished[0];
  for (const f of finished) if (f.score > best.score) best = f;
  steps.finished = finished.map((f) => `${hyp(f.tokens)} score ${show(f.score)}`);
  return { steps, output: { tokens: best.tokens, score: best.score } as Hypothesis };
}

/** Greedy decoding: the most probable next token each step (the lower id on a tie), until end-of-sequence or maxLen. */
function greedy(logProbs: number[][], start: number, eos: number, maxLen: number, lengthPenalty: number): Hypothesis {
  const tokens: number[] = [];
  let last = start;
  let sum = 0;
  while (tokens.length < maxLen && last !== eos) {
    const row = logProbs[last];
    let next = 0;
    for (let t = 1; t < row.length; t++) if (row[t] > row[next]) next = t;
    sum += row[next];
    tokens.push(next);
    last = next;
  }
  return { tokens, score: sum / tokens.length ** lengthPenalty };
}

/** The lesson's bigram model over 4 tokens (3 is end-of-sequence), as probabilities; the end-of-sequence row is never used. */
export const lessonProbs = [
  [0.2, 0.3, 0.4, 0.1],
  [0.15, 0.25, 0.1, 0.5],
  [0.2, 0.3, 0.15, 0.35],
  [0.25, 0.25, 0.25, 0.25],
];
export const lessonLogProbs = lessonProbs.map((row) => row.map(Math.log));

/** A model where the end-of-sequence token at step 1 (probability 0.2) ranks third: with beams = 2 it is not kept, though its Σ log p would win. */
export const droppedEosLogProbs = [
  [0.3, 0.1, 0.4, 0.2],
  [0.25, 0.35, 0.3, 0.1],
  [0.3, 0.1, 0.25, 0.35],
  [0.25, 0.25, 0.25, 0.25],
].map((row) => row.map(Math.log));

/** A random bigram model over V tokens: every row a log-softmax of normal logits (std `spread`), 6 decimals. */
function randomModel(rng: Rng, V: number, spread: number): number[][] {
  return randomMatrix(rng, V, V, spread).map((logits) => {
    const max = Math.max(...logits);
    const logSum = max + Math.log(logits.reduce((s, z) => s + Math.exp(z - max), 0));
    return logits.map((z) => Math.round((z - logSum) * 1e6) / 1e6);
  });
}

/** A model whose end-of-sequence token is never likely: log p(eos) = −12 from every token, so nothing finishes. */
function neverEnding(rng: Rng, V: number): number[][] {
  return randomModel(rng, V, 1).map((row) => {
    const others = row.slice(0, V - 1).map(Math.exp);
    const total = others.reduce((s, x) => s + x, 0) / (1 - Math.exp(-12));
    return [...others.map((x) => Math.round(Math.log(x / total) * 1e6) / 1e6), -12];
  });
}

export default defineExercise<Args, Hypothesis>({
  entry: 'beamSearch',
  signature: 'beamSearch(logProbs: Matrix, start: number, eos: number, beams: number, maxLen: number, lengthPenalty: number): { tokens: number[]; score: number }',
  inputsReadOnly: true,
  cases: (rng) => [
    { name: 'the lesson example: 2 beams, maxLen 3, lengthPenalty 1', args: [lessonLogProbs, 0, 3, 2, 3, 1], expected: { tokens: [2, 1, 3], score: -0.93780357 } },
    { name: 'the lesson example with lengthPenalty 0: the plain sum prefers the short [1, 3]', args: [lessonLogProbs, 0, 3, 2, 3, 0], expected: { tokens: [1, 3], score: -1.89711998 } },
    { name: 'the lesson example with maxLen 4', args: [lessonLogProbs, 0, 3, 2, 4, 1], expected: { tokens: [2, 1, 3], score: -0.93780357 } },
    { name: 'an end-of-sequence candidate ranked below the top beams is not kept, though [3] would score best', args: [droppedEosLogProbs, 0, 3, 2, 3, 0], expected: { tokens: [2, 3], score: -1.96611286 } },
    { name: 'nothing finishes by maxLen: the best live beam, without end-of-sequence', args: [neverEnding(rng, 5), 0, 4, 2, 4, 1] },
    { name: 'random: 6 tokens, 3 beams, maxLen 5, lengthPenalty 1', args: [randomModel(rng, 6, 1.5), 0, 5, 3, 5, 1] },
    { name: 'random: 5 tokens, 2 beams, maxLen 4, lengthPenalty 0.6', args: [randomModel(rng, 5, 1.5), 1, 4, 2, 4, 0.6] },
    { name: 'random: 8 tokens, 4 beams, maxLen 6, lengthPenalty 1.5', args: [randomModel(rng, 8, 2), 2, 7, 4, 6, 1.5] },
    { name: 'random: 6 tokens, 2 beams, maxLen 5, lengthPenalty 0 (the plain sum)', args: [randomModel(rng, 6, 1.5), 0, 5, 2, 5, 0] },
  ],
  reference: (_ctx, logProbs, start, eos, beams, maxLen, lengthPenalty) => beamSteps(logProbs, start, eos, beams, maxLen, lengthPenalty).output,
  trace: (_ctx, logProbs, start, eos, beams, maxLen, lengthPenalty) => beamSteps(logProbs, start, eos, beams, maxLen, lengthPenalty).steps,
  misconceptions: [
    {
      id: 'greedy',
      title: { en: 'greedy decoding: one hypothesis, the most probable token each step', 'zh-CN': '贪心解码：只有一个假设，每步取最可能的 token' },
      message: {
        en: 'You follow the single most probable token at each step. Beam search keeps the `beams` best partial hypotheses by Σ log p, so a token that looks worse now can lead to a better sequence: in the lesson, greedy takes 2 (p = 0.4) then end-of-sequence (0.35), [2, 3] with score −0.9831, while the beam keeps [2, 1] alive and finds [2, 1, 3], −0.9378.',
        'zh-CN': '你每一步只跟随最可能的那一个 token。束搜索按 Σ log p 保留 `beams` 个最好的部分假设，因此眼下看起来较差的 token 也可能通向更好的序列：课程示例中，贪心先取 2（p = 0.4），再取序列结束（0.35），得到 [2, 3]，score 为 −0.9831；而束搜索让 [2, 1] 存活下来，找到了 [2, 1, 3]，−0.9378。',
      },
      hint: {
        en: 'In the lesson after step 2, which two hypotheses are still live? Greedy never looks at [2, 1].',
        'zh-CN': '在课程示例的第 2 步之后，哪两个假设仍然存活？贪心从来不会看 [2, 1]。',
      },
      wrong: (_ctx, logProbs, start, eos, _beams, maxLen, lengthPenalty) => greedy(logProbs, start, eos, maxLen, lengthPenalty),
    },
    {
      id: 'normalised-score-carried',
      title: { en: 'the normalised score carried forward instead of Σ log p', 'zh-CN': '把归一化后的分数带到下一步，而不是累加 Σ log p' },
      message: {
        en: 'Your beams carry their length-normalised score and add the next log p to it, so each step divides the past again: in the lesson [2, 1, 3] ends with ((log 0.4)/1 + log 0.3)/2 + log 0.5)/3 = −0.5844 instead of −0.9378. Beams are ranked by the plain sum Σ log p; the division by len^lengthPenalty is applied once, to a finished hypothesis.',
        'zh-CN': '你的束保存的是长度归一化后的分数，再把下一个 log p 加上去，于是每一步都把过去的部分重新除了一遍：课程示例中 [2, 1, 3] 最后得到 ((log 0.4)/1 + log 0.3)/2 + log 0.5)/3 = −0.5844，而不是 −0.9378。束之间按普通的和 Σ log p 排序；除以 len^lengthPenalty 只对已完成的假设做一次。',
      },
      hint: {
        en: 'Write down the lesson\'s [2, 1, 3] by hand: Σ log p = −2.8134, divided by 3. Does your search keep that sum anywhere?',
        'zh-CN': '手算一下课程中的 [2, 1, 3]：Σ log p = −2.8134，再除以 3。你的搜索有没有在某处保存这个和？',
      },
      wrong: (_ctx, logProbs, start, eos, beams, maxLen, lengthPenalty) => beamSteps(logProbs, start, eos, beams, maxLen, lengthPenalty, { carryNormalised: true }).output,
    },
    {
      id: 'finished-take-slots',
      title: { en: 'finished hypotheses taking live beams\' slots', 'zh-CN': '已完成的假设占用了存活束的名额' },
      message: {
        en: 'You take only the top `beams` candidates and let those that end in end-of-sequence use up slots, so fewer beams stay live. In the lesson both of step 2\'s best candidates, [1, 3] and [2, 3], finish, nothing is left to extend, and you return [1, 3] (−0.9486) instead of [2, 1, 3] (−0.9378). Hugging Face looks at the best 2·beams candidates, moves the finished ones aside, and still continues `beams` live ones.',
        'zh-CN': '你只取前 `beams` 个候选，并让以序列结束 token 结尾的候选占用名额，于是存活的束变少了。课程示例中第 2 步最好的两个候选 [1, 3] 和 [2, 3] 都完成了，没有可扩展的束，你返回了 [1, 3]（−0.9486），而不是 [2, 1, 3]（−0.9378）。Hugging Face 会看最好的 2·beams 个候选，把已完成的放到一边，仍然继续 `beams` 个存活束。',
      },
      hint: {
        en: 'In the lesson\'s step 2, how many of the four best candidates end in end-of-sequence? How many live beams does step 3 still need?',
        'zh-CN': '在课程示例的第 2 步，最好的四个候选中有几个以序列结束 token 结尾？第 3 步还需要几个存活束？',
      },
      wrong: (_ctx, logProbs, start, eos, beams, maxLen, lengthPenalty) => beamSteps(logProbs, start, eos, beams, maxLen, lengthPenalty, { finishedTakeSlots: true }).output,
    },
  ],
  hints: [
    {
      en: 'Keep a list of live hypotheses, each with its tokens, its last token and Σ log p. At every step, extend each by every token and rank all the extensions by Σ log p.',
      'zh-CN': '维护一个存活假设列表，每个假设记录它的 token、最后一个 token 和 Σ log p。每一步把每个假设用每个 token 扩展一遍，并按 Σ log p 给所有扩展排序。',
    },
    {
      en: 'Of the best 2·beams extensions, in order: one ending in eos becomes a finished hypothesis (only if it ranks among the first `beams`), any other becomes a live beam, until `beams` are live. At maxLen add the live beams to the finished ones.',
      'zh-CN': '按顺序遍历最好的 2·beams 个扩展：以 eos 结尾的成为已完成假设（仅当它排在前 `beams` 名之内），其他的成为存活束，直到凑满 `beams` 个存活束。到 maxLen 时把存活束加入已完成的假设。',
    },
    {
      en: 'The key idea: rank beams by the plain sum Σ log p; divide by len^lengthPenalty only to compare finished hypotheses, and never let a finished one take a live beam\'s place.',
      'zh-CN': '关键：用普通的和 Σ log p 给束排序；只在比较已完成假设时才除以 len^lengthPenalty，并且绝不能让已完成的假设占用存活束的位置。',
    },
  ],
});
