import { defineExercise, type Rng } from 'llm-tutor/pack';
import { capacityOf, choiceMajor, claimInOrder, type Claim, type Dispatch } from '../moe-math.js';

type Args = [experts: number[][], numExperts: number, capacityFactor: number];

/** The router lesson's choices: 4 tokens, k = 2, 4 experts; expert 1 is wanted four times. */
export const lessonExperts = [
  [0, 1],
  [1, 2],
  [1, 0],
  [3, 1],
];

/** The dispatch with the capacity and the order of the claims (what a trace shows). */
export function dispatchSteps(experts: number[][], numExperts: number, capacityFactor: number) {
  const k = experts[0]?.length ?? 0;
  const capacity = capacityOf(capacityFactor, experts.length, k, numExperts);
  const order = choiceMajor(experts);
  return { steps: { capacity, order }, output: claimInOrder(experts, numExperts, capacity, order) };
}

/**
 * T tokens' k distinct choices among E experts, skewed towards the low
 * indices (expert e's score has a bias of −e/2) so that some experts overflow.
 */
function skewedChoices(rng: Rng, T: number, E: number, k: number): number[][] {
  return Array.from({ length: T }, () => {
    const score = Array.from({ length: E }, (_, e) => rng.normal() - e / 2);
    return score
      .map((_, e) => e)
      .sort((a, b) => score[b] - score[a])
      .slice(0, k);
  });
}

const isClaim = (x: unknown): x is Claim => Array.isArray(x) && x.length === 2 && x.every(Number.isInteger);
const isDispatch = (x: unknown): x is Dispatch => {
  const d = x as Dispatch;
  return typeof x === 'object' && x !== null && Array.isArray(d.slots) && d.slots.every((s) => Array.isArray(s) && s.every(isClaim)) && Array.isArray(d.dropped) && d.dropped.every(isClaim);
};

export default defineExercise<Args, Dispatch>({
  entry: 'dispatch',
  signature: 'dispatch(experts: number[][], numExperts: number, capacityFactor: number): { slots: number[][][]; dropped: [token: number, choice: number][] }',
  inputsReadOnly: true,
  compare: 'exact',
  cases: (rng) => [
    { name: 'the lesson example: 4 tokens, k = 2, 4 experts, capacity factor 1 — capacity 2', args: [lessonExperts, 4, 1] },
    { name: 'the lesson example with capacity factor 1.5 — capacity 3', args: [lessonExperts, 4, 1.5] },
    { name: 'the lesson example with capacity factor 2 — capacity 4, nothing dropped', args: [lessonExperts, 4, 2] },
    { name: 'k = 1 (Switch Transformer), 8 random tokens, 4 experts, capacity factor 1.25 — capacity 2', args: [skewedChoices(rng, 8, 4, 1), 4, 1.25] },
    { name: 'random: 8 tokens, k = 2, 4 experts, capacity factor 1 — capacity 4', args: [skewedChoices(rng, 8, 4, 2), 4, 1] },
    { name: 'random: 10 tokens, k = 2, 8 experts, capacity factor 1.25 — capacity floor(3.125) = 3', args: [skewedChoices(rng, 10, 8, 2), 8, 1.25] },
    { name: 'random: 6 tokens, k = 3, 6 experts, capacity factor 0.75 — capacity 2', args: [skewedChoices(rng, 6, 6, 3), 6, 0.75] },
    {
      name: 'every token\'s first choice is expert 0 — capacity 3, the second choices fill in',
      args: [
        [
          [0, 1],
          [0, 2],
          [0, 3],
          [0, 1],
          [0, 2],
          [0, 3],
        ],
        4,
        1,
      ],
    },
    { name: 'capacity 0 (factor 0.25, 2 tokens, k = 1, 4 experts): every token dropped', args: [[[2], [0]], 4, 0.25] },
  ],
  reference: (_ctx, experts, numExperts, capacityFactor) => dispatchSteps(experts, numExperts, capacityFactor).output,
  trace: (_ctx, experts, numExperts, capacityFactor) => dispatchSteps(experts, numExperts, capacityFactor).steps,
  properties: [
    {
      name: 'every choice is either in its expert\'s slots or dropped, once, and no expert holds more than its capacity',
      cases: (rng) => [
        { name: '12 random tokens, k = 2, 4 experts, capacity factor 1', calls: [[skewedChoices(rng, 12, 4, 2), 4, 1]] as Args[] },
        { name: '9 random tokens, k = 3, 6 experts, capacity factor 1.25', calls: [[skewedChoices(rng, 9, 6, 3), 6, 1.25]] as Args[] },
      ],
      holds: ([out], [[experts, numExperts, capacityFactor]]) => {
        if (!isDispatch(out)) return `dispatch must return { slots, dropped }: slots a list of lists of [token, choice] pairs, one list per expert, and dropped a list of pairs; it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
        const capacity = capacityOf(capacityFactor, experts.length, experts[0].length, numExperts);
        if (out.slots.length !== numExperts) return `slots has ${out.slots.length} lists; it needs one per expert, ${numExperts}.`;
        const full = out.slots.findIndex((s) => s.length > capacity);
        if (full >= 0) return `Expert ${full} holds ${out.slots[full].length} choices; its capacity is floor(${capacityFactor} · ${experts.length} · ${experts[0].length} / ${numExperts}) = ${capacity}.`;
        const seen = new Map<string, number>();
        const count = ([t, c]: Claim) => seen.set(`${t},${c}`, (seen.get(`${t},${c}`) ?? 0) + 1);
        for (const [e, slot] of out.slots.entries()) {
          const stray = slot.find(([t, c]) => experts[t]?.[c] !== e);
          if (stray) return `slots[${e}] holds [${stray.join(', ')}], but choice ${stray[1]} of token ${stray[0]} is expert ${experts[stray[0]]?.[stray[1]]}.`;
          slot.forEach(count);
        }
        out.dropped.forEach(count);
        for (let t = 0; t < experts.length; t++) {
          for (let c = 0; c < experts[t].length; c++) {
            const n = seen.get(`${t},${c}`) ?? 0;
            if (n !== 1) return `Choice ${c} of token ${t} (expert ${experts[t][c]}) appears ${n} times in slots and dropped together; every choice is either dispatched or dropped, exactly once.`;
          }
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'token-by-token',
      title: { en: 'each token\'s choices claimed together before the next token\'s', 'zh-CN': '逐个 token 申领，一个 token 的所有选择都处理完才轮到下一个' },
      message: {
        en:
          'You go token by token, claiming a token\'s first and second choices before moving on, so an early token\'s second choice can take the slot a later token\'s FIRST choice needed. Every first choice claims before any second choice (GShard, DeepSpeed\'s top2gating): in the lesson token 2\'s first choice, expert 1, gets a slot and token 0\'s second choice is dropped, not the other way round.',
        'zh-CN':
          '你逐个 token 处理，先申领完一个 token 的第一和第二选择再往下走，于是靠前 token 的第二选择可能占掉靠后 token 的「第一」选择所需的槽位。' +
          '所有第一选择都应在任何第二选择之前申领（GShard、DeepSpeed 的 top2gating）：在课程示例中，token 2 的第一选择（专家 1）' +
          '拿到槽位，被丢弃的是 token 0 的第二选择，而不是反过来。',
      },
      hint: {
        en:
          'In the lesson, expert 1 is wanted by token 0 (second choice), token 1 (first), token 2 (first) and token 3 (second). Which two should get its two slots?',
        'zh-CN':
          '在课程示例中，想要专家 1 的有 token 0（第二选择）、token 1（第一选择）、token 2（第一选择）和 token 3（第二选择）。' +
          '它的两个槽位应该给哪两个？',
      },
      wrong: (_ctx, experts, numExperts, capacityFactor) => {
        const capacity = capacityOf(capacityFactor, experts.length, experts[0]?.length ?? 0, numExperts);
        return claimInOrder(experts, numExperts, capacity, experts.flatMap((choices, t) => choices.map((_, c): Claim => [t, c])));
      },
    },
    {
      id: 'capacity-without-k',
      title: { en: 'the capacity computed without k', 'zh-CN': '计算容量时没有乘 k' },
      message: {
        en:
          'Your capacity is floor(capacityFactor · T / E), as if each token made one choice. With k choices per token there are T·k claims to share among E experts: floor(capacityFactor · T · k / E), which is 2 in the lesson, not 1.',
        'zh-CN':
          '你的容量是 floor(capacityFactor · T / E)，仿佛每个 token 只做一个选择。每个 token 有 k 个选择时，' +
          '共有 T·k 个申领要分给 E 个专家：floor(capacityFactor · T · k / E)，课程示例中是 2，而不是 1。',
      },
      hint: {
        en:
          'In the lesson, how many choices are made in all, and how many does each expert get when they are spread evenly?',
        'zh-CN':
          '在课程示例中，总共有多少个选择？均匀分配时每个专家分到多少？',
      },
      wrong: (_ctx, experts, numExperts, capacityFactor) => claimInOrder(experts, numExperts, capacityOf(capacityFactor, experts.length, 1, numExperts), choiceMajor(experts)),
    },
  ],
  hints: [
    {
      en:
        'Compute the capacity first: floor(capacityFactor · T · k / E), T the number of tokens and k the number of choices each. In the lesson it is 2.',
      'zh-CN':
        '先算容量：floor(capacityFactor · T · k / E)，T 是 token 数，k 是每个 token 的选择数。课程示例中它是 2。',
    },
    {
      en:
        'Then go through the claims choice by choice: for c = 0, every token in order claims a slot of its c-th expert; then c = 1, and so on. A claim on a full expert goes to dropped.',
      'zh-CN':
        '然后按选择逐轮处理申领：c = 0 时，每个 token 按顺序申领其第 c 个专家的一个槽位；接着 c = 1，依此类推。申领已满的专家，' +
        '就进入 dropped。',
    },
    {
      en:
        'The key idea: first choices matter most, so all of them are served before any second choice, whatever the token\'s position.',
      'zh-CN':
        '关键：第一选择最重要，所以无论 token 的位置如何，所有第一选择都在任何第二选择之前得到满足。',
    },
  ],
});
