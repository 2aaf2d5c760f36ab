import { anyOf, defineExercise, plural, type Rng } from 'llm-tutor/pack';
import { wrongKind } from '../../properties.js';
import {
  alphabets,
  codePoints,
  decode,
  encode,
  encodeIds,
  mergePair,
  pairCounts,
  randomText,
  rankOf,
  tokenBytes,
  trainBpe,
  utf16Units,
  utf8Bytes,
  type Pair,
  type PairCount,
} from '../bpe-math.js';

type Args = [text: string, merges: Pair[]];

const isIdList = (o: unknown): o is number[] => Array.isArray(o) && o.every((id) => Number.isInteger(id));

/** A property case: `text` and merges learned on `corpus`. */
function textWithMerges(label: string, text: string, corpus: string, vocabSize: number): { name: string; calls: Args[] } {
  return { name: `${label}: ${JSON.stringify(text)}, ${plural(vocabSize - 256, 'merge')}`, calls: [[text, trainBpe(corpus, vocabSize)]] };
}

/** The lesson's text, then random texts encoded with merges learned on similar text. */
function propertyCases(rng: Rng) {
  const similar = (label: string, chars: readonly string[]) => {
    const corpus = [...randomText(rng, chars, 60)];
    return textWithMerges(label, corpus.slice(40).join(''), corpus.slice(0, 40).join(''), 256 + rng.int(6, 10));
  };
  return [textWithMerges('the lesson\'s text', 'aaabdaaabac', 'aaabdaaabac', 259), similar('random mixed text', alphabets.mixed), similar('random accented text', alphabets.latin)];
}

/** Where two neighbouring ids form a merge, in words; undefined when none do. */
function mergeLeft(ids: number[], merges: Pair[]): string | undefined {
  const rank = rankOf(merges);
  const i = ids.findIndex((id, j) => j + 1 < ids.length && rank.has(`${id},${ids[j + 1]}`));
  if (i < 0) return undefined;
  const k = rank.get(`${ids[i]},${ids[i + 1]}`)!;
  return `the ids at ${i} and ${i + 1}, (${ids[i]}, ${ids[i + 1]}), are merges[${k}], which makes id ${256 + k}`;
}

/** In list order, each merge replaces only the first occurrence of its pair (indexOf + splice, once per merge). */
function eachMergeOnce(text: string, merges: Pair[]): number[] {
  const ids = utf8Bytes(text);
  merges.forEach(([a, b], k) => {
    for (let i = 0; i + 1 < ids.length; i++) {
      if (ids[i] === a && ids[i + 1] === b) {
        ids.splice(i, 2, 256 + k);
        break;
      }
    }
  });
  return ids;
}

/** The training loop reused: among the pairs that have a merge, the most frequent one first (ties: seen first). */
function mostFrequentFirst(text: string, merges: Pair[]): number[] {
  const ranks = rankOf(merges);
  let ids = utf8Bytes(text);
  for (;;) {
    let best: PairCount | undefined;
    let bestRank = -1;
    for (const entry of pairCounts(ids).values()) {
      const r = ranks.get(`${entry.pair[0]},${entry.pair[1]}`);
      if (r !== undefined && (!best || entry.count > best.count)) {
        best = entry;
        bestRank = r;
      }
    }
    if (!best) return ids;
    ids = mergePair(ids, best.pair, 256 + bestRank);
  }
}

/** Scans from the left and merges the first adjacent pair that has any merge, then starts again. */
function leftmostFirst(text: string, merges: Pair[]): number[] {
  const ranks = rankOf(merges);
  const ids = utf8Bytes(text);
  for (;;) {
    let i = 0;
    while (i + 1 < ids.length && !ranks.has(`${ids[i]},${ids[i + 1]}`)) i++;
    if (i + 1 >= ids.length) return ids;
    ids.splice(i, 2, 256 + ranks.get(`${ids[i]},${ids[i + 1]}`)!);
  }
}

/** Longest match: at each position the token with the most bytes that the text starts with (WordPiece-style). */
function greedyLongest(text: string, merges: Pair[]): number[] {
  const bytes = utf8Bytes(text);
  const table = tokenBytes(merges);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    let best = bytes[i];
    let length = 1;
    table.forEach((token, id) => {
      if (token.length > length && token.every((x, j) => bytes[i + j] === x)) {
        best = id;
        length = token.length;
      }
    });
    out.push(best);
    i += length;
  }
  return out;
}

export default defineExercise<Args, number[]>({
  entry: 'encode',
  signature: 'encode(text: string, merges: [number, number][]): number[]',
  compare: 'exact',
  cases: (rng) => {
    // A longer random text: merges are learned on its first part, and another part is encoded.
    const random = (label: string, chars: readonly string[], self = false): { name: string; args: Args } => {
      const corpus = [...randomText(rng, chars, 90)];
      const count = rng.int(8, 15);
      const merges = trainBpe(corpus.slice(0, 60).join(''), 256 + count);
      const text = self ? corpus.slice(0, 60).join('') : corpus.slice(60).join('');
      return { name: `random text (${label}), ${count} merges learned from ${self ? 'this same text' : 'similar text'}`, args: [text, merges] };
    };
    const lesson: Pair[] = [
      [97, 97],
      [256, 97],
      [257, 98],
    ];
    const unicode = 'héhé 中文中文 🙂🙂';
    return [
      { name: 'the lesson example: "aaabdaaabac" with its 3 merges', args: ['aaabdaaabac', lesson] },
      random('ASCII letters and spaces', alphabets.ascii),
      random('accented letters: é, è, ç, ü are 2 bytes each', alphabets.latin),
      random('Chinese: 3 bytes a character', alphabets.cjk),
      random('mixed: é, 中, 文, 🙂', alphabets.mixed, true),
      { name: 'empty string', args: ['', lesson] },
      { name: 'one character', args: ['a', lesson] },
      { name: 'no merges: just the UTF-8 bytes of "héllo 🙂"', args: ['héllo 🙂', []] },
      { name: 'merges that never apply: "xyz"', args: ['xyz', lesson] },
      { name: 'a run: "ccc" with the merge (c, c) gives [256, 99]', args: ['ccc', [[99, 99]]] },
      { name: 'a pair that occurs twice: "ab ab" with the merge (a, b)', args: ['ab ab', [[97, 98]]] },
      {
        name: 'the lower rank wins over the earlier position: "abc" with (b, c) ranked before (a, b)',
        args: [
          'abc',
          [
            [98, 99],
            [97, 98],
          ],
        ],
      },
      {
        name: 'rank beats frequency: "bcdcd" with (b, c) ranked before (c, d)',
        args: [
          'bcdcd',
          [
            [98, 99],
            [99, 100],
          ],
        ],
      },
      {
        name: 'the longest token is not what BPE builds: "abc" with (a, b), (b, c), (a, bc)',
        args: [
          'abc',
          [
            [97, 98],
            [98, 99],
            [97, 257],
          ],
        ],
      },
      {
        name: 'a lower rank further right: "abcbc" with (b, c), (a, b), (a, bc)',
        args: [
          'abcbc',
          [
            [98, 99],
            [97, 98],
            [97, 256],
          ],
        ],
      },
      { name: 'Unicode: é, 中文, 🙂 with merges learned on the same text', args: [unicode, trainBpe(unicode, 262)] },
    ];
  },
  reference: (_ctx, text, merges) => encode(text, merges),
  properties: [
    {
      name: 'decode(encode(text)) gives back the text',
      cases: propertyCases,
      holds: (outputs, calls) => {
        const odd = wrongKind('encode', 'a list of integer ids', outputs, isIdList);
        if (odd) return odd;
        const [[text, merges]] = calls;
        const ids = outputs[0];
        const unknown = ids.find((id) => id < 0 || id >= 256 + merges.length);
        if (unknown !== undefined) {
          return `Your encode gave the id ${unknown} for ${JSON.stringify(text)}, but with ${plural(merges.length, 'merge')} the only ids are the bytes 0..255 and the merges' ids 256..${255 + merges.length}, so it cannot be decoded.`;
        }
        // The trusted decoder: every id stands for fixed bytes.
        const back = decode(ids, merges);
        if (back === text) return undefined;
        return (
          `Your encode turned ${JSON.stringify(text)} into [${ids.join(', ')}], which decodes to ${JSON.stringify(back)}. ` +
          'Merging only regroups the UTF-8 bytes of the text into tokens: no byte may be lost, added or reordered, so decoding must give back the text exactly.'
        );
      },
    },
    {
      name: 'no two neighbouring ids of the output form a merge',
      cases: propertyCases,
      holds: (outputs, calls) => {
        const odd = wrongKind('encode', 'a list of integer ids', outputs, isIdList);
        if (odd) return odd;
        const found = mergeLeft(outputs[0], calls[0][1]);
        if (!found) return undefined;
        return `In your output [${outputs[0].join(', ')}], ${found}. Encoding goes on until no adjacent pair has a merge, so that pair should have been replaced by its id.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'utf16-code-units',
      title: 'characters (charCodeAt or code points) instead of UTF-8 bytes',
      message:
        'You start from charCodeAt (or codePointAt), so "é" is the one id 233 instead of the two bytes [195, 169], and "中" is 20013. ' +
        'The merges were learned on UTF-8 bytes, so start from Array.from(new TextEncoder().encode(text)): every id is then 0..255.',
      hint: 'Encode "é" and print your first ids: the merges were learned on bytes, and "é" is 2 of them.',
      wrong: (_ctx, text, merges) => anyOf(encodeIds(utf16Units(text), merges), encodeIds(codePoints(text), merges)),
    },
    {
      id: 'right-to-left-merge',
      title: 'occurrences merged right to left',
      message:
        'In a run such as "ccc" with the merge (c, c), you merge the last two bytes and get [99, 256]; the convention is [256, 99]. ' +
        'Scan left to right: when ids[i], ids[i + 1] is the pair, push the new id and skip 2; otherwise push ids[i] and move 1.',
      hint: 'Merge (c, c) in "ccc" by hand: which two c\'s should be joined? Check the direction of your replacement.',
      wrong: (_ctx, text, merges) => encodeIds(utf8Bytes(text), merges, true),
    },
    {
      id: 'each-merge-applied-once',
      title: 'each merge applied once, at its first occurrence only',
      message:
        'You go through the merges in list order and replace only the first place where each pair occurs, so "ab ab" with the merge (a, b) ' +
        'keeps its second "ab" as two bytes. A merge replaces every occurrence of its pair. ' +
        '(Going through the list in order is fine if each merge replaces all its occurrences: for a list whose merges only use earlier ids, ' +
        'as trainBpe makes, that gives the same result as "lowest rank first".)',
      hint: 'Try "ab ab" with the one merge (a, b): both occurrences should be merged. How many does your code replace?',
      wrong: (_ctx, text, merges) => eachMergeOnce(text, merges),
    },
    {
      id: 'most-frequent-pair-first',
      title: 'the most frequent pair merged first, not the lowest rank',
      message:
        'You pick the pair that occurs most often, as in training. Encoding replays the training in the order it was learned: ' +
        'the pair with the lowest rank (its index in the merge list) goes first, however often another pair occurs in this text.',
      hint: 'Which pair goes first when encoding: the most common one in this text, or the one learned first? Compare with training.',
      wrong: (_ctx, text, merges) => mostFrequentFirst(text, merges),
    },
    {
      id: 'leftmost-pair-first',
      title: 'the leftmost mergeable pair merged first, not the lowest rank',
      message:
        'You scan from the left and merge the first pair that has a merge. The order is by rank, not by position: ' +
        'in "abc" with (b, c) ranked before (a, b), (b, c) goes first and the result is [97, 256]. ' +
        'In each round, look at every adjacent pair and merge the one with the lowest rank.',
      hint: 'Try "abc" with (b, c) listed before (a, b): which merge should happen first? Position in the text does not decide it.',
      wrong: (_ctx, text, merges) => leftmostFirst(text, merges),
    },
    {
      id: 'greedy-longest-match',
      title: 'longest token first (greedy matching) instead of replaying the merges',
      message:
        'You take, at each position, the longest token the text starts with (as WordPiece does). BPE does not look for long tokens: ' +
        'it replays the merges, lowest rank first, and a long token appears only if its merges happen in that order. ' +
        'Work on pairs of adjacent ids: repeatedly merge the lowest-rank pair present.',
      hint: 'BPE never looks for the longest token: it only merges adjacent pairs, in the order the merges were learned. Where does your code look at pairs?',
      wrong: (_ctx, text, merges) => greedyLongest(text, merges),
    },
  ],
  hints: [
    'Start from the UTF-8 bytes: Array.from(new TextEncoder().encode(text)). The rank of a merge is its index in the list; lower ranks were learned first.',
    'Build a Map from `${a},${b}` to the rank k. Then repeat: look at every adjacent pair, find the one whose rank is lowest, and replace it by 256 + k. Stop when no adjacent pair is in the Map.',
    'Replace every occurrence in one left-to-right pass: at i, if ids[i], ids[i + 1] is the pair, push 256 + k and do i += 2, otherwise push ids[i] and do i += 1 ("ccc" → [256, 99]). Then search again: the new ids may form pairs that have merges.',
  ],
});
