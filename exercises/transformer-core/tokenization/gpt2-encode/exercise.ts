import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { showList, wrongKind } from '../../properties.js';
import { bytesToUnicode, encodeWith, loadGpt2Bpe, NoSuchToken, type EncodeOptions, type Gpt2Bpe } from '../gpt2-data.js';

type Args = [text: string, bpe: Gpt2Bpe];

/** The lesson's worked example. In capitals "'M" is not a contraction for GPT-2, and "O'Toole" must not become "O", "'T", "oole". */
const lessonText = "Hello world! I'M O'Toole.";

const prose =
  "The quick brown fox jumps over the lazy dog. It's 3.14 o'clock, and we've counted 25,000 sheep since 1999, or so I'd heard.\n\n" +
  "They'll say \"Don't panic!\" and you're fine; he's read 12 books, she'll read 7 (that's 19). " +
  "I'M SURE IT'S FINE, SAID O'MALLEY. WE'LL SEE.";

const code = [
  'function add(a, b) {',
  '    // Adds two numbers.',
  '    if (a === undefined) {',
  '        return b;',
  '    }',
  '    return a + b;',
  '}',
  '',
  'const total = add(40, 2);  // 42',
  'console.log(`total = ${total}`);',
  '',
].join('\n');

/** Runs of spaces, tabs and newlines, with a few accented Latin letters (each one byte in Latin-1, two in UTF-8). */
const whitespace = '  two leading spaces,   three inside\tone tab\t\ttwo tabs\n\n\nthree newlines   \n    indented: naïve café   ';

/** Chinese (3 UTF-8 bytes per character), emoji (4 bytes, plus a skin-tone modifier and a flag) and other scripts. */
const scripts =
  '自然语言处理是人工智能的一个分支。我们今天学习分词：把文本切成词元。\n' +
  'Emoji 👋🏽🎉🤖 and a flag 🇫🇷; Ελληνικά, русский, العربية, हिन्दी, 日本語のテキスト, 한국어!';

/** No whitespace at all; every letter is a single character of GPT-2's byte alphabet (ł is U+0142). */
const csvRow = 'Zürich,München,Genève,Málaga,Wrocław,Ærøskøbing,São-Paulo';

const endOfText = 'Last line of one document.<|endoftext|>First line of the next one.';

const subjects = ['The model', 'A tokenizer', 'My friend', 'Alice', 'Bob', 'The old server', 'Every student', 'Our team'];
const verbs = ['reads', 'splits', 'counts', "doesn't merge", 'encodes', 'writes', "can't find", 'compares'];
const objects = ['the text', 'two bytes', 'every word', 'the vocabulary', 'a long sentence', 'the merges', 'an emoji', 'the numbers'];
const tails = ['today', 'again', "when it's late", 'in 3 steps', 'before lunch', 'for the 2nd time', "and we'll see", 'quickly'];
const ends = ['.', '!', '?', '...', '.', ';'];

/** A few sentences from a small word list, chosen by the seeded generator. */
function randomSentences(rng: Rng, count: number): string {
  const sentences: string[] = [];
  for (let i = 0; i < count; i++) {
    const number = rng.uniform() < 0.4 ? ` ${rng.int(0, 99999)}` : '';
    sentences.push(`${rng.pick(subjects)} ${rng.pick(verbs)} ${rng.pick(objects)}${number} ${rng.pick(tails)}${rng.pick(ends)}`);
  }
  return sentences.join(rng.uniform() < 0.5 ? ' ' : '\n');
}

/**
 * A mistaken encoder's output, or the outputs of several ways of writing it.
 * A variant that meets a symbol with no id is left out: that learner's output
 * holds `undefined`, which the tutor reports as a wrong type before any diagnosis.
 * Where no variant differs from the reference the case says nothing about this
 * mistake, and it throws "not applicable". Diagnosis skips such a case either way;
 * the pack-wide test, which replays each mistake as a learner, then also leaves it
 * out (each case it grades costs a structured clone of the 50,000-merge table).
 */
function mistaken(text: string, bpe: Gpt2Bpe, variants: EncodeOptions[]) {
  const outputs: number[][] = [];
  for (const variant of variants) {
    try {
      outputs.push(encodeWith(text, bpe, variant));
    } catch (error) {
      if (!(error instanceof NoSuchToken)) throw error;
    }
  }
  const expected = JSON.stringify(encodeWith(text, bpe));
  if (outputs.every((output) => JSON.stringify(output) === expected)) throw new Error('not applicable: this mistake changes nothing here');
  return outputs.length === 1 ? outputs[0] : anyOf(...outputs);
}

/**
 * A small vocabulary in GPT-2's format for the properties (which get no data
 * files): the 256 byte characters as ids 0–255, then a few English merges.
 */
function smallBpe(): Gpt2Bpe {
  const merges: [string, string][] = [
    ['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['i', 'n'], ['Ġ', 'a'], ['e', 'r'], ['o', 'n'], ['Ġ', 's'],
    ['r', 'e'], ['Ġ', 'w'], ['a', 't'], ['e', 'n'], ['Ġ', 'c'], ['o', 'r'], ['Ġ', 'b'], ['e', 's'],
  ];
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((char, b) => (vocab[char] = b));
  merges.forEach(([a, b], rank) => (vocab[a + b] = 256 + rank));
  return { merges, vocab };
}

/** The text that ids stand for in `bpe`'s vocabulary (undefined where an id is not in it): bytes_to_unicode undone, then UTF-8. */
function decodeIds(ids: number[], bpe: Gpt2Bpe): string | undefined {
  const tokens = new Map(Object.entries(bpe.vocab).map(([token, id]) => [id, token]));
  const byteOf = new Map(bytesToUnicode().map((char, b) => [char, b]));
  if (ids.some((id) => !tokens.has(id))) return undefined;
  const chars = [...ids.map((id) => tokens.get(id)).join('')];
  return new TextDecoder().decode(new Uint8Array(chars.map((c) => byteOf.get(c) ?? 0)));
}

const isIds = (x: unknown): x is number[] => Array.isArray(x) && x.every((id) => Number.isInteger(id));

export default defineExercise<Args, number[]>({
  entry: 'encodeGpt2',
  signature: 'encodeGpt2(text: string, bpe: { merges: [string, string][]; vocab: Record<string, number> }): number[]',
  cases: (rng, { exerciseDir }) => {
    // One object for every case: it reaches the sandbox once per run.
    const bpe = loadGpt2Bpe(exerciseDir);
    const named: [string, string][] = [
      [`the lesson example ${JSON.stringify(lessonText)} (capitals after an apostrophe)`, lessonText],
      ['English prose (contractions, capitals, numbers, punctuation, a blank line)', prose],
      ['code (indentation, braces, a comment, blank lines)', code],
      ['runs of spaces, tabs and newlines (and "naïve café")', whitespace],
      ['Chinese, emoji and other scripts (3- and 4-byte characters)', scripts],
      ['accented names with no spaces ("Zürich,München,...")', csvRow],
      ['"<|endoftext|>" inside the text (plain text here, not the special token)', endOfText],
      ['the empty string', ''],
      ['a single space', ' '],
      ['random sentences (seeded)', randomSentences(rng, rng.int(3, 5))],
    ];
    return named.map(([name, text]) => ({ name, args: [text, bpe] }));
  },
  reference: (_ctx, text, bpe) => encodeWith(text, bpe),
  compare: 'exact',
  timeoutMs: 15000,
  // The vocabulary is shared by every case: frozen, not copied for each call.
  inputsReadOnly: true,
  properties: [
    {
      name: 'decoding the ids with the vocabulary gives the text back',
      cases: (rng) => {
        const bpe = smallBpe();
        return [
          { name: 'random sentences, a blank line and trailing spaces, with a vocabulary of 16 merges', calls: [[`${randomSentences(rng, 2)}\n\n${randomSentences(rng, 1)}   `, bpe]] as Args[] },
          { name: 'Chinese, emoji and runs of whitespace, with a vocabulary of 16 merges', calls: [[`  ${scripts}\n\t end  \n`, bpe]] as Args[] },
        ];
      },
      holds: (outputs, calls) => {
        const odd = wrongKind('encodeGpt2', 'a list of whole numbers', outputs, isIds);
        if (odd) return odd;
        const [text, bpe] = calls[0];
        const ids = outputs[0];
        const decoded = decodeIds(ids, bpe);
        if (decoded === text) return undefined;
        const what =
          decoded === undefined
            ? `your ids include ${ids.find((id) => !Object.values(bpe.vocab).includes(id))}, which is not in the vocabulary given`
            : `your ${ids.length} ids decode to ${JSON.stringify(decoded)}`;
        return (
          `Encoding ${JSON.stringify(text)}: ${what}. Every character of the text, spaces and newlines too, must end up in some token: ` +
          `the pieces cover the whole text, and each token is bytes of it, so decoding gives it back exactly. In the lesson example ${showList([15496, 995])} decode to "Hello world".`
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'no-bytes-to-unicode',
      title: { en: 'characters looked up as they are (bytes_to_unicode skipped)', 'zh-CN': '直接用字符本身查表（跳过了 bytes_to_unicode）' },
      message: {
        en:
          'The vocabulary is not written in your text\'s characters but in bytes_to_unicode\'s: every token is a string of UTF-8 bytes, each byte shown as one printable character. ' +
          'A space is "Ġ", a newline "Ċ", and "é" (bytes C3 A9) is "Ã©". Looking up the raw characters finds no id for a space, and finds the wrong token for "ü" or "ł" ' +
          '(in the vocabulary "ł" stands for the byte A0). Encode each piece to UTF-8 bytes, map every byte through bytes_to_unicode, then run BPE on those characters.',
        'zh-CN':
          '词表不是用你文本中的字符书写的，而是用 bytes_to_unicode 的字符：每个 token 都是一串 UTF-8 字节，每个字节显示为一个可打印字符。' +
          '空格是 "Ġ"，换行符是 "Ċ"，"é"（字节 C3 A9）是 "Ã©"。直接用原始字符查表，空格查不到 id，"ü" 或 "ł" 会查到错误的 token（在词表中 "ł" 代表字节 A0）。' +
          '把每一块编码成 UTF-8 字节，把每个字节经过 bytes_to_unicode 映射，再在这些字符上运行 BPE。',
      },
      hint: {
        en: 'Look up " world" in the vocabulary: it is written "Ġworld". Which table turns each byte into the character the vocabulary uses?',
        'zh-CN': '在词表中查 " world"：它写作 "Ġworld"。哪张表把每个字节变成词表所用的字符？',
      },
      wrong: (_ctx, text, bpe) => mistaken(text, bpe, [{ symbols: 'raw' }, { symbols: 'raw-space' }, { symbols: 'raw-space-newline' }]),
    },
    {
      id: 'latin1-not-utf8',
      title: { en: 'charCodeAt used as the bytes (Latin-1, not UTF-8)', 'zh-CN': '把 charCodeAt 当作字节（Latin-1，而不是 UTF-8）' },
      message: {
        en:
          'str.charCodeAt(i) is a UTF-16 code unit, not a byte. For "é" it gives 233, one symbol, where UTF-8 has two bytes C3 A9 ("Ã©" after bytes_to_unicode); ' +
          'for Chinese characters and emoji it is above 255, which bytes_to_unicode has no entry for. Take the bytes from new TextEncoder().encode(piece).',
        'zh-CN':
          'str.charCodeAt(i) 是一个 UTF-16 码元，不是字节。对 "é" 它给出 233，只是一个符号，而 UTF-8 有两个字节 C3 A9（经过 bytes_to_unicode 后是 "Ã©"）；' +
          '对汉字和 emoji，它大于 255，bytes_to_unicode 中没有对应的项。字节要从 new TextEncoder().encode(piece) 获取。',
      },
      hint: { en: 'Print the bytes you take for "é": UTF-8 has two. Where do your bytes come from?', 'zh-CN': '打印你为 "é" 取到的字节：UTF-8 有两个。你的字节是从哪里来的？' },
      wrong: (_ctx, text, bpe) => mistaken(text, bpe, [{ symbols: 'char-codes' }]),
    },
    {
      id: 'not-lowest-rank-first',
      title: { en: 'pairs merged left to right instead of lowest rank first', 'zh-CN': '从左到右合并相邻对，而不是 rank 最小的先合并' },
      message: {
        en:
          'BPE must replay the merges in the order they were learned: at every step merge the adjacent pair with the smallest rank (its line in vocab.bpe), ' +
          'wherever it is in the piece, and repeat until no adjacent pair is a merge. Merging the first mergeable pair from the left, or sweeping the piece once, ' +
          'builds tokens GPT-2 never builds for that word.',
        'zh-CN':
          'BPE 必须按学到的顺序重放合并：每一步都合并 rank（它在 vocab.bpe 中的行号）最小的相邻对，不论它在块中的什么位置，并重复直到没有任何相邻对是一条合并。' +
          '从左边开始合并第一个可合并的对，或者对整块只扫一遍，都会构造出 GPT-2 对这个词从不构造的 token。',
      },
      hint: {
        en: 'In one piece, which pair should merge first: the leftmost one, or the one with the smallest rank? Check how you choose.',
        'zh-CN': '在一块之内，应该先合并哪一对：最左边的，还是 rank 最小的？检查你的选择方式。',
      },
      wrong: (_ctx, text, bpe) => mistaken(text, bpe, [{ merge: 'leftmost' }, { merge: 'one-sweep' }]),
    },
    {
      id: 'no-pretokenization',
      title: { en: 'BPE run on the whole text (no pre-tokenization)', 'zh-CN': '在整段文本上运行 BPE（没有预分词）' },
      message: {
        en:
          'GPT-2 first cuts the text with its regex (a word with its leading space, a run of digits, a run of punctuation, whitespace) and runs BPE inside each piece only. ' +
          'No token of its vocabulary crosses a piece boundary, so skipping the split mostly goes unnoticed, but not around blank lines: before a word, "\\n\\n" is two pieces for GPT-2, "Ċ" and "Ċ" (198, 198), ' +
          'while BPE over the whole text merges them into "ĊĊ" (628). ' +
          'Split the text into the pieces of tokenization/gpt2-pretokenize first (your pretokenize), and encode each piece on its own.',
        'zh-CN':
          'GPT-2 先用它的正则表达式切分文本（一个带前导空格的单词、一串数字、一串标点、空白），然后只在每一块内部运行 BPE。' +
          '它的词表中没有跨越块边界的 token，所以跳过切分大多不会被发现，但空行附近就不一样了：在一个词之前，"\\n\\n" 对 GPT-2 来说是两块 "Ċ" 和 "Ċ"（198, 198），而在整段文本上做 BPE 会把它们合并成 "ĊĊ"（628）。' +
          '先把文本切成 tokenization/gpt2-pretokenize 中的块（用你的 pretokenize），再分别对每一块编码。',
      },
      hint: {
        en: 'Encode a text with a blank line before a word and compare with the expected ids: GPT-2 splits the text into pieces first, and BPE never crosses a piece boundary.',
        'zh-CN': '对一段在某个词前面有空行的文本编码，并与预期的 id 比较：GPT-2 先把文本切成块，BPE 从不跨越块边界。',
      },
      wrong: (_ctx, text, bpe) => mistaken(text, bpe, [{ split: 'none' }]),
    },
    {
      id: 'case-insensitive-contractions',
      title: { en: 'contractions matched in capitals too ("\'T", "\'M")', 'zh-CN': '大写的缩写也被匹配了（"\'T"、"\'M"）' },
      message: {
        en:
          'GPT-2\'s pattern lists the contractions in lower case only, with no i flag. With the i flag (or a case-insensitive group, as in GPT-4\'s cl100k pattern) ' +
          'an apostrophe followed by a capital S, T, M, D, RE, VE or LL is cut as a contraction: "O\'Toole" gives "O", "\'T", "oole" instead of "O", "\'", "Toole", ' +
          'and "O\'MALLEY" gives "\'M", "ALLEY". Keep the contractions case-sensitive, as in tokenization/gpt2-pretokenize: the flags g and u only.',
        'zh-CN':
          'GPT-2 的模式只列出小写的缩写，没有 i 标志。加了 i 标志（或者像 GPT-4 的 cl100k 模式那样用不区分大小写的分组）之后，撇号后跟大写的 S、T、M、D、RE、VE 或 LL 都会被当作缩写切开：' +
          '"O\'Toole" 给出 "O"、"\'T"、"oole"，而不是 "O"、"\'"、"Toole"；"O\'MALLEY" 给出 "\'M"、"ALLEY"。' +
          '缩写要区分大小写，与 tokenization/gpt2-pretokenize 一样：只用 g 和 u 两个标志。',
      },
      hint: {
        en: 'Split "O\'Toole": GPT-2\'s contractions are lower case only. Check the flags of your pattern.',
        'zh-CN': '切分 "O\'Toole"：GPT-2 的缩写只限小写。检查你的模式的标志。',
      },
      wrong: (_ctx, text, bpe) => mistaken(text, bpe, [{ split: 'case-insensitive' }]),
    },
    {
      id: 'end-of-text-special',
      title: { en: '"<|endoftext|>" in the text mapped to the special id 50256', 'zh-CN': '文本中的 "<|endoftext|>" 被映射成了特殊 id 50256' },
      message: {
        en:
          'Your ids have 50256 where the text says "<|endoftext|>": you treated it as GPT-2\'s special token. GPT-2\'s encoder.py knows no special tokens, ' +
          'so here the string is plain text, cut by the regex and merged like any other: "one document.<|endoftext|>First" is [505, 3188, 29847, 91, 437, 1659, 5239, 91, 29, 5962], ' +
          'with ".<" as one token, where the special id gives [505, 3188, 13, 50256, 5962]. Only a caller that asks for it (tiktoken\'s allowed_special) gets 50256.',
        'zh-CN':
          '在文本写着 "<|endoftext|>" 的地方，你的 id 是 50256：你把它当成了 GPT-2 的特殊 token。GPT-2 的 encoder.py 不认识任何特殊 token，所以这里这个字符串是普通文本，像其他文本一样被正则表达式切分并合并：' +
          '"one document.<|endoftext|>First" 是 [505, 3188, 29847, 91, 437, 1659, 5239, 91, 29, 5962]，其中 ".<" 是一个 token，而用特殊 id 会得到 [505, 3188, 13, 50256, 5962]。' +
          '只有显式要求的调用方（tiktoken 的 allowed_special）才会得到 50256。',
      },
      hint: {
        en: 'GPT-2\'s encode has no special tokens: does every id you return come from the regex pieces and BPE, or does one part of the text skip them?',
        'zh-CN': 'GPT-2 的 encode 没有特殊 token：你返回的每个 id 都来自正则切出的块和 BPE 吗？还是文本中有一部分绕过了它们？',
      },
      wrong: (_ctx, text, bpe) => mistaken(text, bpe, [{ special: true }]),
    },
  ],
  hints: [
    {
      en: 'Do it in four stages and print each for "Hello world! I\'M": the pieces of the regex, the UTF-8 bytes of each piece, those bytes as bytes_to_unicode characters (" world" is "Ġworld"), and the symbols left after BPE. The ids are vocab[symbol].',
      'zh-CN': '分四个阶段来做，并对 "Hello world! I\'M" 打印每个阶段的结果：正则切出的块、每一块的 UTF-8 字节、这些字节对应的 bytes_to_unicode 字符（" world" 是 "Ġworld"），以及 BPE 之后剩下的符号。id 就是 vocab[symbol]。',
    },
    {
      en: 'bytes_to_unicode: the bytes 33–126, 161–172 and 174–255 map to the character with the same code; the other 68 bytes, in increasing order, map to String.fromCharCode(256), (257), ... Build that table once. Bytes come from new TextEncoder().encode(piece), never from charCodeAt.',
      'zh-CN': 'bytes_to_unicode：字节 33–126、161–172 和 174–255 映射到码值相同的字符；其余 68 个字节按从小到大的顺序映射到 String.fromCharCode(256)、(257)、... 这张表只构建一次。字节来自 new TextEncoder().encode(piece)，永远不要来自 charCodeAt。',
    },
    {
      en: 'Build once a Map from `${a} ${b}` to the merge\'s index in bpe.merges (its rank). In each piece: find the adjacent pair with the smallest rank; if there is none, stop; else replace every occurrence of that pair, left to right, by the joined symbol, and look again.',
      'zh-CN': '先构建一个从 `${a} ${b}` 到该合并在 bpe.merges 中的下标（即它的 rank）的 Map。在每一块中：找出 rank 最小的相邻对；如果没有，就停止；否则从左到右把这一对的每次出现替换为连接后的符号，然后再找一遍。',
    },
  ],
});
