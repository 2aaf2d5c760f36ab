import { describe, expect, test } from 'vitest';
import { decode as r50kDecode, encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { buildCases } from '../../src/core/grading/grade.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise, reference, wrong } from '../helpers/exercises.js';
import { gpt2Merges } from './bpe-gpt2-merges.js';
import { expectPropertyBroken, expectSolutionHolds, propertyResults } from '../helpers/properties.js';

const id = 'tokenization/bpe-decode';
const roundTrip = 'decode(encode(text)) gives back the text';
type Pair = [number, number];

const lesson: Pair[] = [
  [97, 97],
  [256, 97],
  [257, 98],
];
/** "中" is [228, 184, 173]; 256 = its first two bytes, 257 = the whole character. */
const zhong: Pair[] = [
  [228, 184],
  [256, 173],
];

describe(id, () => {
  test('reference matches the lesson worked examples: "aaabdaaabac" and "中文"', async () => {
    expect(await reference(id, [258, 100, 258, 97, 99], lesson)).toBe('aaabdaaabac');
    expect(await reference(id, [258, 32, 257], lesson)).toBe('aaab aaa');
    expect(await reference(id, [257, 230, 150, 135], zhong)).toBe('中文');
    expect(await reference(id, [256, 173], zhong)).toBe('中');
    expect(await reference(id, [], lesson)).toBe('');
  });

  test('invalid or cut-off UTF-8 becomes U+FFFD, as Python\'s bytes.decode("utf-8", errors="replace") gives', async () => {
    // Expected strings produced by CPython 3.11: bytes(...).decode("utf-8", "replace").
    expect(await reference(id, [256], zhong)).toBe('\uFFFD');
    expect(await reference(id, [104, 105, 256], zhong)).toBe('hi\uFFFD');
    expect(await reference(id, [97, 128, 98], [])).toBe('a\uFFFDb');
    expect(await reference(id, [255, 65], [])).toBe('\uFFFDA');
    expect(await reference(id, [240, 159, 153], [])).toBe('\uFFFD');
    expect(await reference(id, [237, 160, 128], [])).toBe('\uFFFD\uFFFD\uFFFD');
    expect(await reference(id, [192, 175], [])).toBe('\uFFFD\uFFFD');
    // An emoji split across two tokens is whole once the bytes are joined.
    expect(await reference(id, [256, 257], [[240, 159], [153, 130]])).toBe('🙂');
  });

  test("reference equals GPT-2's decoder (gpt-tokenizer, r50k_base) with GPT-2's 50,000 merges", async () => {
    const { merges, fromR50k } = gpt2Merges();
    for (const text of ["Hello world! It's 2024.", 'naïve café, 中文字符, Ωμέγα, 🙂👍🏽', 'function add(a, b) {\n\treturn a + b;\n}   ', 'ŀ ǅ ℌ ꙮ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢']) {
      const r50kIds = r50kEncode(text);
      expect(r50kDecode(r50kIds)).toBe(text);
      expect(await reference(id, fromR50k(r50kIds), merges), JSON.stringify(text)).toBe(text);
    }
    // GPT-2 splits 中 across tokens: decoding them one by one gives U+FFFD, decoding them together does not.
    const ids = fromR50k(r50kEncode('中文'));
    expect(ids.length).toBeGreaterThan(2);
    expect(await wrong(id, 'decode-per-token', ids, merges)).toContain('\uFFFD');
  });

  test('the lesson pitfalls: mojibake, per-token decoding, one level of expansion', async () => {
    expect(await wrong(id, 'from-char-code-per-byte', [257, 230, 150, 135], zhong)).toBe('ä¸\u00adæ\u0096\u0087');
    expect(await wrong(id, 'from-char-code-per-byte', [195, 169], [])).toBe('Ã©');
    expect(await wrong(id, 'decode-per-token', [257, 230, 150, 135], zhong)).toBe('中\uFFFD\uFFFD\uFFFD');
    expect(await wrong(id, 'decode-per-token', [256, 173], zhong)).toBe('\uFFFD\uFFFD');
    expect(await wrong(id, 'one-level-expansion', [258], lesson)).toBe('\u0001b');
  });

  test('the GPT-2 case holds GPT-2\'s merges (as gpt-tokenizer\'s ranks give them) and GPT-2\'s ids of "Hello world"', async () => {
    const { ref, definition } = await loadExercise(id);
    const gpt2Case = buildCases(ref, definition, 7).find((c) => c.name.startsWith("GPT-2's 50,000 merges"))!;
    const { merges, fromR50k } = gpt2Merges();
    expect(gpt2Case.args[0]).toEqual(fromR50k(r50kEncode('Hello world')));
    expect(gpt2Case.args[0]).toEqual([15496, 995]);
    expect(gpt2Case.args[1]).toEqual(merges);
  });

  test('merges[id] instead of merges[id − 256]: GPT-2\'s "Hello world" decodes as "ryciabogs 3raclhspoglys" (the lesson pitfall)', async () => {
    const { merges } = gpt2Merges();
    // The mistake written out independently: a recursive expansion that reads merges[id].
    const expand = (x: number): number[] => (x < 256 ? [x] : [...expand(merges[x][0]), ...expand(merges[x][1])]);
    const independent = Buffer.from([15496, 995].flatMap(expand)).toString('utf8');
    expect(independent).toBe('ryciabogs 3raclhspoglys');
    expect(await wrong(id, 'merges-indexed-by-id', [15496, 995], merges)).toBe(independent);
    // The first lookups, merges[15496] and merges[995], are the merges that made " Theatre" (15752) and "chool" (1251), not "Hello" and " world".
    expect(await reference(id, [15752], merges)).toBe(' Theatre');
    expect(await reference(id, merges[15496], merges)).toBe(' Theatre');
    expect(await reference(id, [1251], merges)).toBe('chool');
    expect(await reference(id, merges[995], merges)).toBe('chool');
    expect(r50kDecode([15496, 995])).toBe('Hello world');
    // With the lesson's 3 merges there is no merges[258]: that learner's code throws, and the variant says the case does not apply.
    const { definition, ctx } = await loadExercise(id);
    const mistake = definition.misconceptions!.find((m) => m.id === 'merges-indexed-by-id')!;
    expect(() => mistake.wrong(ctx, [258, 100, 258, 97, 99], lesson)).toThrow(/^not applicable: merges\[258\] does not exist/);
  });

  test('a learner who reads merges[id] gets the crash on the lesson example and the mistake named from the GPT-2 case', async () => {
    const source = [
      'export function decode(ids: number[], merges: [number, number][]): string {',
      '  const bytesOf = (id: number): number[] => (id < 256 ? [id] : [...bytesOf(merges[id][0]), ...bytesOf(merges[id][1])]);',
      '  return new TextDecoder().decode(new Uint8Array(ids.flatMap(bytesOf)));',
      '}',
    ].join('\n');
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source });
    expect(verdict.status).toBe('error');
    expect(verdict.cases[0].message).toMatch(/^Your function threw TypeError/);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'merges-indexed-by-id', confidence: 'full', matched: 1, failing: 1 });
  }, 60_000);

  test('decode(encode(text, trainBpe(text))) gives the text back', async () => {
    for (const text of ['', 'a', 'héhé 中文中文 🙂🙂', '🙂🙃🙂🙃 😀😀', 'ñandú ñandú señor año']) {
      const merges = (await reference('tokenization/bpe-train', text, 270)) as Pair[];
      const ids = (await reference('tokenization/bpe-encode', text, merges)) as number[];
      expect(await reference(id, ids, merges)).toBe(text);
    }
  });

  test.each([7, 99, 2024])('every misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    for (const result of await diagnoseEachMisconception(id, seed)) {
      expect(result.failingCases, result.id).toBeGreaterThan(0);
      expect(result.diagnosed, result.id).toBe(result.id);
    }
  });

  test('check yourself (lesson): [256, 97] and [97, 256] both decode to "aaa" with the lesson\'s merges, which encode "aaa" as [257]', async () => {
    const lesson: Pair[] = [
      [97, 97],
      [256, 97],
      [257, 98],
    ];
    expect(await reference(id, [256, 97], lesson)).toBe('aaa');
    expect(await reference(id, [97, 256], lesson)).toBe('aaa');
    expect(await reference('tokenization/bpe-encode', 'aaa', lesson)).toEqual([257]);
  });

  test('check yourself: the model solution decodes what a correct encoder made back to the text (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [roundTrip]: 3 });
  });

  test('check yourself: a table that puts a merge\'s right bytes before its left ones breaks decode(encode(text)) = text', async () => {
    const reversed = `export function decode(ids: number[], merges: [number, number][]): string {
  const table: number[][] = Array.from({ length: 256 }, (_, b) => [b]);
  for (const [left, right] of merges) table.push([...table[right], ...table[left]]);
  return new TextDecoder().decode(new Uint8Array(ids.flatMap((id) => table[id])));
}`;
    const verdict = await expectPropertyBroken(id, reversed, roundTrip, /^A correct encoder turned ".*" into \[[\d, ]+\], and your decode gives back ".*"\. Decoding must undo encoding exactly/);
    expect(propertyResults(verdict, roundTrip)[0]).toMatchObject({
      name: `${roundTrip}: the lesson's text: "aaabdaaabac", 3 merges learned on it`,
      message: expect.stringMatching(/^A correct encoder turned "aaabdaaabac" into \[258, 100, 258, 97, 99\], and your decode gives back "baaadbaaaac"\./),
    });
  });
});

