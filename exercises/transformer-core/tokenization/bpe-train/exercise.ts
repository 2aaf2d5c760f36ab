import { anyOf, defineExercise } from 'llm-tutor/pack';
import { showList, wrongKind } from '../../properties.js';
import { alphabets, codePoints, mergePair, randomText, trainBpe, trainIds, utf16Units, utf8Bytes, type Pair, type TieRule } from '../bpe-math.js';

type Args = [text: string, vocabSize: number];

const withTie = (tie: TieRule) => (_ctx: unknown, text: string, vocabSize: number) => trainBpe(text, vocabSize, { tie });

const isMerges = (x: unknown): x is Pair[] =>
  Array.isArray(x) && x.every((m) => Array.isArray(m) && m.length === 2 && m.every((id) => Number.isInteger(id)));

/** A property's `holds` over one call: the learner's output is a list of [a, b] pairs of whole numbers. */
function merges(check: (merges: Pair[], text: string, vocabSize: number) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => wrongKind('trainBpe', 'a list of [a, b] pairs of whole numbers', outputs, isMerges) ?? check(outputs[0] as Pair[], ...calls[0]);
}

/** The text's bytes after replaying `merges` in order, merge k making id 256 + k. */
const replayed = (text: string, merges: Pair[]) => merges.reduce((ids, pair, k) => mergePair(ids, pair, 256 + k), utf8Bytes(text));

export default defineExercise<Args, Pair[]>({
  entry: 'trainBpe',
  signature: 'trainBpe(text: string, vocabSize: number): [number, number][]',
  compare: 'exact',
  cases: (rng) => {
    const random = (label: string, chars: readonly string[]): { name: string; args: Args } => {
      const text = randomText(rng, chars, rng.int(30, 50));
      const merges = rng.int(5, 10);
      return { name: `random text (${label}), vocabSize ${256 + merges} (${merges} merges)`, args: [text, 256 + merges] };
    };
    return [
      { name: 'the lesson example: "aaabdaaabac", vocabSize 259 (3 merges)', args: ['aaabdaaabac', 259] },
      random('ASCII letters and spaces', alphabets.ascii),
      random('accented letters: é, è, ç, ü are 2 bytes each', alphabets.latin),
      random('mixed: é, 中, 文, 🙂', alphabets.mixed),
      random('Chinese: 3 bytes a character', alphabets.cjk),
      { name: 'empty string (no pair: no merge)', args: ['', 260] },
      { name: 'one character (no pair: no merge)', args: ['a', 260] },
      { name: 'one character of 2 bytes: "é" is [195, 169], one merge, then nothing left', args: ['é', 260] },
      { name: 'vocabSize 256 (no merges asked)', args: ['hello hello', 256] },
      { name: 'more merges asked than possible: "abcab" ends as one token after 3 merges', args: ['abcab', 300] },
      { name: 'a tie between four pairs seen once each: "cdabc" (the first, (c, d), wins)', args: ['cdabc', 257] },
      { name: 'a run of one byte: "aaaaa" (merged left to right: [Z, Z, a])', args: ['aaaaa', 259] },
      { name: 'overlapping occurrences count: in "ababaaaa" (a, a) counts 3, (a, b) 2', args: ['ababaaaa', 257] },
      { name: 'every pair seen once: "the cat" still gets 4 merges', args: ['the cat', 260] },
      { name: 'Unicode: é, 中文, 🙂', args: ['héhé 中文中文 🙂🙂', 262] },
    ];
  },
  reference: (_ctx, text, vocabSize) => trainBpe(text, vocabSize),
  properties: [
    {
      name: 'there are vocabSize − 256 merges, fewer only when no pair is left',
      cases: (rng) => [
        { name: '"abcab", vocabSize 300 (runs out of pairs)', calls: [['abcab', 300]] as Args[] },
        { name: 'a short random text, vocabSize 300 (runs out of pairs)', calls: [[randomText(rng, alphabets.latin, rng.int(4, 7)), 300]] as Args[] },
      ],
      holds: merges((list, text, vocabSize) => {
        const asked = vocabSize - 256;
        if (list.length > asked) return `You return ${list.length} merges for vocabSize ${vocabSize}: the 256 byte ids plus one id per merge make at most vocabSize ids, so at most ${asked} merges.`;
        const left = replayed(text, list).length;
        if (list.length === asked || left < 2) return undefined;
        return (
          `You return ${list.length} merges for vocabSize ${vocabSize}, but after them ${JSON.stringify(text)} is still ${left} tokens, so a pair is left to merge. ` +
          'Training stops early only when fewer than two tokens remain: "abcab" with vocabSize 300 gets 3 merges, ending as one token.'
        );
      }),
    },
    {
      name: 'merge k joins ids that already exist, both below 256 + k',
      cases: (rng) => [
        { name: '"aaaaa", vocabSize 259', calls: [['aaaaa', 259]] as Args[] },
        { name: 'random text (mixed: é, 中, 文, 🙂), vocabSize 266', calls: [[randomText(rng, alphabets.mixed, 40), 266]] as Args[] },
      ],
      holds: merges((list) => {
        const k = list.findIndex((pair, i) => pair.some((id) => id < 0 || id >= 256 + i));
        if (k < 0) return undefined;
        return (
          `Your merge ${k} is ${showList(list[k])}, but before it only the ids 0 to ${255 + k} exist: the 256 bytes and one id per earlier merge. ` +
          'Merge k creates id 256 + k, so it can only join ids below that: in the lesson example merge 2 joins 257 (made by merge 1) and 98.'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'tie-smallest-pair',
      title: 'ties go to the smallest pair, not the first one seen',
      message:
        'When two pairs are equally frequent, your merge is the pair with the smallest ids (the rule of Hugging Face tokenizers). ' +
        'Here the tie goes to the pair whose first occurrence comes earliest in the current sequence, as Python\'s max over a dict does in minbpe. ' +
        'Count into a Map (it keeps insertion order) and scan it with a strict >. ' +
        'A plain object keyed by a number such as a * 1000 + b also gives this: JavaScript lists integer keys in ascending order, not in insertion order.',
      hint: 'When two pairs are equally frequent, which one does your scan keep? The rule here is the one whose first occurrence comes first; check how your counts are stored and ordered.',
      wrong: withTie('smallest-pair'),
    },
    {
      id: 'tie-largest-pair',
      title: 'ties go to the largest pair, not the first one seen',
      message:
        'When two pairs are equally frequent, your merge is the pair with the largest ids, as subword-nmt\'s max over (count, pair) gives, ' +
        'or as sorting on (count, pair), both descending, does. Here the tie goes to the pair whose first occurrence comes earliest in the current sequence: ' +
        'count into a Map (it keeps insertion order) and keep the first maximum (a strict >), with no second sort key.',
      hint: 'When two pairs are equally frequent, which one does your scan keep? The rule here is the one whose first occurrence comes first, with no sort on the pair.',
      wrong: withTie('largest-pair'),
    },
    {
      id: 'tie-last-occurrence',
      title: 'ties go to the last pair seen (>= instead of >)',
      message:
        'When two pairs are equally frequent, your merge is the one that appears last. A scan with count >= best replaces the best on every tie. ' +
        'Use a strict >, so the pair seen first, which the Map lists first, is kept.',
      hint: 'When two pairs are equally frequent, your scan keeps the later one. Look at the comparison that replaces the best pair.',
      wrong: withTie('last-occurrence'),
    },
    {
      id: 'right-to-left-merge',
      title: 'occurrences merged right to left',
      message:
        'In a run such as "aaa", you merge the last two tokens: [a, Z] instead of [Z, a]. The next counts then see different pairs, and later merges differ. ' +
        'Scan left to right: when ids[i], ids[i + 1] is the pair, push the new id and skip 2; otherwise push ids[i] and move 1.',
      hint: 'Merge (a, a) in "aaa" by hand: which two a\'s should be joined? Check the direction of your replacement.',
      wrong: (_ctx, text, vocabSize) => trainBpe(text, vocabSize, { fromRight: true }),
    },
    {
      id: 'utf16-code-units',
      title: 'characters (charCodeAt or code points) instead of UTF-8 bytes',
      message:
        'You start from charCodeAt (or codePointAt), so "é" is the one id 233 instead of the two bytes [195, 169], ' +
        '"中" is 20013 (far above 255) and "🙂" is two surrogates. Byte-level BPE starts from the UTF-8 bytes: ' +
        'Array.from(new TextEncoder().encode(text)). Every id is then 0..255 and no text is ever out of vocabulary.',
      hint: 'Encode "é" your way and print the ids: byte-level BPE starts from 2 bytes here. Where do your first ids come from?',
      wrong: (_ctx, text, vocabSize) => anyOf(trainIds(utf16Units(text), vocabSize - 256), trainIds(codePoints(text), vocabSize - 256)),
    },
    {
      id: 'non-overlapping-counts',
      title: 'pair counts skip overlapping occurrences',
      message:
        'In a run such as "aaaa" you count (a, a) 2 times, the number of replacements a merge would make. ' +
        'The counts here include overlapping occurrences, so it is 3, as minbpe counts: add 1 for every position i where ids[i], ids[i + 1] is the pair.',
      hint: 'Count the pair (a, a) in "aaaa" by hand at every position: how many positions start it?',
      wrong: (_ctx, text, vocabSize) => trainBpe(text, vocabSize, { nonOverlapping: true }),
    },
    {
      id: 'stops-when-no-pair-repeats',
      title: 'training stops when the best pair occurs only once',
      message:
        'You stop as soon as no pair occurs twice (subword-nmt\'s min_frequency of 2). Here a pair seen once is still merged: ' +
        'do vocabSize − 256 merges, and stop early only when no pair is left (the sequence has fewer than two tokens).',
      hint: 'When does your loop stop? A pair that occurs once can still be merged here.',
      wrong: (_ctx, text, vocabSize) => trainBpe(text, vocabSize, { minCount: 2 }),
    },
    {
      id: 'sequence-not-updated',
      title: 'the merged sequence is not kept, so the same pair is merged again',
      message:
        'Every round counts the original bytes again, so every merge is the same pair. ' +
        'The merge returns a new sequence: assign it back (ids = merge(ids, pair, 256 + k)), so that the next round counts the pairs of the merged sequence.',
      hint: 'Print the sequence at the start of each round: does it show the last merge?',
      wrong: (_ctx, text, vocabSize) => trainBpe(text, vocabSize, { updateSequence: false }),
    },
    {
      id: 'merge-count-off-by-one',
      title: 'one merge too many or too few',
      message:
        'The vocabulary has 256 byte ids, and each merge adds one id, so vocabSize − 256 merges make exactly vocabSize ids. ' +
        'A loop such as for (let id = 256; id <= vocabSize; id++) does one merge too many, and vocabSize − 257 does one too few.',
      hint: 'Count the merges you return for vocabSize = 258: the 256 bytes plus the merges should make exactly vocabSize ids.',
      wrong: (_ctx, text, vocabSize) => anyOf(trainBpe(text, vocabSize + 1), trainBpe(text, vocabSize - 1)),
    },
  ],
  hints: [
    'Start from the UTF-8 bytes: Array.from(new TextEncoder().encode(text)). Then repeat vocabSize − 256 times: count every adjacent pair, take the most frequent one, record it, and replace it in the sequence by the next id (256, 257, …).',
    'Count into a Map keyed by `${a},${b}`: it keeps the pairs in order of first occurrence. Scan it with a strict > and the first of several equally frequent pairs wins, which is the tie rule here. Recount on the merged sequence in every round.',
    'Replace left to right: at i, if ids[i], ids[i + 1] is the pair, push the new id and do i += 2, otherwise push ids[i] and do i += 1 ("aaa" → [Z, a]). Merge even a pair seen once; stop early only when the sequence has fewer than two tokens.',
  ],
});
