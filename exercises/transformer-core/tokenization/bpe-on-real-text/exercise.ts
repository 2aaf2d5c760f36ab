/// <reference types="node" />
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { alphabets, encode, randomText, tokenBytes, trainBpe, utf8Bytes, type Pair } from '../bpe-math.js';

type Args = [train: string, heldOut: string, numMerges: number];

/** What the learner returns: the merges learned on `train`, the ids of `heldOut`, and its UTF-8 bytes per id. */
interface Compression {
  merges: Pair[];
  ids: number[];
  bytesPerToken: number;
}

/** The two passages shipped in data/ (see data/PROVENANCE.md): the opening of Coriolanus, and the lines that follow it. */
function shippedPassages(exerciseDir: string): { train: string; heldOut: string } {
  const read = (name: string) => readFileSync(path.join(exerciseDir, 'data', name), 'utf8');
  return { train: read('train.txt'), heldOut: read('held-out.txt') };
}

/** `numMerges` merges learned on `train` (as trainBpe with vocabSize 256 + numMerges), then `heldOut` encoded with them. */
function compress(train: string, heldOut: string, numMerges: number, bytesOf: (text: string) => number = (text) => utf8Bytes(text).length): Compression {
  const merges = trainBpe(train, 256 + numMerges);
  const ids = encode(heldOut, merges);
  return { merges, ids, bytesPerToken: bytesOf(heldOut) / ids.length };
}

/** The learner's mistake of handing trainBpe another vocabulary size than 256 + numMerges. */
function withVocabSize(train: string, heldOut: string, vocabSize: number): Compression {
  return compress(train, heldOut, vocabSize - 256);
}

/** A window of about `length` characters of `text`, starting at a random line. */
function randomWindow(rng: Rng, text: string, length: number): string {
  const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)].filter((i) => i + length <= text.length);
  const start = rng.pick(starts);
  return text.slice(start, start + length);
}

/** Whether `ids`, expanded through `merges`, are the UTF-8 bytes of `text`; undefined when they are, else what differs. */
function decodesTo(ids: number[], merges: Pair[], text: string): string | undefined {
  const table = tokenBytes(merges);
  const unknown = ids.find((id) => !table[id]);
  if (unknown !== undefined) return `id ${unknown} is neither a byte nor one of your ${merges.length} merges`;
  const got = ids.flatMap((id) => table[id]);
  const want = utf8Bytes(text);
  return got.length === want.length && got.every((b, i) => b === want[i]) ? undefined : `your ids expand to ${got.length} bytes that are not the ${want.length} bytes of the held-out text`;
}

export default defineExercise<Args, Compression>({
  entry: 'bpeOnRealText',
  signature: 'bpeOnRealText(train: string, heldOut: string, numMerges: number): { merges: [number, number][]; ids: number[]; bytesPerToken: number }',
  // Ids and merges are integers, so any difference in them fails; the tolerance only forgives bytesPerToken its last bits (bytes · (1 / n)).
  compare: { atol: 0, rtol: 1e-12 },
  cases: (rng, { exerciseDir }) => {
    const { train, heldOut } = shippedPassages(exerciseDir);
    const merges = rng.int(20, 150);
    const windowMerges = rng.int(20, 80);
    return [
      { name: 'the lesson example: train "aaabdaaabac", held-out "daaabaa", 3 merges', args: ['aaabdaaabac', 'daaabaa', 3] },
      { name: 'the shipped passages (Coriolanus), 50 merges', args: [train, heldOut, 50] },
      { name: `the shipped passages, ${merges} merges`, args: [train, heldOut, merges] },
      { name: `a window of about 1 KB of the training passage, ${windowMerges} merges`, args: [randomWindow(rng, train, 1000), heldOut, windowMerges] },
      { name: 'no merges: every byte is a token, 1 byte per token', args: [train, heldOut, 0] },
      { name: 'one merge', args: [train, heldOut, 1] },
      { name: 'more merges asked than the training text allows: "abcab" runs out after 3', args: ['abcab', 'cab abc', 10] },
      { name: 'accents and Chinese: é is 2 UTF-8 bytes, 中 is 3, so bytes per token counts bytes, not characters', args: ['café crème, café noir, 中文中文', 'un café crème 中文', 6] },
      { name: 'a held-out text with none of the training pairs: every byte stays a token', args: ['aaaa', 'xyz', 2] },
      { name: 'random text with accents (2 bytes a character)', args: [randomText(rng, alphabets.latin, 60), randomText(rng, alphabets.latin, 30), rng.int(5, 12)] },
    ];
  },
  reference: (_ctx, train, heldOut, numMerges) => compress(train, heldOut, numMerges),
  trace: (_ctx, train, heldOut, numMerges) => {
    const { merges, ids } = compress(train, heldOut, numMerges);
    return { 'merges learned': merges.length, 'UTF-8 bytes of heldOut': utf8Bytes(heldOut).length, 'tokens of heldOut': ids.length };
  },
  misconceptions: [
    {
      id: 'characters-not-bytes',
      title: { en: 'bytes per token counted in characters (heldOut.length) instead of UTF-8 bytes', 'zh-CN': '「字节/token」按字符数（heldOut.length）计算，而不是 UTF-8 字节数' },
      message: {
        en:
          'Your merges and ids are right, but your bytesPerToken divides the number of characters (heldOut.length, or [...heldOut].length) by the number of tokens. ' +
          'BPE works on UTF-8 bytes, and "é" is 2 of them, "中" 3: divide the UTF-8 byte count, new TextEncoder().encode(heldOut).length, by ids.length. ' +
          'On English prose the two agree; on "un café crème 中文" they do not.',
        'zh-CN':
          '你的 merges 和 ids 是对的，但你的 bytesPerToken 是用字符数（heldOut.length 或 [...heldOut].length）除以 token 数。' +
          'BPE 处理的是 UTF-8 字节，"é" 占 2 个字节，"中" 占 3 个：应该用 UTF-8 字节数 new TextEncoder().encode(heldOut).length 除以 ids.length。' +
          '在英文散文上两者一致；在 "un café crème 中文" 上就不一致了。',
      },
      hint: {
        en: 'How many bytes is "café"? Count them with TextEncoder, not with .length, and compare with the number you divide.',
        'zh-CN': '"café" 有多少个字节？用 TextEncoder 而不是 .length 来数，再和你拿去做除法的那个数比较。',
      },
      wrong: (_ctx, train, heldOut, numMerges) =>
        anyOf(
          compress(train, heldOut, numMerges, (text) => text.length),
          compress(train, heldOut, numMerges, (text) => [...text].length),
        ),
    },
    {
      id: 'tokens-per-byte',
      title: { en: 'tokens per byte instead of bytes per token', 'zh-CN': '算成了「token/字节」，而不是「字节/token」' },
      message: {
        en:
          'Your bytesPerToken is the number of tokens divided by the number of bytes, so it shrinks as compression improves. ' +
          'Compression here is UTF-8 bytes of the held-out text divided by ids.length: 1 with no merges, and more as merges join bytes (7 / 3 in the lesson example).',
        'zh-CN':
          '你的 bytesPerToken 是 token 数除以字节数，所以压缩越好它反而越小。这里的压缩率是留出文本的 UTF-8 字节数除以 ids.length：' +
          '没有合并时为 1，合并把字节连接起来之后变大（课程示例中是 7 / 3）。',
      },
      hint: {
        en: 'With no merges every byte is a token: both ways give 1. With more merges, should your number grow or shrink?',
        'zh-CN': '没有合并时，每个字节都是一个 token：两种算法都得到 1。合并更多时，你的数应该变大还是变小？',
      },
      wrong: (_ctx, train, heldOut, numMerges) => {
        const right = compress(train, heldOut, numMerges);
        return { ...right, bytesPerToken: right.ids.length / utf8Bytes(heldOut).length };
      },
    },
    {
      id: 'trained-on-held-out',
      title: { en: 'the merges learned on the held-out text', 'zh-CN': '在留出文本上学习合并' },
      message: {
        en:
          'Your merges are the ones trainBpe learns on heldOut, not on train. The point of a held-out text is that the tokenizer never saw it: ' +
          'learn the merges on train, then encode heldOut with them. Training on the text you measure makes the compression look better than it is.',
        'zh-CN':
          '你的 merges 是 trainBpe 在 heldOut 上学到的，而不是在 train 上。留出文本的意义就在于分词器从未见过它：在 train 上学习合并，再用它们对 heldOut 编码。' +
          '在你要衡量的文本上训练，会让压缩效果看起来比实际好。',
      },
      hint: { en: 'Which of the two texts do you pass to trainBpe? The held-out text is only encoded.', 'zh-CN': '你把两段文本中的哪一段传给了 trainBpe？留出文本只用来编码。' },
      wrong: (_ctx, _train, heldOut, numMerges) => compress(heldOut, heldOut, numMerges),
    },
    {
      id: 'encoded-training-text',
      title: { en: 'the training text encoded instead of the held-out text', 'zh-CN': '对训练文本编码，而不是对留出文本编码' },
      message: {
        en:
          'Your ids are the encoding of train, not of heldOut. Compression measured on the training text is optimistic, since the merges were chosen for it: ' +
          'encode heldOut with the merges, and divide its UTF-8 bytes by its number of tokens.',
        'zh-CN':
          '你的 ids 是 train 的编码，而不是 heldOut 的。在训练文本上测得的压缩率偏乐观，因为合并就是为它挑选的：' +
          '用这些合并对 heldOut 编码，再用它的 UTF-8 字节数除以它的 token 数。',
      },
      hint: {
        en: 'Which text do you pass to encode? Compare your number of ids with the held-out text\'s length.',
        'zh-CN': '你把哪段文本传给了 encode？把你的 id 个数和留出文本的长度比较一下。',
      },
      wrong: (_ctx, train, _heldOut, numMerges) => compress(train, train, numMerges),
    },
    {
      id: 'num-merges-as-vocab-size',
      title: { en: 'numMerges passed to trainBpe as the vocabulary size', 'zh-CN': '把 numMerges 当作词表大小传给了 trainBpe' },
      message: {
        en:
          'You call trainBpe(train, numMerges), but trainBpe takes a vocabulary size, which counts the 256 byte ids too. ' +
          'Below 256 that asks for no merge at all, so every byte stays a token. Pass 256 + numMerges.',
        'zh-CN':
          '你调用的是 trainBpe(train, numMerges)，但 trainBpe 接收的是词表大小，其中也包括 256 个字节 id。' +
          '小于 256 就等于一条合并都不要，所以每个字节都仍是一个 token。应传入 256 + numMerges。',
      },
      hint: {
        en: 'What does trainBpe\'s second argument count? Compare the length of your merge list with numMerges.',
        'zh-CN': 'trainBpe 的第二个参数数的是什么？把你的合并列表长度和 numMerges 比较一下。',
      },
      wrong: (_ctx, train, heldOut, numMerges) => withVocabSize(train, heldOut, numMerges),
    },
    {
      id: 'merge-count-off-by-one',
      title: { en: 'one merge too many or too few', 'zh-CN': '合并多了一条或少了一条' },
      message: {
        en:
          'Your merge list has one merge more or fewer than numMerges: the vocabulary size is 256 + numMerges (256 bytes, then one id per merge), ' +
          'not 255 + numMerges or 257 + numMerges.',
        'zh-CN':
          '你的合并列表比 numMerges 多一条或少一条：词表大小是 256 + numMerges（256 个字节，再加每条合并一个 id），而不是 255 + numMerges 或 257 + numMerges。',
      },
      hint: {
        en: 'Count the merges you return for numMerges = 3: it should be 3, the lesson example has [[97, 97], [256, 97], [257, 98]].',
        'zh-CN': '数一数 numMerges = 3 时你返回了几条合并：应该是 3 条，课程示例中是 [[97, 97], [256, 97], [257, 98]]。',
      },
      wrong: (_ctx, train, heldOut, numMerges) => anyOf(withVocabSize(train, heldOut, 257 + numMerges), withVocabSize(train, heldOut, 255 + numMerges)),
    },
  ],
  hints: [
    {
      en: 'Three steps, two of them yours already: learn the merges on train with the trainBpe of your bpe-train file, encode heldOut with the encode of your bpe-encode file, then divide. Mind what trainBpe\'s second argument counts.',
      'zh-CN': '三步，其中两步你已经写好了：用你 bpe-train 文件中的 trainBpe 在 train 上学习合并，用你 bpe-encode 文件中的 encode 对 heldOut 编码，然后做除法。注意 trainBpe 的第二个参数数的是什么。',
    },
    {
      en: 'bytesPerToken is the held-out text\'s UTF-8 byte count (TextEncoder, not .length) divided by the number of ids. Learn the merges on train only, and encode only heldOut.',
      'zh-CN': 'bytesPerToken 是留出文本的 UTF-8 字节数（用 TextEncoder，不是 .length）除以 id 的个数。只在 train 上学习合并，只对 heldOut 编码。',
    },
  ],
  properties: [
    {
      name: 'the ids, expanded through the merges, are the bytes of the held-out text',
      cases: (rng) => [{ name: 'random text with accents, 8 merges', calls: [[randomText(rng, alphabets.mixed, 50), randomText(rng, alphabets.mixed, 25), 8]] }],
      holds: ([out], [[, heldOut]]) => {
        const problem = decodesTo(out.ids, out.merges, heldOut);
        return problem && `Decoding your ids with your merges should give back heldOut, but ${problem}.`;
      },
    },
    {
      name: 'more merges extend the merge list and never give more tokens',
      cases: (rng) => {
        const [train, heldOut] = [randomText(rng, alphabets.ascii, 60), randomText(rng, alphabets.ascii, 30)];
        return [{ name: 'random text, 4 then 12 merges', calls: [[train, heldOut, 4], [train, heldOut, 12]] }];
      },
      holds: ([few, more]) => {
        const prefix = few.merges.every(([a, b], k) => more.merges[k]?.[0] === a && more.merges[k]?.[1] === b);
        if (!prefix) return 'With 12 merges your merge list should begin with your 4 merges: training learns them one after the other, and the first 4 do not depend on how many follow.';
        if (more.ids.length > few.ids.length) return `With 12 merges you return ${more.ids.length} tokens, more than the ${few.ids.length} of 4 merges: a later merge only joins tokens.`;
        return undefined;
      },
    },
  ],
});
