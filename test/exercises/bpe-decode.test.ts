import { describe, expect, test } from 'vitest';
import { decode as r50kDecode, encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
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

