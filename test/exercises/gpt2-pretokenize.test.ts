import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { R50K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import gpt2 from 'js-tiktoken/ranks/gpt2';
import { buildCases } from '../../src/core/grading/grade.js';
import { diagnoseEachMisconception, loadExercise, reference, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'tokenization/gpt2-pretokenize';
const roundTrip = 'the pieces joined give the text back';
const nonEmpty = 'no piece is empty';

/** GPT-2's pattern as two independent npm packages ship it: gpt-tokenizer's RegExp, and js-tiktoken's pat_str (compiled with the flags it uses, "ug"). */
const splitters: [string, (text: string) => string[]][] = [
  ['gpt-tokenizer', (text) => text.match(new RegExp(R50K_TOKEN_SPLIT_REGEX.source, 'gu')) ?? []],
  ['js-tiktoken', (text) => text.match(new RegExp(gpt2.pat_str, 'ug')) ?? []],
];

const texts = [
  'Hello  world',
  "I'M don't 12345",
  '',
  '   ',
  "it's we're they've I'm you'll he'd can't IT'S WE'RE DON'T",
  'line one\n\nline two\t\tend\n',
  'a\nb a \n b',
  'café naïve 中文字 Ωμέγα ٣٤ ½',
  'abc123def!!?x',
  "Hello, world!!! (yes) -- ok... 🙂🙂 👍🏽 'hello' rock'n'roll ''",
  'function add(a, b) {\n    return a + b;   \n}\n',
];

/** What a learner reads of an exercise: its lesson and starter, then its hints and its misconceptions' titles, messages and hints (English). */
async function shownTexts(exercise: string): Promise<string[]> {
  const { definition, ref } = await loadExercise(exercise);
  const english = (text: string | Record<string, string>) => (typeof text === 'string' ? text : text.en);
  return [
    readFileSync(path.join(ref.dir, 'lesson.md'), 'utf8'),
    readFileSync(path.join(ref.dir, 'starter.ts'), 'utf8'),
    ...definition.hints.map((h) => english(typeof h === 'string' || !('text' in h) ? h : h.text)),
    ...(definition.misconceptions ?? []).flatMap((m) => [m.title, m.message, m.hint ?? ''].map(english)),
  ];
}

describe(id, () => {
  test('reference gives the splits verified in NUMERICS.md §3', async () => {
    expect(await reference(id, "I'M don't 12345")).toEqual(['I', "'", 'M', ' don', "'t", ' 12345']);
    expect(await reference(id, 'Hello  world')).toEqual(['Hello', ' ', ' world']);
  });

  test('reference matches the lesson worked examples', async () => {
    expect(await reference(id, 'line one\n\nline two')).toEqual(['line', ' one', '\n', '\n', 'line', ' two']);
    expect(await reference(id, '')).toEqual([]);
  });

  test.each(splitters)("reference equals GPT-2's pattern as %s ships it, on fixed texts and on every case of three seeds", async (_name, split) => {
    const { ref, definition } = await loadExercise(id);
    const caseTexts = [7, 99, 2024].flatMap((seed) => buildCases(ref, definition, seed).map((c) => c.args[0] as string));
    for (const text of [...texts, ...caseTexts]) expect(await reference(id, text), JSON.stringify(text)).toEqual(split(text));
  });

  test("GPT-2's tokenizer (gpt-tokenizer, r50k_base) never puts a token across two chunks: encoding chunk by chunk gives the same ids", async () => {
    for (const text of texts) {
      const chunks = (await reference(id, text)) as string[];
      expect(chunks.join('')).toBe(text);
      expect(chunks.flatMap((chunk) => r50kEncode(chunk))).toEqual(r50kEncode(text));
    }
  });

  test.each([id, 'tokenization/gpt2-encode'])('%s: the lesson, the starter, the hints and the messages never give the pattern whole', async (exercise) => {
    for (const giveaway of [gpt2.pat_str, R50K_TOKEN_SPLIT_REGEX.source, "'s|'t|'re|'ve|'m|'ll|'d", '\\s+(?!\\S)|\\s+']) {
      for (const text of await shownTexts(exercise)) expect(text).not.toContain(giveaway);
    }
  });

  test('the lesson specifies each category of chunk, in the order they are tried', async () => {
    const [lesson] = await shownTexts(id);
    const rows = ['a contraction', 'then a run of letters', 'then a run of numbers', 'not whitespace, a letter or a number', 'a run of whitespace'];
    expect(rows.every((row) => lesson.includes(row))).toBe(true);
    expect(rows.map((row) => lesson.indexOf(row))).toEqual(rows.map((row) => lesson.indexOf(row)).sort((a, b) => a - b));
  });

  test("every example in the lesson's table is one chunk of its own", async () => {
    const { ref } = await loadExercise(id);
    const rows = readFileSync(path.join(ref.dir, 'lesson.md'), 'utf8').match(/^\| \d \|.*$/gm)!;
    expect(rows).toHaveLength(5);
    const examples = rows.flatMap((row) => row.split(' | ').at(-1)!.match(/"(?:[^"\\]|\\.)*"/g)!.map((quoted) => JSON.parse(quoted) as string));
    expect(examples).toHaveLength(16);
    for (const example of examples) expect(await reference(id, example), JSON.stringify(example)).toEqual([example]);
  });

  test('the lesson pitfalls', async () => {
    expect(await wrong(id, 'case-insensitive-contractions', "I'M don't 12345")).toEqual(['I', "'M", ' don', "'t", ' 12345']);
    expect(await wrong(id, 'whitespace-without-lookahead', 'Hello  world')).toEqual(['Hello', '  ', 'world']);
    expect(await wrong(id, 'space-not-attached', "I'M don't 12345")).toEqual(['I', "'", 'M', ' ', 'don', "'t", ' ', '12345']);
    expect(await wrong(id, 'any-whitespace-attached', 'a\nb')).toEqual(['a', '\nb']);
    expect(await wrong(id, 'ascii-letter-classes', 'café')).toEqual(['caf', 'é']);
    expect(await wrong(id, 'no-contractions', "don't")).toEqual(['don', "'", 't']);
  });

  test.each([7, 99, 2024])('every misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    for (const result of await diagnoseEachMisconception(id, seed)) {
      expect(result.failingCases, result.id).toBeGreaterThan(0);
      expect(result.diagnosed, result.id).toBe(result.id);
    }
  });

  test('reference, Check yourself: "Hello  world" gives "Hello", " ", " world", which join back to the text', async () => {
    const pieces = (await reference(id, 'Hello  world')) as string[];
    expect(pieces).toEqual(['Hello', ' ', ' world']);
    expect(pieces.join('')).toBe('Hello  world');
  });

  test('check yourself: the model solution holds both properties on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [roundTrip]: 2, [nonEmpty]: 2 });
  });

  test('check yourself: splitting around whitespace with text.split leaves an empty piece at the start', async () => {
    const split = 'export function pretokenize(text: string): string[] { return text.split(/(\\s+)/); }';
    await expectPropertyBroken(id, split, nonEmpty, /^Your piece 0 \(of \d+\) is the empty string\. Every chunk is a run of at least one character/);
  });

  test('check yourself: words and symbols with the whitespace dropped do not join back to the text', async () => {
    const dropped = "export function pretokenize(text: string): string[] { return text.match(/[\\p{L}\\p{N}']+|[^\\s\\p{L}\\p{N}]+/gu) ?? []; }";
    await expectPropertyBroken(id, dropped, roundTrip, /^Your pieces joined are ".*", not the text ".*": they first differ from it at index \d+\. Pre-tokenizing only cuts the text/s);
  });
});
