import { defineExercise, randomInts, type Rng } from 'llm-tutor/pack';
import { wrongKind } from '../objectives-math.js';

type Span = [start: number, length: number];
type Args = [tokens: number[], spans: Span[], firstSentinel: number];
type Corrupted = { inputs: number[]; targets: number[] };

/** T5's extra_id_0 in its vocabulary of 32100 (the sentinels count down from it). */
const extraId0 = 32099;

/** How sentinels are numbered: the one that stands for span i, and the final one after n spans. */
interface Numbering {
  sentinel: (first: number, i: number) => number;
  final: ((first: number, spans: number) => number) | undefined;
}

const countingDown: Numbering = { sentinel: (first, i) => first - i, final: (first, n) => first - n };

/** T5 span corruption, step by step: the sentinel of each span and the tokens it hides, then the inputs and targets. */
function corruptSteps(tokens: number[], spans: Span[], firstSentinel: number, numbering: Numbering = countingDown) {
  const inputs: number[] = [];
  const targets: number[] = [];
  const sentinels: number[] = [];
  const hidden: number[][] = [];
  let cursor = 0;
  spans.forEach(([start, length], i) => {
    const sentinel = numbering.sentinel(firstSentinel, i);
    const span = tokens.slice(start, start + length);
    inputs.push(...tokens.slice(cursor, start), sentinel);
    targets.push(sentinel, ...span);
    sentinels.push(sentinel);
    hidden.push(span);
    cursor = start + length;
  });
  inputs.push(...tokens.slice(cursor));
  if (numbering.final) targets.push(numbering.final(firstSentinel, spans.length));
  return { steps: { sentinels, hidden }, output: { inputs, targets } };
}

const corrupt = (tokens: number[], spans: Span[], firstSentinel: number, numbering?: Numbering): Corrupted => corruptSteps(tokens, spans, firstSentinel, numbering).output;

/** Every span cut into spans of one token. */
const oneTokenSpans = (spans: Span[]): Span[] => spans.flatMap(([start, length]) => Array.from({ length }, (_, k): Span => [start + k, 1]));

/** Spans in order, 1 to 3 tokens each, with at least one kept token between two of them, inside a sequence of `length`. */
function randomSpans(rng: Rng, length: number, count: number): Span[] {
  const spans: Span[] = [];
  let cursor = rng.int(0, 2);
  while (spans.length < count) {
    const span: Span = [cursor, rng.int(1, 3)];
    if (span[0] + span[1] > length) break;
    spans.push(span);
    cursor = span[0] + span[1] + rng.int(1, 3);
  }
  return spans;
}

/** A random case: `length` token ids below 1000 and up to `count` spans, with T5's first sentinel. */
function randomCase(rng: Rng, length: number, count: number): Args {
  return [randomInts(rng, length, 3, 999), randomSpans(rng, length, count), extraId0];
}

/**
 * The T5 paper's figure, "Thank you for inviting me to your party last week .",
 * one id per word in a toy vocabulary (ids 100 … 110; T5's SentencePiece splits differently).
 */
const figure: Args = [[100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110], [[2, 2], [8, 1]], extraId0];

const isList = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');
const isCorrupted = (o: unknown): o is Corrupted => typeof o === 'object' && o !== null && isList((o as Corrupted).inputs) && isList((o as Corrupted).targets);

/** In the property cases, tokens are below 1000 and sentinels near 32099. */
const isSentinel = (id: number) => id >= 32000;

/** The inputs with each sentinel replaced by the tokens that follow it in the targets. */
function filledBack({ inputs, targets }: Corrupted): number[] {
  const spans = new Map<number, number[]>();
  let current: number[] = [];
  for (const id of targets) {
    if (isSentinel(id)) spans.set(id, (current = []));
    else current.push(id);
  }
  return inputs.flatMap((id) => (isSentinel(id) ? (spans.get(id) ?? [id]) : [id]));
}

const show = (ids: number[]) => `[${ids.join(', ')}]`;

export default defineExercise<Args, Corrupted>({
  entry: 'spanCorrupt',
  signature: 'spanCorrupt(tokens: number[], spans: [start: number, length: number][], firstSentinel: number): { inputs: number[]; targets: number[] }',
  compare: 'exact',
  cases: (rng) => [
    // Inputs "Thank you <X> me to your party <Y> week .", targets "<X> for inviting <Y> last <Z>" (Raffel et al., figure 2).
    { name: "the T5 paper's figure (11 words, spans [2, 2] and [8, 1])", args: figure, expected: { inputs: [100, 101, 32099, 104, 105, 106, 107, 32098, 109, 110], targets: [32099, 102, 103, 32098, 108, 32097] } },
    { name: 'random, 12 tokens, up to 2 spans', args: randomCase(rng, 12, 2) },
    { name: 'random, 20 tokens, up to 4 spans', args: randomCase(rng, 20, 4) },
    { name: 'no span: the inputs are the tokens, the targets the final sentinel alone', args: [randomInts(rng, 5, 3, 999), [], extraId0] },
    { name: 'a span at the very start and one at the very end', args: [randomInts(rng, 8, 3, 999), [[0, 2], [5, 3]], extraId0] },
    { name: 'the whole sequence as one span', args: [randomInts(rng, 4, 3, 999), [[0, 4]], extraId0] },
    { name: 'four one-token spans', args: [randomInts(rng, 9, 3, 999), [[1, 1], [3, 1], [5, 1], [7, 1]], extraId0] },
    { name: 'another vocabulary: sentinels counting down from 999', args: [randomInts(rng, 10, 3, 900), [[1, 3], [6, 2]], 999] },
  ],
  reference: (_ctx, tokens, spans, firstSentinel) => corrupt(tokens, spans, firstSentinel),
  trace: (_ctx, tokens, spans, firstSentinel) => corruptSteps(tokens, spans, firstSentinel).steps,
  properties: [
    {
      name: 'putting each span back in place of its sentinel gives the tokens',
      cases: (rng) => [
        { name: '15 tokens, up to 3 spans', calls: [randomCase(rng, 15, 3)] },
        { name: '10 tokens, spans at both ends', calls: [[randomInts(rng, 10, 3, 999), [[0, 3], [7, 3]], extraId0]] as Args[] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('spanCorrupt', 'an object { inputs, targets } of number lists', outputs, isCorrupted);
        if (odd) return odd;
        const [tokens] = calls[0];
        const back = filledBack(outputs[0]);
        if (back.length === tokens.length && back.every((id, t) => id === tokens[t])) return undefined;
        return (
          `Replacing each sentinel of your inputs by the tokens after the same sentinel in your targets gives ${show(back)}, not the tokens ${show(tokens)}. ` +
          'Each span must be replaced by its own sentinel, and the targets must list each sentinel followed by exactly the tokens it hides.'
        );
      },
    },
    {
      name: 'n spans give n sentinels in the inputs and n + 1 in the targets',
      cases: (rng) => [
        { name: '12 tokens, 2 spans', calls: [[randomInts(rng, 12, 3, 999), [[1, 2], [6, 3]], extraId0]] as Args[] },
        { name: '6 tokens, no span', calls: [[randomInts(rng, 6, 3, 999), [], extraId0]] as Args[] },
      ],
      holds: (outputs, calls) => {
        const odd = wrongKind('spanCorrupt', 'an object { inputs, targets } of number lists', outputs, isCorrupted);
        if (odd) return odd;
        const n = calls[0][1].length;
        const [inputs, targets] = [outputs[0].inputs, outputs[0].targets].map((ids) => ids.filter(isSentinel).length);
        if (inputs === n && targets === n + 1) return undefined;
        return (
          `With ${n} span${n === 1 ? '' : 's'} your inputs hold ${inputs} sentinels and your targets ${targets}; they should hold ${n} and ${n + 1}. ` +
          'One sentinel stands for each whole span, and the targets end with one more, the sentinel after the last span.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'sentinels-counting-up',
      title: { en: 'sentinels counting up from firstSentinel', 'zh-CN': '哨兵从 firstSentinel 开始递增编号' },
      message: {
        en:
          'T5\'s sentinels count down: <extra_id_0> is 32099, <extra_id_1> is 32098, and so on, since they are the last ids of the vocabulary. ' +
          'Span i gets firstSentinel − i (the figure: 32099, 32098, then the final 32097), not firstSentinel + i, which runs past the end of the vocabulary.',
        'zh-CN':
          'T5 的哨兵是递减编号的：<extra_id_0> 是 32099，<extra_id_1> 是 32098，依此类推，因为它们是词表中的最后几个 id。' +
          '片段 i 得到 firstSentinel − i（图中为：32099、32098，最后是 32097），而不是 firstSentinel + i，后者会越过词表的末尾。',
      },
      hint: {
        en: 'Where do the sentinel ids sit in a vocabulary of 32100, and which one is <extra_id_1>? Compare with the ids of the figure.',
        'zh-CN': '在大小为 32100 的词表中，哨兵 id 位于哪里？哪一个是 <extra_id_1>？和图中的 id 比较一下。',
      },
      wrong: (_ctx, tokens, spans, first) => corrupt(tokens, spans, first, { sentinel: (f, i) => f + i, final: (f, n) => f + n }),
    },
    {
      id: 'final-sentinel-missing',
      title: { en: 'the final sentinel missing from the targets', 'zh-CN': '目标中漏了最后的哨兵' },
      message: {
        en:
          'The targets end with one more sentinel after the last span\'s tokens, as in the paper\'s figure "<X> for inviting <Y> last <Z>": with 2 spans, 32097 closes the targets. ' +
          'With no span at all the targets are that sentinel alone.',
        'zh-CN':
          '目标在最后一个片段的 token 之后还要再以一个哨兵结尾，如论文的图中 "<X> for inviting <Y> last <Z>" 所示：有 2 个片段时，由 32097 结束目标。' +
          '如果一个片段也没有，目标就只有这一个哨兵。',
      },
      hint: {
        en: 'Count the sentinels in the targets of the T5 figure: how many spans are there, and how many sentinels?',
        'zh-CN': '数一数 T5 那张图中目标里的哨兵：有几个片段，又有几个哨兵？',
      },
      wrong: (_ctx, tokens, spans, first) => corrupt(tokens, spans, first, { ...countingDown, final: undefined }),
    },
    {
      id: 'sentinel-per-token',
      title: { en: 'one sentinel per dropped token instead of one per span', 'zh-CN': '每个被去掉的 token 用一个哨兵，而不是每个片段一个' },
      message: {
        en:
          'A whole span is replaced by a single sentinel: "for inviting" becomes one <X>, not <X> <Y>. That is what makes the inputs shorter than the text, and the targets short too. ' +
          'Push one sentinel when a span starts, then skip its length tokens.',
        'zh-CN':
          '一整个片段被替换为单个哨兵："for inviting" 变成一个 <X>，而不是 <X> <Y>。正是这一点让输入比原文短，目标也因此很短。' +
          '在片段开始时放入一个哨兵，然后跳过该片段长度那么多个 token。',
      },
      hint: {
        en: 'In the figure, how many ids replace the two words "for inviting" in the inputs?',
        'zh-CN': '在图中，输入里用几个 id 替换了 "for inviting" 这两个词？',
      },
      wrong: (_ctx, tokens, spans, first) => corrupt(tokens, oneTokenSpans(spans), first),
    },
    {
      id: 'one-sentinel-for-all',
      title: { en: 'the same sentinel for every span', 'zh-CN': '每个片段都用同一个哨兵' },
      message: {
        en:
          'Each span needs its own sentinel, so that the model can tell which target tokens go where: span i gets firstSentinel − i. ' +
          'With one id for every span, "<X> for inviting <X> last <X>" no longer says which hole each piece fills.',
        'zh-CN':
          '每个片段都需要自己的哨兵，模型才能分清哪些目标 token 该放到哪里：片段 i 得到 firstSentinel − i。' +
          '如果每个片段都用同一个 id，"<X> for inviting <X> last <X>" 就无法再说明每一段该填进哪个空洞。',
      },
      hint: {
        en: 'If every hole in the inputs carried the same id, how would you know which span of the targets fills which hole?',
        'zh-CN': '如果输入中的每个空洞都带着同一个 id，你怎么知道目标中的哪个片段填哪个空洞？',
      },
      wrong: (_ctx, tokens, spans, first) => corrupt(tokens, spans, first, { sentinel: (f) => f, final: (f) => f }),
    },
    {
      id: 'targets-without-sentinels',
      title: { en: 'the targets list the dropped tokens without sentinels', 'zh-CN': '目标只列出了被去掉的 token，没有哨兵' },
      message: {
        en:
          'The targets are not just the dropped tokens: each span is introduced by its sentinel ("<X> for inviting <Y> last <Z>"), so the decoder says which hole it is filling, ' +
          'and a final sentinel closes them.',
        'zh-CN': '目标不只是被去掉的 token：每个片段前面都有它的哨兵（"<X> for inviting <Y> last <Z>"），这样解码器会说明它在填哪个空洞，最后还有一个哨兵收尾。',
      },
      hint: {
        en: 'Read the targets of the figure aloud, id by id: which ids come before "for inviting" and before "last"?',
        'zh-CN': '把图中的目标逐个 id 念出来："for inviting" 之前和 "last" 之前分别是哪个 id？',
      },
      wrong: (_ctx, tokens, spans, first) => ({ inputs: corrupt(tokens, spans, first).inputs, targets: spans.flatMap(([start, length]) => tokens.slice(start, start + length)) }),
    },
  ],
  hints: [
    {
      en: 'Work through the T5 figure: walk along the tokens, copying the ones that are kept, and note each span as you reach it.',
      'zh-CN': '照着 T5 的那张图做一遍：沿着 token 走，把保留的 token 复制下来，每遇到一个片段就记下来。',
    },
    {
      en: 'When a span starts, the inputs get one sentinel for the whole span and the targets get the same sentinel followed by the span\'s tokens; the next span gets the sentinel one lower.',
      'zh-CN': '片段开始时，输入为整个片段放入一个哨兵，目标则放入同一个哨兵，后面跟着该片段的 token；下一个片段的哨兵再往下减一。',
    },
    {
      en: 'After the last span, copy the remaining tokens to the inputs and end the targets with one more sentinel: firstSentinel − (number of spans).',
      'zh-CN': '最后一个片段之后，把剩下的 token 复制到输入中，并在目标末尾再加一个哨兵：firstSentinel −（片段个数）。',
    },
  ],
});
