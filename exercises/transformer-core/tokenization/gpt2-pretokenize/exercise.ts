import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { wrongKind } from '../../properties.js';

type Args = [text: string];

/** GPT-2's pre-tokenizer pattern (openai/gpt-2 src/encoder.py), alternative by alternative. */
const CONTRACTIONS = "'s|'t|'re|'ve|'m|'ll|'d";
const LETTERS = ' ?\\p{L}+';
const NUMBERS = ' ?\\p{N}+';
const OTHERS = ' ?[^\\s\\p{L}\\p{N}]+';
const SPACES = '\\s+(?!\\S)|\\s+';

const split = (pattern: string, flags = 'gu') => (text: string) => text.match(new RegExp(pattern, flags)) ?? [];
const join = (...parts: string[]) => parts.join('|');

const gpt2Split = split(join(CONTRACTIONS, LETTERS, NUMBERS, OTHERS, SPACES));

const pieces = {
  words: ['the', 'cat', 'Hello', 'world', 'GPT', 'naïve', 'café', 'Ωμέγα', 'слово', '中文', '東京', 'x'],
  numbers: ['42', '2024', '7', '3.14', '٣٤', '½'],
  contractions: ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'LL", "'M"],
  symbols: ['!', '?!', ',', '.', '...', '(', ')', '--', '🙂', '👍🏽', '#', '$'],
  // What comes before a part: mostly one space, sometimes nothing, a run of spaces, a newline or a tab.
  before: ['', ' ', ' ', ' ', ' ', '  ', '   ', '\n', '\n\n', '\t', ' \n'],
};

/** Random text: words (sometimes with a contraction), numbers and symbols, separated by whitespace or nothing. */
function randomText(rng: Rng, parts: number): string {
  let out = '';
  for (let i = 0; i < parts; i++) {
    const kind = rng.pick(['words', 'words', 'words', 'numbers', 'symbols'] as const);
    out += rng.pick(pieces.before) + rng.pick(pieces[kind]);
    if (kind === 'words' && rng.next() < 0.3) out += rng.pick(pieces.contractions);
  }
  return out + (rng.next() < 0.3 ? rng.pick(pieces.before) : '');
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/** A property's `holds` over one call: the learner's output is a list of strings. */
function chunks(check: (pieces: string[], text: string) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => wrongKind('pretokenize', 'a list of strings', outputs, isStrings) ?? check(outputs[0] as string[], calls[0][0]);
}

/** How many UTF-16 units two strings share at their start. */
function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The texts the properties split: one that starts and ends with whitespace, and random text. */
const propertyTexts = (rng: Rng) => [
  { name: 'text that starts and ends with whitespace', calls: [['  Hello,  world!\n\nIt\'s 2024 ']] as Args[] },
  { name: 'random text (words, numbers, contractions, symbols, whitespace)', calls: [[randomText(rng, rng.int(20, 30))]] as Args[] },
];

export default defineExercise<Args, string[]>({
  entry: 'pretokenize',
  signature: 'pretokenize(text: string): string[]',
  compare: 'exact',
  cases: (rng) => [
    { name: 'the lesson example: "Hello  world" (two spaces)', args: ['Hello  world'] },
    { name: 'the lesson example: "I\'M don\'t 12345"', args: ["I'M don't 12345"] },
    { name: 'short random text (words, numbers, contractions, symbols, whitespace)', args: [randomText(rng, rng.int(12, 20))] },
    { name: 'medium random text (words, numbers, contractions, symbols, whitespace)', args: [randomText(rng, rng.int(20, 30))] },
    { name: 'long random text (words, numbers, contractions, symbols, whitespace)', args: [randomText(rng, rng.int(30, 40))] },
    { name: 'empty string', args: [''] },
    { name: 'one word', args: ['hello'] },
    { name: 'only spaces', args: ['   '] },
    { name: 'contractions in lower case', args: ["it's we're they've I'm you'll he'd can't"] },
    { name: 'contractions in capitals (not split off as contractions)', args: ["IT'S WE'RE DON'T"] },
    { name: 'runs of spaces between words', args: ['a   b    c d'] },
    { name: 'trailing spaces', args: ['end   '] },
    { name: 'newlines and tabs', args: ['line one\n\nline two\t\tend\n'] },
    { name: 'a newline right before a word', args: ['a\nb'] },
    { name: 'Unicode letters and numbers: café, 中文, Ωμέγα, ٣٤, ½', args: ['café naïve 中文字 Ωμέγα ٣٤ ½'] },
    { name: 'letters, digits and symbols glued together', args: ['abc123def!!?x'] },
    { name: 'punctuation runs', args: ['Hello, world!!! (yes) -- ok...'] },
    { name: 'emoji (symbols, not letters)', args: ['🙂🙂 ok 👍🏽'] },
    { name: 'apostrophes that are not contractions', args: ["'hello' rock'n'roll ''"] },
  ],
  reference: (_ctx, text) => gpt2Split(text),
  properties: [
    {
      name: 'the pieces joined give the text back',
      cases: propertyTexts,
      holds: chunks((pieces, text) => {
        const joined = pieces.join('');
        if (joined === text) return undefined;
        const at = commonPrefix(joined, text);
        const where = at === text.length ? `they run past its end (${joined.length} UTF-16 units for ${text.length})` : `they first differ from it at index ${at}`;
        return (
          `Your pieces joined are ${JSON.stringify(joined)}, not the text ${JSON.stringify(text)}: ${where}. ` +
          'Pre-tokenizing only cuts the text: every character, spaces and newlines too, lands in exactly one piece, so "Hello  world" gives "Hello" + " " + " world".'
        );
      }),
    },
    {
      name: 'no piece is empty',
      cases: propertyTexts,
      holds: chunks((pieces) => {
        const i = pieces.indexOf('');
        if (i < 0) return undefined;
        return `Your piece ${i} (of ${pieces.length}) is the empty string. Every chunk is a run of at least one character; an empty one would become a token that stands for nothing. text.split leaves empty strings at the edges; text.match with the g flag does not.`;
      }),
    },
  ],
  misconceptions: [
    {
      id: 'case-insensitive-contractions',
      title: { en: 'contractions matched in any case', 'zh-CN': '缩写不区分大小写地匹配' },
      message: {
        en:
          'You split off "\'M", "\'T", "\'RE" in capitals as contractions (an i flag, or (?i:...) as in the GPT-4 pattern). ' +
          'GPT-2\'s pattern is case-sensitive: only \'s, \'t, \'re, \'ve, \'m, \'ll, \'d in lower case are contractions, so "I\'M" is "I", "\'", "M". ' +
          'Use only the flags g and u.',
        'zh-CN':
          '你把大写的 "\'M"、"\'T"、"\'RE" 当作缩写切了出来（用了 i 标志，或者像 GPT-4 模式那样用了 (?i:...)）。GPT-2 的模式区分大小写：' +
          '只有小写的 \'s、\'t、\'re、\'ve、\'m、\'ll、\'d 才是缩写，所以 "I\'M" 是 "I"、"\'"、"M"。只用 g 和 u 两个标志。',
      },
      hint: { en: 'Split "I\'M": GPT-2\'s contractions are lower case only. Check your flags.', 'zh-CN': '切分 "I\'M"：GPT-2 的缩写只限小写。检查你的标志。' },
      wrong: (_ctx, text) => split(join(CONTRACTIONS, LETTERS, NUMBERS, OTHERS, SPACES), 'giu')(text),
    },
    {
      id: 'whitespace-without-lookahead',
      title: { en: 'a run of whitespace kept whole, its last space not given back', 'zh-CN': '一串空白被整串拿走，没有交还最后一个空格' },
      message: {
        en:
          'Your whitespace alternative takes the whole run, so "Hello  world" gives "  " and then "world" without its space. ' +
          'GPT-2 first tries a run of whitespace that is not followed by a non-space (a negative lookahead), which leaves the last space of a run to the word after it ' +
          '("Hello", " ", " world"). Only when that cannot match (one whitespace character right before a word) does it take any run.',
        'zh-CN':
          '你的空白分支拿走了整串空白，所以 "Hello  world" 给出 "  "，然后是不带空格的 "world"。' +
          'GPT-2 先尝试一串后面不跟非空白字符的空白（负向先行断言），这样一串空白的最后一个空格就留给了后面的单词（"Hello"、" "、" world"）。' +
          '只有当这一项无法匹配时（紧挨在单词前的单个空白字符），它才拿走任意一串空白。',
      },
      hint: {
        en: 'Split "Hello  world" (two spaces): GPT-2 gives " world" its space. How does your whitespace alternative leave the last space to the word?',
        'zh-CN': '切分 "Hello  world"（两个空格）：GPT-2 把空格给了 " world"。你的空白分支怎样把最后一个空格留给单词？',
      },
      wrong: (_ctx, text) => split(join(CONTRACTIONS, LETTERS, NUMBERS, OTHERS, '\\s+'))(text),
    },
    {
      id: 'space-not-attached',
      title: { en: 'the space before a word is a chunk of its own', 'zh-CN': '单词前的空格自成一块' },
      message: {
        en:
          'Your chunks for letters, numbers and symbols have no optional leading space, so " world" comes out as " " and "world". ' +
          'GPT-2 attaches one optional space to the run that follows it, whether letters, numbers or other symbols. ' +
          'That is why most GPT-2 tokens for words begin with a space (Ġ in its vocabulary).',
        'zh-CN':
          '你的字母、数字和符号这几类块都没有可选的前导空格，所以 " world" 变成了 " " 和 "world"。' +
          'GPT-2 把一个可选空格并入它后面的那一串，不论是字母、数字还是其他符号。这就是为什么 GPT-2 的大多数单词 token 都以空格开头（在它的词表中写作 Ġ）。',
      },
      hint: {
        en: 'Split "Hello world": GPT-2 keeps the space with the word, " world". Which alternatives take an optional space?',
        'zh-CN': '切分 "Hello world"：GPT-2 把空格和单词放在一起，" world"。哪些分支可以带一个可选空格？',
      },
      wrong: (_ctx, text) => split(join(CONTRACTIONS, '\\p{L}+', '\\p{N}+', '[^\\s\\p{L}\\p{N}]+', SPACES))(text),
    },
    {
      id: 'any-whitespace-attached',
      title: { en: 'any whitespace (\\s?) attached to a word, not just a space', 'zh-CN': '任何空白（\\s?）都并入单词，而不只是空格' },
      message: {
        en:
          'You attach \\s? to the next word, so a newline or a tab becomes part of it ("\\nb"). GPT-2 attaches only a plain space (" ?"); ' +
          'a newline or tab before a word is a chunk of its own.',
        'zh-CN':
          '你把 \\s? 并入下一个单词，所以换行符或制表符会成为单词的一部分（"\\nb"）。GPT-2 只并入普通空格（" ?"）；单词前的换行符或制表符自成一块。',
      },
      hint: {
        en: 'Split "a\\nb": only a plain space joins the next word. What does your optional prefix match?',
        'zh-CN': '切分 "a\\nb"：只有普通空格才会并入下一个单词。你的可选前缀匹配的是什么？',
      },
      wrong: (_ctx, text) => split(join(CONTRACTIONS, '\\s?\\p{L}+', '\\s?\\p{N}+', '\\s?[^\\s\\p{L}\\p{N}]+', SPACES))(text),
    },
    {
      id: 'ascii-letter-classes',
      title: { en: 'ASCII classes ([A-Za-z], [0-9] or \\w) instead of \\p{L} and \\p{N}', 'zh-CN': '用了 ASCII 字符类（[A-Za-z]、[0-9] 或 \\w），而不是 \\p{L} 和 \\p{N}' },
      message: {
        en:
          'Your letters are [A-Za-z] (or \\w, which also takes digits and _), so "café" is cut into "caf" and "é", and 中文 or Ωμέγα are not letters at all. ' +
          'Use \\p{L} for any letter and \\p{N} for any number, with the u flag (/.../gu): they follow Unicode, as the regex module does in GPT-2\'s Python.',
        'zh-CN':
          '你的字母是 [A-Za-z]（或 \\w，它还包括数字和 _），所以 "café" 被切成 "caf" 和 "é"，而 "中文" 或 Ωμέγα 根本不算字母。' +
          '用 \\p{L} 表示任何字母，用 \\p{N} 表示任何数字，并带上 u 标志（/.../gu）：它们遵循 Unicode，就像 GPT-2 的 Python 代码中的 regex 模块那样。',
      },
      hint: { en: 'Split "café": your pattern cuts the é off. Which character classes know every alphabet?', 'zh-CN': '切分 "café"：你的模式把 é 切掉了。哪些字符类认识所有字母表？' },
      wrong: (_ctx, text) =>
        anyOf(
          split(join(CONTRACTIONS, ' ?[A-Za-z]+', ' ?[0-9]+', ' ?[^\\sA-Za-z0-9]+', SPACES))(text),
          // With \w, letters and digits (and _) form one class: "abc123" is one chunk.
          split(join(CONTRACTIONS, ' ?\\w+', ' ?[^\\s\\w]+', SPACES))(text),
        ),
    },
    {
      id: 'no-contractions',
      title: { en: 'contractions not split off', 'zh-CN': '没有把缩写切出来' },
      message: {
        en:
          'Your pattern has no contraction alternatives (or tries them after the symbols), so "don\'t" gives " don", "\'", "t" instead of " don", "\'t". ' +
          'Try the contractions \'s, \'t, \'re, \'ve, \'m, \'ll, \'d first: alternatives are tried in order at each position, and the first that matches wins.',
        'zh-CN':
          '你的模式没有缩写分支（或者在符号之后才尝试它们），所以 "don\'t" 给出 " don"、"\'"、"t"，而不是 " don"、"\'t"。' +
          '先尝试缩写 \'s、\'t、\'re、\'ve、\'m、\'ll、\'d：在每个位置上，各分支按顺序尝试，第一个匹配上的胜出。',
      },
      hint: {
        en: 'Split "don\'t": GPT-2 gives " don" and "\'t". Which alternatives come first in the pattern?',
        'zh-CN': '切分 "don\'t"：GPT-2 给出 " don" 和 "\'t"。在你的模式中，哪些分支排在最前面？',
      },
      wrong: (_ctx, text) => split(join(LETTERS, NUMBERS, OTHERS, SPACES))(text),
    },
  ],
  hints: [
    {
      en: 'This is one regular expression: text.match(pattern) with the g flag returns every chunk in order (and null for an empty text, so return [] then).',
      'zh-CN': '这是一个正则表达式：带 g 标志的 text.match(pattern) 会按顺序返回每一块（对空文本返回 null，这时返回 []）。',
    },
    {
      en: 'Alternatives are tried left to right at each position: contractions first, then an optional space plus letters, digits or other symbols, then whitespace. \\p{L} and \\p{N} need the u flag.',
      'zh-CN': '在每个位置上，各分支从左到右依次尝试：先是缩写，然后是可选空格加字母、数字或其他符号，最后是空白。\\p{L} 和 \\p{N} 需要 u 标志。',
    },
    {
      en: 'Whitespace takes two tries: first a run not followed by a non-space (a negative lookahead), so that before a word the last space is given back and " world" keeps it; then, for the single character left, any run. "Hello  world" → "Hello", " ", " world".',
      'zh-CN': '空白要尝试两次：先尝试一串后面不跟非空白字符的空白（负向先行断言），这样在单词前面最后一个空格会被交还，" world" 就能保留它；然后，对剩下的单个字符，匹配任意一串空白。"Hello  world" → "Hello"、" "、" world"。',
    },
  ],
});
