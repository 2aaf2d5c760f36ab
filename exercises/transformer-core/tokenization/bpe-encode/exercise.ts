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
      title: { en: 'characters (charCodeAt or code points) instead of UTF-8 bytes', 'zh-CN': '用了字符（charCodeAt 或码位），而不是 UTF-8 字节' },
      message: {
        en:
          'You start from charCodeAt (or codePointAt), so "é" is the one id 233 instead of the two bytes [195, 169], and "中" is 20013. ' +
          'The merges were learned on UTF-8 bytes, so start from Array.from(new TextEncoder().encode(text)): every id is then 0..255.',
        'zh-CN':
          '你从 charCodeAt（或 codePointAt）出发，所以 "é" 是单个 id 233，而不是两个字节 [195, 169]，"中" 则是 20013。' +
          '合并是在 UTF-8 字节上学到的，所以要从 Array.from(new TextEncoder().encode(text)) 出发：这样每个 id 都在 0..255 之间。',
      },
      hint: {
        en: 'Encode "é" and print your first ids: the merges were learned on bytes, and "é" is 2 of them.',
        'zh-CN': '对 "é" 编码并打印你的前几个 id：合并是在字节上学到的，而 "é" 占 2 个字节。',
      },
      wrong: (_ctx, text, merges) => anyOf(encodeIds(utf16Units(text), merges), encodeIds(codePoints(text), merges)),
    },
    {
      id: 'right-to-left-merge',
      title: { en: 'occurrences merged right to left', 'zh-CN': '从右往左合并各处出现' },
      message: {
        en:
          'In a run such as "ccc" with the merge (c, c), you merge the last two bytes and get [99, 256]; the convention is [256, 99]. ' +
          'Scan left to right: when ids[i], ids[i + 1] is the pair, push the new id and skip 2; otherwise push ids[i] and move 1.',
        'zh-CN':
          '在 "ccc" 这样的连续段中，有合并 (c, c) 时，你合并了最后两个字节，得到 [99, 256]；约定的结果是 [256, 99]。' +
          '从左往右扫描：当 ids[i], ids[i + 1] 正是这一对时，push 新 id 并跳过 2 个；否则 push ids[i] 并前进 1 个。',
      },
      hint: {
        en: 'Merge (c, c) in "ccc" by hand: which two c\'s should be joined? Check the direction of your replacement.',
        'zh-CN': '手动在 "ccc" 中做合并 (c, c)：应该连接哪两个 c？检查你替换的方向。',
      },
      wrong: (_ctx, text, merges) => encodeIds(utf8Bytes(text), merges, true),
    },
    {
      id: 'each-merge-applied-once',
      title: { en: 'each merge applied once, at its first occurrence only', 'zh-CN': '每条合并只应用一次，只替换第一次出现' },
      message: {
        en:
          'You go through the merges in list order and replace only the first place where each pair occurs, so "ab ab" with the merge (a, b) ' +
          'keeps its second "ab" as two bytes. A merge replaces every occurrence of its pair. ' +
          '(Going through the list in order is fine if each merge replaces all its occurrences: for a list whose merges only use earlier ids, ' +
          'as trainBpe makes, that gives the same result as "lowest rank first".)',
        'zh-CN':
          '你按列表顺序逐条处理合并，并且只替换每一对第一次出现的地方，所以有合并 (a, b) 时，"ab ab" 的第二个 "ab" 仍然是两个字节。一条合并要替换它那一对的每一次出现。' +
          '（按列表顺序逐条处理是可以的，前提是每条合并替换它的所有出现：对于每条合并都只使用更早 id 的列表，比如 trainBpe 生成的列表，这与「rank 最小的先合并」结果相同。）',
      },
      hint: {
        en: 'Try "ab ab" with the one merge (a, b): both occurrences should be merged. How many does your code replace?',
        'zh-CN': '用唯一的合并 (a, b) 试试 "ab ab"：两处出现都应该被合并。你的代码替换了几处？',
      },
      wrong: (_ctx, text, merges) => eachMergeOnce(text, merges),
    },
    {
      id: 'most-frequent-pair-first',
      title: { en: 'the most frequent pair merged first, not the lowest rank', 'zh-CN': '先合并出现次数最多的一对，而不是 rank 最小的' },
      message: {
        en:
          'You pick the pair that occurs most often, as in training. Encoding replays the training in the order it was learned: ' +
          'the pair with the lowest rank (its index in the merge list) goes first, however often another pair occurs in this text.',
        'zh-CN':
          '你选的是出现次数最多的一对，就像训练时那样。编码是按学到的顺序重放训练过程：rank（它在合并列表中的下标）最小的那一对先合并，不论另一对在这段文本中出现得多频繁。',
      },
      hint: {
        en: 'Which pair goes first when encoding: the most common one in this text, or the one learned first? Compare with training.',
        'zh-CN': '编码时先合并哪一对：这段文本中最常见的，还是最早学到的？和训练比较一下。',
      },
      wrong: (_ctx, text, merges) => mostFrequentFirst(text, merges),
    },
    {
      id: 'leftmost-pair-first',
      title: { en: 'the leftmost mergeable pair merged first, not the lowest rank', 'zh-CN': '先合并最左边的可合并对，而不是 rank 最小的' },
      message: {
        en:
          'You scan from the left and merge the first pair that has a merge. The order is by rank, not by position: ' +
          'in "abc" with (b, c) ranked before (a, b), (b, c) goes first and the result is [97, 256]. ' +
          'In each round, look at every adjacent pair and merge the one with the lowest rank.',
        'zh-CN':
          '你从左边开始扫描，合并第一个有合并的对。顺序由 rank 决定，而不是位置：在 "abc" 中，如果 (b, c) 的 rank 排在 (a, b) 之前，就先合并 (b, c)，结果是 [97, 256]。' +
          '每一轮都查看所有相邻对，合并 rank 最小的那一对。',
      },
      hint: {
        en: 'Try "abc" with (b, c) listed before (a, b): which merge should happen first? Position in the text does not decide it.',
        'zh-CN': '用排在 (a, b) 之前的 (b, c) 试试 "abc"：应该先做哪条合并？在文本中的位置并不决定这一点。',
      },
      wrong: (_ctx, text, merges) => leftmostFirst(text, merges),
    },
    {
      id: 'greedy-longest-match',
      title: { en: 'longest token first (greedy matching) instead of replaying the merges', 'zh-CN': '先取最长的 token（贪心匹配），而不是重放合并' },
      message: {
        en:
          'You take, at each position, the longest token the text starts with (as WordPiece does). BPE does not look for long tokens: ' +
          'it replays the merges, lowest rank first, and a long token appears only if its merges happen in that order. ' +
          'Work on pairs of adjacent ids: repeatedly merge the lowest-rank pair present.',
        'zh-CN':
          '你在每个位置取文本开头能匹配上的最长 token（就像 WordPiece 那样）。BPE 不寻找长 token：它按 rank 从小到大重放合并，只有当长 token 的各次合并恰好按这个顺序发生时，它才会出现。' +
          '请在相邻 id 对上操作：反复合并现存中 rank 最小的那一对。',
      },
      hint: {
        en: 'BPE never looks for the longest token: it only merges adjacent pairs, in the order the merges were learned. Where does your code look at pairs?',
        'zh-CN': 'BPE 从不寻找最长的 token：它只按合并学到的顺序合并相邻对。你的代码在哪里查看相邻对？',
      },
      wrong: (_ctx, text, merges) => greedyLongest(text, merges),
    },
  ],
  hints: [
    {
      en: 'Start from the UTF-8 bytes: Array.from(new TextEncoder().encode(text)). The rank of a merge is its index in the list; lower ranks were learned first.',
      'zh-CN': '从 UTF-8 字节出发：Array.from(new TextEncoder().encode(text))。一条合并的 rank 就是它在列表中的下标；rank 越小，学到得越早。',
    },
    {
      en: 'Build a Map from `${a},${b}` to the rank k. Then repeat: look at every adjacent pair, find the one whose rank is lowest, and replace it by 256 + k. Stop when no adjacent pair is in the Map.',
      'zh-CN': '建一个从 `${a},${b}` 到 rank k 的 Map。然后重复：查看每个相邻对，找出 rank 最小的那一对，把它替换为 256 + k。当没有相邻对在 Map 中时停止。',
    },
    {
      en: 'Replace every occurrence in one left-to-right pass: at i, if ids[i], ids[i + 1] is the pair, push 256 + k and do i += 2, otherwise push ids[i] and do i += 1 ("ccc" → [256, 99]). Then search again: the new ids may form pairs that have merges.',
      'zh-CN': '在一次从左到右的遍历中替换每一处出现：在位置 i，如果 ids[i], ids[i + 1] 正是这一对，就 push 256 + k 并 i += 2，否则 push ids[i] 并 i += 1（"ccc" → [256, 99]）。然后再搜索一遍：新的 id 可能组成有合并的对。',
    },
  ],
});
