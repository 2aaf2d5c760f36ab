import path from 'node:path';
import { defineExercise, plural, type Rng } from 'llm-tutor/pack';
import { wrongKind } from '../../properties.js';
import { alphabets, decode, encode, encodeIds, expandIds, randomText, tokenBytes, trainBpe, utf8Bytes, utf8Decode, type Pair } from '../bpe-math.js';
import { gpt2MergeIds, loadGpt2Bpe } from '../gpt2-data.js';

type Args = [ids: number[], merges: Pair[]];

/**
 * The bytes of `id` with merge k looked up as merges[id] instead of
 * merges[id − 256] (the mistake). `expanding` holds the ids on the way down.
 */
function bytesIndexedById(id: number, merges: readonly Pair[], expanding: ReadonlySet<number> = new Set()): number[] {
  if (id < 256) return [id];
  const pair = merges[id];
  // Past the end of the list the learner's code throws; a lookup that comes back to an id being expanded recurses until the stack overflows.
  if (!pair) throw new Error(`not applicable: merges[${id}] does not exist, so this code throws here`);
  if (expanding.has(id)) throw new Error(`not applicable: expanding id ${id} comes back to it, so this code overflows the stack`);
  const inner = new Set(expanding).add(id);
  return [...bytesIndexedById(pair[0], merges, inner), ...bytesIndexedById(pair[1], merges, inner)];
}

/** A property case: the ids a correct encoder gives `text` with merges learned on it. */
function encodedText(label: string, text: string, vocabSize: number): { name: string; calls: Args[] } {
  const merges = trainBpe(text, vocabSize);
  return { name: `${label}: ${JSON.stringify(text)}, ${plural(vocabSize - 256, 'merge')} learned on it`, calls: [[encode(text, merges), merges]] };
}

function roundTripCases(rng: Rng) {
  return [
    encodedText('the lesson\'s text', 'aaabdaaabac', 259),
    encodedText('random mixed text', randomText(rng, alphabets.mixed, 24), 256 + rng.int(6, 10)),
    encodedText('random Chinese text', randomText(rng, alphabets.cjk, 18), 256 + rng.int(4, 8)),
  ];
}

export default defineExercise<Args, string>({
  entry: 'decode',
  signature: 'decode(ids: number[], merges: [number, number][]): string',
  compare: 'exact',
  cases: (rng, { exerciseDir }) => {
    // Merges learned on a random text, and the ids of that text (or of a slice of its ids, which may cut a character).
    const random = (label: string, chars: readonly string[], slice = false): { name: string; args: Args } => {
      const text = randomText(rng, chars, rng.int(30, 50));
      const merges = trainBpe(text, 256 + rng.int(8, 15));
      let ids = encode(text, merges);
      if (slice) {
        const start = rng.int(1, Math.floor(ids.length / 3));
        ids = ids.slice(start, start + rng.int(5, 10));
      }
      return { name: `random text (${label}), ${slice ? 'a slice of its ids (it may cut a character)' : 'encoded with merges learned on it'}`, args: [ids, merges] };
    };
    // The bytes of a random Chinese text, its last character cut short by 1 or 2 bytes, then merged.
    const cutShort = (): { name: string; args: Args } => {
      const text = randomText(rng, alphabets.cjk, rng.int(15, 25)) + '文';
      const merges = trainBpe(text, 256 + rng.int(4, 8));
      const drop = rng.int(1, 2);
      return { name: `random Chinese text, its last character cut short by ${plural(drop, 'byte')}`, args: [encodeIds(utf8Bytes(text).slice(0, -drop), merges), merges] };
    };
    const lesson: Pair[] = [
      [97, 97],
      [256, 97],
      [257, 98],
    ];
    // "中" is the bytes 228 184 173 and "文" is 230 150 135; the merges build "中" and leave "文" as bytes.
    const zhong: Pair[] = [
      [228, 184],
      [256, 173],
    ];
    const unicode = 'héhé 中文中文 🙂🙂';
    const unicodeMerges = trainBpe(unicode, 262);
    return [
      { name: 'the lesson example: [258, 100, 258, 97, 99] with its 3 merges', args: [[258, 100, 258, 97, 99], lesson] },
      { name: 'the lesson\'s second example: "中文" as [257, 230, 150, 135]', args: [[257, 230, 150, 135], zhong] },
      random('accented letters: é, è, ç, ü are 2 bytes each', alphabets.latin),
      random('Chinese: 3 bytes a character', alphabets.cjk),
      random('mixed: é, 中, 文, 🙂', alphabets.mixed),
      random('mixed: é, 中, 文, 🙂', alphabets.mixed, true),
      cutShort(),
      { name: 'empty id list', args: [[], lesson] },
      { name: 'bytes only, no merges: "héllo 🙂"', args: [utf8Bytes('héllo 🙂'), []] },
      { name: 'nested merges: 258 is (257, b), 257 is (256, a), 256 is (a, a)', args: [[258, 32, 257], lesson] },
      { name: 'a token that ends in the middle of 中: [256, 173] with 256 = (228, 184)', args: [[256, 173], zhong] },
      { name: 'an emoji split across two tokens: 🙂 as [256, 257]', args: [[256, 257], [[240, 159], [153, 130]]] },
      { name: 'the ids stop in the middle of a character: "hi" then 2 of the 3 bytes of 中', args: [[104, 105, 256], zhong] },
      { name: 'a stray continuation byte: [97, 128, 98]', args: [[97, 128, 98], []] },
      { name: 'Unicode: é, 中文, 🙂 encoded with merges learned on it', args: [encode(unicode, unicodeMerges), unicodeMerges] },
      // More merges than the ids need: merges[id] exists for these ids, so looking a merge up by its id does not throw.
      { name: 'GPT-2\'s 50,000 merges: "Hello world" as [15496, 995]', args: [[15496, 995], gpt2MergeIds(loadGpt2Bpe(path.join(exerciseDir, '..', 'gpt2-encode')))] },
    ];
  },
  reference: (_ctx, ids, merges) => decode(ids, merges),
  properties: [
    {
      name: 'decode(encode(text)) gives back the text',
      cases: roundTripCases,
      holds: (outputs, calls) => {
        const odd = wrongKind('decode', 'a string', outputs, (o) => typeof o === 'string');
        if (odd) return odd;
        const [ids, merges] = calls[0];
        // The ids come from the trusted encoder, so the trusted decoder gives back exactly the text it was given.
        const text = decode(ids, merges);
        if (outputs[0] === text) return undefined;
        return (
          `A correct encoder turned ${JSON.stringify(text)} into [${ids.join(', ')}], and your decode gives back ${JSON.stringify(outputs[0])}. ` +
          'Decoding must undo encoding exactly: every id stands for fixed bytes, and the bytes of all the ids, joined, are the UTF-8 of the text.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'from-char-code-per-byte',
      title: { en: 'each byte turned into a character (String.fromCharCode): mojibake', 'zh-CN': '每个字节转成一个字符（String.fromCharCode）：乱码' },
      message: {
        en:
          'You turn each byte into the character with that code, so "é" (bytes 195, 169) comes out as "Ã©" and "中" as three Latin-1 characters. ' +
          'A character above U+007F takes 2 to 4 bytes in UTF-8, and the bytes must be decoded together: ' +
          'new TextDecoder().decode(new Uint8Array(bytes)).',
        'zh-CN':
          '你把每个字节转成了以它为码位的字符，所以 "é"（字节 195, 169）变成了 "Ã©"，"中" 变成了三个 Latin-1 字符。' +
          'U+007F 以上的字符在 UTF-8 中占 2 到 4 个字节，这些字节必须放在一起解码：new TextDecoder().decode(new Uint8Array(bytes))。',
      },
      hint: {
        en: 'Decode the bytes of "é" and print the result: one character can take two or more bytes. What turns a byte sequence into text?',
        'zh-CN': '把 "é" 的字节解码并打印结果：一个字符可能占两个或更多字节。什么能把字节序列变成文本？',
      },
      wrong: (_ctx, ids, merges) => String.fromCharCode(...expandIds(ids, merges)),
    },
    {
      id: 'decode-per-token',
      title: { en: 'each token decoded on its own, then joined', 'zh-CN': '每个 token 单独解码，再拼接起来' },
      message: {
        en:
          'You decode the bytes of every token separately. A token may hold only part of a character (the first two bytes of "中", ' +
          'or half an emoji), and a part on its own is invalid UTF-8, so it becomes "�" even when the next token completes it. ' +
          'Concatenate the bytes of all the tokens first, then decode once.',
        'zh-CN':
          '你分别解码每个 token 的字节。一个 token 可能只包含某个字符的一部分（"中" 的前两个字节，或半个 emoji），而单独的一部分不是合法的 UTF-8，' +
          '所以即使下一个 token 把它补全，它也会变成 "�"。先把所有 token 的字节拼接起来，再解码一次。',
      },
      hint: {
        en: 'Split "中" over two tokens and decode each on its own: neither part is valid text. When should the bytes be turned into text?',
        'zh-CN': '把 "中" 拆到两个 token 里，分别解码：两部分都不是合法的文本。应该在什么时候把字节变成文本？',
      },
      wrong: (_ctx, ids, merges) => {
        const table = tokenBytes(merges);
        return ids.map((id) => utf8Decode(table[id])).join('');
      },
    },
    {
      id: 'one-level-expansion',
      title: { en: 'merged ids expanded one level only', 'zh-CN': '合并得到的 id 只展开了一层' },
      message: {
        en:
          'You replace a merged id by its pair, but the pair may itself hold merged ids (258 = (257, 98), 257 = (256, 97), …), ' +
          'and an id above 255 stored in a Uint8Array wraps around to id mod 256. Expand recursively, or build a table in merge order: ' +
          'bytes[256 + k] = bytes[left] followed by bytes[right].',
        'zh-CN':
          '你把合并得到的 id 替换成它的那一对，但这一对本身可能还包含合并得到的 id（258 = (257, 98)，257 = (256, 97)，…），' +
          '而大于 255 的 id 存进 Uint8Array 会回绕成 id mod 256。请递归展开，或者按合并顺序构建一张表：bytes[256 + k] = bytes[left] 后接 bytes[right]。',
      },
      hint: {
        en: 'Expand an id whose pair itself holds a merged id: are all the ids you end up with below 256?',
        'zh-CN': '展开一个其配对本身还包含合并 id 的 id：最后得到的所有 id 都小于 256 吗？',
      },
      wrong: (_ctx, ids, merges) => utf8Decode(Array.from(Uint8Array.from(ids.flatMap((id) => (id < 256 ? [id] : merges[id - 256]))))),
    },
    {
      id: 'merges-indexed-by-id',
      title: { en: 'merges[id] instead of merges[id − 256]', 'zh-CN': '用了 merges[id] 而不是 merges[id − 256]' },
      message: {
        en:
          'You look up the merge of an id as merges[id], but merge k makes id 256 + k: id 258 is merges[2]. ' +
          'Where merges[id] does not exist your code throws (the lesson example has 3 merges, so there is no merges[258]); where it does, it decodes another token: ' +
          'with GPT-2\'s 50,000 merges, [15496, 995] comes out as "ryciabogs 3raclhspoglys" instead of "Hello world". The merge of id ≥ 256 is merges[id − 256].',
        'zh-CN':
          '你用 merges[id] 查找一个 id 的合并，但第 k 次合并产生的是 id 256 + k：id 258 是 merges[2]。' +
          '当 merges[id] 不存在时，你的代码会抛出异常（课程示例有 3 条合并，所以没有 merges[258]）；当它存在时，解码出的是另一个 token：' +
          '用 GPT-2 的 50,000 条合并，[15496, 995] 会输出 "ryciabogs 3raclhspoglys" 而不是 "Hello world"。id ≥ 256 的合并是 merges[id − 256]。',
      },
      hint: {
        en: 'Which merge made id 256, the first id above the bytes? Count: merge 0 makes id 256, merge 1 makes 257. Where in the list is the merge of id 258?',
        'zh-CN': '哪一次合并产生了 id 256，也就是字节之后的第一个 id？数一数：合并 0 产生 id 256，合并 1 产生 257。id 258 的合并在列表的什么位置？',
      },
      wrong: (_ctx, ids, merges) => utf8Decode(ids.flatMap((id) => bytesIndexedById(id, merges))),
    },
  ],
  hints: [
    {
      en: 'First turn the ids into bytes, then the bytes into text. Ids 0..255 are bytes already; id 256 + k stands for the bytes of merges[k][0] followed by those of merges[k][1].',
      'zh-CN': '先把 id 变成字节，再把字节变成文本。id 0..255 本身就是字节；id 256 + k 代表 merges[k][0] 的字节后接 merges[k][1] 的字节。',
    },
    {
      en: 'Build a table once: table[b] = [b] for the 256 bytes, then for each merge in order push [...table[left], ...table[right]]. Both ids are earlier, so nested merges are already expanded.',
      'zh-CN': '先构建一张表：对 256 个字节，table[b] = [b]，然后按顺序对每次合并 push [...table[left], ...table[right]]。两个 id 都更早出现，所以嵌套的合并已经展开好了。',
    },
    {
      en: 'Concatenate the bytes of all the ids and decode them together: new TextDecoder().decode(new Uint8Array(bytes)). It replaces an invalid or cut-off sequence by "�" instead of throwing.',
      'zh-CN': '把所有 id 的字节拼接起来，一起解码：new TextDecoder().decode(new Uint8Array(bytes))。它会把非法或被截断的序列替换为 "�"，而不是抛出异常。',
    },
  ],
});
