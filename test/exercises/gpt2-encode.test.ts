import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode as decodeR50k, encode as encodeR50k } from 'gpt-tokenizer/encoding/r50k_base';
import { getEncoding } from 'js-tiktoken';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildCases } from '../../src/core/grading/grade.js';
import { Rng } from '../../src/core/authoring/rng.js';
import { loadExercise, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../helpers/properties.js';

const id = 'tokenization/gpt2-encode';
const roundTrip = 'decoding the ids with the vocabulary gives the text back';
type Bpe = { merges: [string, string][]; vocab: Record<string, number> };

/**
 * GPT-2 by an independent implementation: gpt-tokenizer's r50k_base (its own
 * rank table and BPE code). Like openai/gpt-2's encoder.py, "<|endoftext|>" in
 * the text is plain text: gpt-tokenizer would throw on it by default.
 */
const independent = (text: string) => encodeR50k(text, { disallowedSpecial: new Set() });

let bpe: Bpe;
let encode: (text: string) => number[];
let caseTexts: string[];
let dataDir: string;

beforeAll(async () => {
  const { ref, definition, ctx } = await loadExercise(id);
  dataDir = path.join(ref.dir, 'data');
  const cases = [7, 99].flatMap((seed) => buildCases(ref, definition, seed));
  bpe = cases[0].args[1] as Bpe;
  caseTexts = [...new Set(cases.map((c) => c.args[0] as string))];
  encode = (text) => definition.reference(ctx, text, bpe) as number[];
});

/** Short strings drawn from fragments that stress each part of the tokenizer. */
function randomText(rng: Rng): string {
  const fragments: (() => string)[] = [
    () => rng.pick(['the', 'The', 'tokenizer', 'Hello', 'world', 'GPT', 'naïve', 'café', 'Zürich', 'Wrocław', 'São', 'über', 'x', 'ID']),
    () => String(rng.int(0, 10 ** rng.int(1, 7))),
    () => rng.pick(["'s", "'S", "'t", "'T", "'re", "'RE", "'ve", "'Ve", "'m", "'M", "'ll", "'LL", "'d", "'D", "'", "O'T", "n't"]),
    () => rng.pick([' ', ' ', '  ', '   ', '\t', '\n', '\n\n', '\r\n', ' \n ', '    ', '\t\t ']),
    () => rng.pick(['.', ',', '!', '?', '...', '{', '}', '();', '=>', '//', '#', '"', '@', '$', '%', '<|endoftext|>', '—', '“', '”']),
    () => rng.pick(['自然', '语言', '处理', '分词', '。', '日本語', '한국어', 'русский', 'Ελληνικά', 'العربية', 'हिन्दी']),
    () => rng.pick(['🤖', '👋🏽', '🎉', '🇫🇷', '👨‍👩‍👧', '❤️', '🤗', '✨']),
    () => String.fromCharCode(rng.int(0x21, 0x7e)),
    () => String.fromCodePoint(rng.int(0xa1, 0x24f)),
  ];
  let text = '';
  const n = rng.int(1, 24);
  for (let i = 0; i < n; i++) text += rng.pick(fragments)();
  return text;
}

describe(id, () => {
  test('the shipped files hold GPT-2: 50,257 tokens, 50,000 merges, "Ġthe" = 262, <|endoftext|> = 50256', () => {
    expect(Object.keys(bpe.vocab)).toHaveLength(50257);
    expect(bpe.merges).toHaveLength(50000);
    expect(bpe.vocab['<|endoftext|>']).toBe(50256);
    expect(bpe.vocab['Ġthe']).toBe(262);
    expect(bpe.vocab['!']).toBe(0);
    expect(bpe.vocab['Ġ']).toBe(220);
    expect(bpe.vocab['Ċ']).toBe(198);
    const lines = readFileSync(path.join(dataDir, 'vocab.bpe'), 'utf8').split('\n');
    expect(lines[0]).toBe('#version: 0.2');
    expect(lines.slice(1, 7)).toEqual(['Ġ t', 'Ġ a', 'h e', 'i n', 'r e', 'o n']);
    expect(lines.at(-1)).toBe('');
    // In GPT-2 the token made by merge r has id 256 + r, and ids 0..255 are the 256 single bytes.
    bpe.merges.forEach(([a, b], rank) => expect(bpe.vocab[a + b]).toBe(256 + rank));
    const ids = Object.values(bpe.vocab).sort((x, y) => x - y);
    expect(ids.every((value, i) => value === i)).toBe(true);
  });

  test('the committed files are what scripts/make-gpt2-fixture.mjs writes from js-tiktoken', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'gpt2-fixture-'));
    execFileSync(process.execPath, [path.join(process.cwd(), 'scripts/make-gpt2-fixture.mjs'), out], { stdio: 'pipe' });
    for (const file of ['encoder.json', 'vocab.bpe']) {
      expect(readFileSync(path.join(out, file)).equals(readFileSync(path.join(dataDir, file))), file).toBe(true);
    }
  });

  test('reference matches the lesson worked example "Hello world! I\'M O\'Toole."', () => {
    expect(encode("Hello world! I'M O'Toole.")).toEqual([15496, 995, 0, 314, 6, 44, 440, 6, 23307, 293, 13]);
    expect(encode(' world')).toEqual([995]);
    expect(encode("I'm")).toEqual([40, 1101]);
    expect(encode('café')).toEqual([66, 1878, 2634]);
    expect(encode('你')).toEqual([19526, 254]);
    expect(encode('Hi!\n\nBye')).toEqual([17250, 0, 198, 198, 3886, 68]);
    expect(encode('')).toEqual([]);
    expect(encode(' ')).toEqual([220]);
  });

  test('reference equals gpt-tokenizer (r50k_base) on English, code, whitespace, Chinese and emoji', () => {
    const texts = [
      'The quick brown fox jumps over the lazy dog.',
      "It's 3.14 o'clock; we've counted 25,000 sheep since 1999. DON'T PANIC, I'M FINE.",
      'def add(a, b):\n    """Adds."""\n    return {"sum": a + b}\n\n\nprint(add(1, 2))\n',
      'if (x) {\n\treturn y;\n}\r\n',
      'a  b   c    d\n\n\n\n  e \t f   ',
      '   leading and trailing   ',
      '自然语言处理是人工智能的一个分支。',
      '👋🏽 🎉🤖 🇫🇷 👨‍👩‍👧 ❤️',
      'The end.<|endoftext|>The start.',
      "'tis 'The' O'Toole's",
    ];
    for (const text of texts) expect(encode(text), JSON.stringify(text)).toEqual(independent(text));
  });

  test('reference equals gpt-tokenizer on every case text (seeds 7 and 99) and on 400 seeded random strings', () => {
    for (const text of caseTexts) expect(encode(text), JSON.stringify(text)).toEqual(independent(text));
    const rng = new Rng(2024);
    for (let i = 0; i < 400; i++) {
      const text = randomText(rng);
      expect(encode(text), JSON.stringify(text)).toEqual(independent(text));
    }
  });

  test('the end-of-text-special variant is tiktoken with allowed_special="all" (js-tiktoken), and gives the lesson\'s ids', async () => {
    const tiktoken = getEncoding('gpt2');
    const caseText = 'Last line of one document.<|endoftext|>First line of the next one.';
    expect(caseTexts).toContain(caseText);
    for (const text of [caseText, 'one document.<|endoftext|>First', '<|endoftext|>', 'a <|endoftext|> b<|endoftext|>']) {
      expect(await wrong(id, 'end-of-text-special', text, bpe), JSON.stringify(text)).toEqual(tiktoken.encode(text, 'all'));
    }
    expect(encode('one document.<|endoftext|>First')).toEqual([505, 3188, 29847, 91, 437, 1659, 5239, 91, 29, 5962]);
    expect(await wrong(id, 'end-of-text-special', 'one document.<|endoftext|>First', bpe)).toEqual([505, 3188, 13, 50256, 5962]);
  });

  test('the mistakes give the outputs the lesson states', async () => {
    expect(await wrong(id, 'case-insensitive-contractions', "Hello world! I'M O'Toole.", bpe)).toEqual([15496, 995, 0, 314, 6, 44, 440, 6, 51, 2238, 293, 13]);
    expect(await wrong(id, 'no-pretokenization', 'Hi!\n\nBye', bpe)).toEqual([17250, 0, 628, 3886, 68]);
    expect(await wrong(id, 'latin1-not-utf8', 'café', bpe)).toEqual([66, 1878, 165]);
    expect(await wrong(id, 'no-bytes-to-unicode', 'café', bpe)).toEqual([66, 1878, 165]);
    expect(await wrong(id, 'not-lowest-rank-first', 'Hello world', bpe)).toEqual([1544, 18798, 24486, 45895, 67]);
  });

  test('Check yourself: [15496, 995] decode to "Hello world" (gpt-tokenizer\'s r50k decoder)', () => {
    expect(decodeR50k([15496, 995])).toBe('Hello world');
  });

  test('Check yourself: the round trip\'s own vocabulary is the 256 bytes and 16 merges, in GPT-2\'s format', async () => {
    const { definition } = await loadExercise(id);
    for (const { calls } of definition.properties![0].cases(new Rng(7))) {
      const bpe = calls[0][1] as { merges: [string, string][]; vocab: Record<string, number> };
      expect(bpe.merges).toHaveLength(16);
      expect(Object.keys(bpe.vocab)).toHaveLength(256 + 16);
      expect(bpe.vocab['Ġthe']).toBe(256 + 2);
    }
  });

  test('check yourself: the model solution holds the round trip on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [roundTrip]: 2 });
  });

  test('check yourself: a pattern without the whitespace alternatives loses spaces and newlines, and the round trip fails', async () => {
    const solution = await solutionSource(id);
    const noWhitespace = solution.replace('|\\s+(?!\\S)|\\s+/gu', '/gu');
    expect(noWhitespace).not.toBe(solution);
    await expectPropertyBroken(id, noWhitespace, roundTrip, /^Encoding ".*": your \d+ ids decode to ".*"\. Every character of the text, spaces and newlines too, must end up in some token/s);
  });
});
