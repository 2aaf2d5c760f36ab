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
      title: 'sentinels counting up from firstSentinel',
      message:
        'T5\'s sentinels count down: <extra_id_0> is 32099, <extra_id_1> is 32098, and so on, since they are the last ids of the vocabulary. ' +
        'Span i gets firstSentinel − i (the figure: 32099, 32098, then the final 32097), not firstSentinel + i, which runs past the end of the vocabulary.',
      hint: 'Where do the sentinel ids sit in a vocabulary of 32100, and which one is <extra_id_1>? Compare with the ids of the figure.',
      wrong: (_ctx, tokens, spans, first) => corrupt(tokens, spans, first, { sentinel: (f, i) => f + i, final: (f, n) => f + n }),
    },
    {
      id: 'final-sentinel-missing',
      title: 'the final sentinel missing from the targets',
      message:
        'The targets end with one more sentinel after the last span\'s tokens, as in the paper\'s figure "<X> for inviting <Y> last <Z>": with 2 spans, 32097 closes the targets. ' +
        'With no span at all the targets are that sentinel alone.',
      hint: 'Count the sentinels in the targets of the T5 figure: how many spans are there, and how many sentinels?',
      wrong: (_ctx, tokens, spans, first) => corrupt(tokens, spans, first, { ...countingDown, final: undefined }),
    },
    {
      id: 'sentinel-per-token',
      title: 'one sentinel per dropped token instead of one per span',
      message:
        'A whole span is replaced by a single sentinel: "for inviting" becomes one <X>, not <X> <Y>. That is what makes the inputs shorter than the text, and the targets short too. ' +
        'Push one sentinel when a span starts, then skip its length tokens.',
      hint: 'In the figure, how many ids replace the two words "for inviting" in the inputs?',
      wrong: (_ctx, tokens, spans, first) => corrupt(tokens, oneTokenSpans(spans), first),
    },
    {
      id: 'one-sentinel-for-all',
      title: 'the same sentinel for every span',
      message:
        'Each span needs its own sentinel, so that the model can tell which target tokens go where: span i gets firstSentinel − i. ' +
        'With one id for every span, "<X> for inviting <X> last <X>" no longer says which hole each piece fills.',
      hint: 'If every hole in the inputs carried the same id, how would you know which span of the targets fills which hole?',
      wrong: (_ctx, tokens, spans, first) => corrupt(tokens, spans, first, { sentinel: (f) => f, final: (f) => f }),
    },
    {
      id: 'targets-without-sentinels',
      title: 'the targets list the dropped tokens without sentinels',
      message:
        'The targets are not just the dropped tokens: each span is introduced by its sentinel ("<X> for inviting <Y> last <Z>"), so the decoder says which hole it is filling, ' +
        'and a final sentinel closes them.',
      hint: 'Read the targets of the figure aloud, id by id: which ids come before "for inviting" and before "last"?',
      wrong: (_ctx, tokens, spans, first) => ({ inputs: corrupt(tokens, spans, first).inputs, targets: spans.flatMap(([start, length]) => tokens.slice(start, start + length)) }),
    },
  ],
  hints: [
    'Work through the T5 figure: walk along the tokens, copying the ones that are kept, and note each span as you reach it.',
    'When a span starts, the inputs get one sentinel for the whole span and the targets get the same sentinel followed by the span\'s tokens; the next span gets the sentinel one lower.',
    'After the last span, copy the remaining tokens to the inputs and end the targets with one more sentinel: firstSentinel − (number of spans).',
  ],
});
