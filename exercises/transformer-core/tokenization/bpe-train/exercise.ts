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
      title: { en: 'ties go to the smallest pair, not the first one seen', 'zh-CN': '平局时取最小的一对，而不是最先出现的一对' },
      message: {
        en:
          'When two pairs are equally frequent, your merge is the pair with the smallest ids (the rule of Hugging Face tokenizers). ' +
          'Here the tie goes to the pair whose first occurrence comes earliest in the current sequence, as Python\'s max over a dict does in minbpe. ' +
          'Count into a Map (it keeps insertion order) and scan it with a strict >. ' +
          'A plain object keyed by a number such as a * 1000 + b also gives this: JavaScript lists integer keys in ascending order, not in insertion order.',
        'zh-CN':
          '当两对出现次数相同时，你合并的是 id 最小的那一对（Hugging Face tokenizers 的规则）。这里平局时取在当前序列中首次出现位置最靠前的那一对，就像 minbpe 中 Python 对 dict 取 max 那样。' +
          '把计数存进一个 Map（它保持插入顺序），并用严格的 > 扫描。用以数字（比如 a * 1000 + b）为键的普通对象也会得到最小的一对：JavaScript 按升序列出整数键，而不是按插入顺序。',
      },
      hint: {
        en: 'When two pairs are equally frequent, which one does your scan keep? The rule here is the one whose first occurrence comes first; check how your counts are stored and ordered.',
        'zh-CN': '当两对出现次数相同时，你的扫描保留的是哪一对？这里的规则是首次出现最早的那一对；检查一下你的计数是怎样存储和排序的。',
      },
      wrong: withTie('smallest-pair'),
    },
    {
      id: 'tie-largest-pair',
      title: { en: 'ties go to the largest pair, not the first one seen', 'zh-CN': '平局时取最大的一对，而不是最先出现的一对' },
      message: {
        en:
          'When two pairs are equally frequent, your merge is the pair with the largest ids, as subword-nmt\'s max over (count, pair) gives, ' +
          'or as sorting on (count, pair), both descending, does. Here the tie goes to the pair whose first occurrence comes earliest in the current sequence: ' +
          'count into a Map (it keeps insertion order) and keep the first maximum (a strict >), with no second sort key.',
        'zh-CN':
          '当两对出现次数相同时，你合并的是 id 最大的那一对，这就是 subword-nmt 在 (count, pair) 上取 max 的结果，或者按 (count, pair) 都降序排序的结果。' +
          '这里平局时取在当前序列中首次出现位置最靠前的那一对：把计数存进一个 Map（它保持插入顺序），保留第一个最大值（严格的 >），不要第二个排序键。',
      },
      hint: {
        en: 'When two pairs are equally frequent, which one does your scan keep? The rule here is the one whose first occurrence comes first, with no sort on the pair.',
        'zh-CN': '当两对出现次数相同时，你的扫描保留的是哪一对？这里的规则是首次出现最早的那一对，不对相邻对本身排序。',
      },
      wrong: withTie('largest-pair'),
    },
    {
      id: 'tie-last-occurrence',
      title: { en: 'ties go to the last pair seen (>= instead of >)', 'zh-CN': '平局时取最后看到的一对（用了 >= 而不是 >）' },
      message: {
        en:
          'When two pairs are equally frequent, your merge is the one that appears last. A scan with count >= best replaces the best on every tie. ' +
          'Use a strict >, so the pair seen first, which the Map lists first, is kept.',
        'zh-CN':
          '当两对出现次数相同时，你合并的是最后出现的那一对。用 count >= best 扫描，每次平局都会替换当前最佳。请用严格的 >，这样就会保留最先看到的那一对，也就是 Map 中排在前面的那一对。',
      },
      hint: {
        en: 'When two pairs are equally frequent, your scan keeps the later one. Look at the comparison that replaces the best pair.',
        'zh-CN': '当两对出现次数相同时，你的扫描保留了后面那一对。看看替换最佳对的那个比较。',
      },
      wrong: withTie('last-occurrence'),
    },
    {
      id: 'right-to-left-merge',
      title: { en: 'occurrences merged right to left', 'zh-CN': '从右往左合并各处出现' },
      message: {
        en:
          'In a run such as "aaa", you merge the last two tokens: [a, Z] instead of [Z, a]. The next counts then see different pairs, and later merges differ. ' +
          'Scan left to right: when ids[i], ids[i + 1] is the pair, push the new id and skip 2; otherwise push ids[i] and move 1.',
        'zh-CN':
          '在 "aaa" 这样的连续段中，你合并了最后两个 token：得到 [a, Z] 而不是 [Z, a]。这样下一轮计数看到的相邻对就不同，之后的合并也会不同。' +
          '从左往右扫描：当 ids[i], ids[i + 1] 正是这一对时，push 新 id 并跳过 2 个；否则 push ids[i] 并前进 1 个。',
      },
      hint: {
        en: 'Merge (a, a) in "aaa" by hand: which two a\'s should be joined? Check the direction of your replacement.',
        'zh-CN': '手动在 "aaa" 中做合并 (a, a)：应该连接哪两个 a？检查你替换的方向。',
      },
      wrong: (_ctx, text, vocabSize) => trainBpe(text, vocabSize, { fromRight: true }),
    },
    {
      id: 'utf16-code-units',
      title: { en: 'characters (charCodeAt or code points) instead of UTF-8 bytes', 'zh-CN': '用了字符（charCodeAt 或码位），而不是 UTF-8 字节' },
      message: {
        en:
          'You start from charCodeAt (or codePointAt), so "é" is the one id 233 instead of the two bytes [195, 169], ' +
          '"中" is 20013 (far above 255) and "🙂" is two surrogates. Byte-level BPE starts from the UTF-8 bytes: ' +
          'Array.from(new TextEncoder().encode(text)). Every id is then 0..255 and no text is ever out of vocabulary.',
        'zh-CN':
          '你从 charCodeAt（或 codePointAt）出发，所以 "é" 是单个 id 233，而不是两个字节 [195, 169]，"中" 是 20013（远大于 255），"🙂" 则是两个代理项。' +
          '字节级 BPE 从 UTF-8 字节出发：Array.from(new TextEncoder().encode(text))。这样每个 id 都在 0..255 之间，任何文本都不会超出词表。',
      },
      hint: {
        en: 'Encode "é" your way and print the ids: byte-level BPE starts from 2 bytes here. Where do your first ids come from?',
        'zh-CN': '按你的方式对 "é" 编码并打印 id：字节级 BPE 在这里从 2 个字节出发。你最初的 id 是从哪里来的？',
      },
      wrong: (_ctx, text, vocabSize) => anyOf(trainIds(utf16Units(text), vocabSize - 256), trainIds(codePoints(text), vocabSize - 256)),
    },
    {
      id: 'non-overlapping-counts',
      title: { en: 'pair counts skip overlapping occurrences', 'zh-CN': '相邻对计数跳过了重叠的出现' },
      message: {
        en:
          'In a run such as "aaaa" you count (a, a) 2 times, the number of replacements a merge would make. ' +
          'The counts here include overlapping occurrences, so it is 3, as minbpe counts: add 1 for every position i where ids[i], ids[i + 1] is the pair.',
        'zh-CN':
          '在 "aaaa" 这样的连续段中，你把 (a, a) 计为 2 次，也就是一次合并会替换的处数。这里的计数包括重叠的出现，所以应该是 3，和 minbpe 的计数一样：' +
          '对每个满足 ids[i], ids[i + 1] 正是这一对的位置 i，都加 1。',
      },
      hint: { en: 'Count the pair (a, a) in "aaaa" by hand at every position: how many positions start it?', 'zh-CN': '手动在 "aaaa" 的每个位置上数一数 (a, a)：有多少个位置是它的起点？' },
      wrong: (_ctx, text, vocabSize) => trainBpe(text, vocabSize, { nonOverlapping: true }),
    },
    {
      id: 'stops-when-no-pair-repeats',
      title: { en: 'training stops when the best pair occurs only once', 'zh-CN': '最佳相邻对只出现一次时训练就停止了' },
      message: {
        en:
          'You stop as soon as no pair occurs twice (subword-nmt\'s min_frequency of 2). Here a pair seen once is still merged: ' +
          'do vocabSize − 256 merges, and stop early only when no pair is left (the sequence has fewer than two tokens).',
        'zh-CN':
          '一旦没有任何相邻对出现两次，你就停止了（subword-nmt 的 min_frequency 为 2）。这里只出现一次的相邻对也照样合并：' +
          '做 vocabSize − 256 条合并，只有在没有相邻对时（序列少于两个 token）才提前停止。',
      },
      hint: { en: 'When does your loop stop? A pair that occurs once can still be merged here.', 'zh-CN': '你的循环什么时候停止？在这里，只出现一次的相邻对也可以合并。' },
      wrong: (_ctx, text, vocabSize) => trainBpe(text, vocabSize, { minCount: 2 }),
    },
    {
      id: 'sequence-not-updated',
      title: { en: 'the merged sequence is not kept, so the same pair is merged again', 'zh-CN': '没有保留合并后的序列，所以同一对被反复合并' },
      message: {
        en:
          'Every round counts the original bytes again, so every merge is the same pair. ' +
          'The merge returns a new sequence: assign it back (ids = merge(ids, pair, 256 + k)), so that the next round counts the pairs of the merged sequence.',
        'zh-CN':
          '每一轮都重新统计原始字节，所以每条合并都是同一对。合并返回的是一个新序列：把它赋值回去（ids = merge(ids, pair, 256 + k)），这样下一轮统计的才是合并后序列中的相邻对。',
      },
      hint: { en: 'Print the sequence at the start of each round: does it show the last merge?', 'zh-CN': '在每一轮开始时打印序列：它体现了上一条合并吗？' },
      wrong: (_ctx, text, vocabSize) => trainBpe(text, vocabSize, { updateSequence: false }),
    },
    {
      id: 'merge-count-off-by-one',
      title: { en: 'one merge too many or too few', 'zh-CN': '合并多了一条或少了一条' },
      message: {
        en:
          'The vocabulary has 256 byte ids, and each merge adds one id, so vocabSize − 256 merges make exactly vocabSize ids. ' +
          'A loop such as for (let id = 256; id <= vocabSize; id++) does one merge too many, and vocabSize − 257 does one too few.',
        'zh-CN':
          '词表有 256 个字节 id，每条合并增加一个 id，所以 vocabSize − 256 条合并恰好构成 vocabSize 个 id。' +
          '像 for (let id = 256; id <= vocabSize; id++) 这样的循环会多做一条合并，而 vocabSize − 257 会少做一条。',
      },
      hint: {
        en: 'Count the merges you return for vocabSize = 258: the 256 bytes plus the merges should make exactly vocabSize ids.',
        'zh-CN': '数一数 vocabSize = 258 时你返回了几条合并：256 个字节加上这些合并，应该恰好是 vocabSize 个 id。',
      },
      wrong: (_ctx, text, vocabSize) => anyOf(trainBpe(text, vocabSize + 1), trainBpe(text, vocabSize - 1)),
    },
  ],
  hints: [
    {
      en: 'Start from the UTF-8 bytes: Array.from(new TextEncoder().encode(text)). Then repeat vocabSize − 256 times: count every adjacent pair, take the most frequent one, record it, and replace it in the sequence by the next id (256, 257, …).',
      'zh-CN': '从 UTF-8 字节出发：Array.from(new TextEncoder().encode(text))。然后重复 vocabSize − 256 次：统计每个相邻对，取出现次数最多的一对，记录下来，并在序列中把它替换为下一个 id（256, 257, …）。',
    },
    {
      en: 'Count into a Map keyed by `${a},${b}`: it keeps the pairs in order of first occurrence. Scan it with a strict > and the first of several equally frequent pairs wins, which is the tie rule here. Recount on the merged sequence in every round.',
      'zh-CN': '把计数存进以 `${a},${b}` 为键的 Map：它按首次出现的顺序保存各相邻对。用严格的 > 扫描，出现次数相同的几对中第一个胜出，这正是这里的平局规则。每一轮都在合并后的序列上重新计数。',
    },
    {
      en: 'Replace left to right: at i, if ids[i], ids[i + 1] is the pair, push the new id and do i += 2, otherwise push ids[i] and do i += 1 ("aaa" → [Z, a]). Merge even a pair seen once; stop early only when the sequence has fewer than two tokens.',
      'zh-CN': '从左到右替换：在位置 i，如果 ids[i], ids[i + 1] 正是这一对，就 push 新 id 并 i += 2，否则 push ids[i] 并 i += 1（"aaa" → [Z, a]）。只出现一次的相邻对也要合并；只有在序列少于两个 token 时才提前停止。',
    },
  ],
});
