import { describe, expect, test } from 'vitest';
import { encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { R50K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { gpt2Merges } from './bpe-gpt2-merges.js';
import { expectPropertyBroken, expectSolutionHolds, propertyResults } from '../helpers/properties.js';

const id = 'tokenization/bpe-encode';
const roundTrip = 'decode(encode(text)) gives back the text';
const noMergeLeft = 'no two neighbouring ids of the output form a merge';
type Pair = [number, number];

/** minbpe's encode on the texts and merges of its training (see bpe-train.test.ts), from a Python transcription. */
const minbpe: { text: string; merges: Pair[]; ids: number[] }[] = [
  { text: 'aaabdaaabac', merges: [[97, 97], [256, 97], [257, 98]], ids: [258, 100, 258, 97, 99] },
  { text: 'cdabc', merges: [[99, 100]], ids: [256, 97, 98, 99] },
  { text: 'ababaaaa', merges: [[97, 97]], ids: [97, 98, 97, 98, 256, 256] },
  {
    text: 'héhé 中文中文 🙂🙂',
    merges: [[104, 195], [256, 169], [228, 184], [258, 173], [259, 230], [260, 150]],
    ids: [257, 257, 32, 261, 135, 261, 135, 32, 240, 159, 153, 130, 240, 159, 153, 130],
  },
  {
    text: 'ñandú ñandú señor año',
    merges: [[195, 177], [256, 97], [257, 110], [258, 100], [259, 195], [260, 186], [261, 32], [256, 111], [262, 262], [264, 115]],
    ids: [265, 101, 263, 114, 32, 97, 263],
  },
  { text: '🙂🙃🙂🙃 😀😀', merges: [[240, 159], [256, 153], [257, 130], [258, 257], [259, 131], [256, 152], [261, 128], [260, 260]], ids: [263, 32, 262, 262] },
];

describe(id, () => {
  test('reference matches the lesson worked example: "aaabdaaabac" → [258, 100, 258, 97, 99]', async () => {
    expect(
      await reference(id, 'aaabdaaabac', [
        [97, 97],
        [256, 97],
        [257, 98],
      ]),
    ).toEqual([258, 100, 258, 97, 99]);
  });

  test.each(minbpe)('reference equals a Python transcription of minbpe on $text', async ({ text, merges, ids }) => {
    expect(await reference(id, text, merges)).toEqual(ids);
  });

  test("reference equals GPT-2's tokenizer (gpt-tokenizer, r50k_base) chunk by chunk, with GPT-2's 50,000 merges", async () => {
    const { merges, toR50k } = gpt2Merges();
    expect(merges).toHaveLength(50000);
    const text =
      "Hello world! It's 2024, and I'M testing GPT-2's tokenizer: naïve café, 中文字符, Ωμέγα, 🙂👍🏽.\n\n" +
      'function add(a, b) { return a + b; }   // trailing spaces   \n\tunusual tokens: ŀ, ǅ, ℌ, ꙮ, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢';
    const chunks = text.match(R50K_TOKEN_SPLIT_REGEX)!;
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) {
      expect(toR50k((await reference(id, chunk, merges)) as number[]), JSON.stringify(chunk)).toEqual(r50kEncode(chunk));
    }
  });

  test('the lesson pitfalls: rank beats position, frequency and length', async () => {
    const rankOrder: Pair[] = [
      [98, 99],
      [97, 98],
    ];
    expect(await reference(id, 'abc', rankOrder)).toEqual([97, 256]);
    expect(await wrong(id, 'leftmost-pair-first', 'abc', rankOrder)).toEqual([257, 99]);
    const frequency: Pair[] = [
      [98, 99],
      [99, 100],
    ];
    expect(await reference(id, 'bcdcd', frequency)).toEqual([256, 100, 257]);
    expect(await wrong(id, 'most-frequent-pair-first', 'bcdcd', frequency)).toEqual([98, 257, 257]);
    const longest: Pair[] = [
      [97, 98],
      [98, 99],
      [97, 257],
    ];
    expect(await reference(id, 'abc', longest)).toEqual([256, 99]);
    expect(await wrong(id, 'greedy-longest-match', 'abc', longest)).toEqual([258]);
    const further: Pair[] = [
      [98, 99],
      [97, 98],
      [97, 256],
    ];
    expect(await reference(id, 'abcbc', further)).toEqual([258, 256]);
    expect(await wrong(id, 'leftmost-pair-first', 'abcbc', further)).toEqual([257, 99, 256]);
    expect(await reference(id, 'ccc', [[99, 99]])).toEqual([256, 99]);
    expect(await wrong(id, 'right-to-left-merge', 'ccc', [[99, 99]])).toEqual([99, 256]);
    expect(await reference(id, 'ab ab', [[97, 98]])).toEqual([256, 32, 256]);
    expect(await wrong(id, 'each-merge-applied-once', 'ab ab', [[97, 98]])).toEqual([256, 32, 97, 98]);
    expect(await reference(id, '', [[97, 98]])).toEqual([]);
    expect(await reference(id, 'é', [])).toEqual([195, 169]);
  });

  test('encode with the merges trainBpe learns round-trips through decode', async () => {
    for (const text of ['aaabdaaabac', 'héhé 中文中文 🙂🙂', 'the quick brown fox jumps over the lazy dog', '🙂🙃🙂🙃 😀😀 ñandú']) {
      const merges = (await reference('tokenization/bpe-train', text, 280)) as Pair[];
      const ids = (await reference(id, text, merges)) as number[];
      expect(await reference('tokenization/bpe-decode', ids, merges)).toBe(text);
    }
  });

  test.each([7, 99, 2024])('every misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    for (const result of await diagnoseEachMisconception(id, seed)) {
      expect(result.failingCases, result.id).toBeGreaterThan(0);
      expect(result.diagnosed, result.id).toBe(result.id);
    }
  });

  test('check yourself (lesson): "ccc" merged from the right, [99, 256], still decodes to "ccc"; the lesson\'s ids decode to its text', async () => {
    expect(await reference('tokenization/bpe-decode', [99, 256], [[99, 99]])).toBe('ccc');
    const lesson: Pair[] = [
      [97, 97],
      [256, 97],
      [257, 98],
    ];
    expect(await reference('tokenization/bpe-decode', [258, 100, 258, 97, 99], lesson)).toBe('aaabdaaabac');
  });

  test('check yourself: the model solution round-trips through a correct decoder and leaves no mergeable pair (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [roundTrip]: 3, [noMergeLeft]: 3 });
  });

  test('check yourself: an encoder that loses the last byte breaks decode(encode(text)) = text, and the message shows what came back', async () => {
    const lastByteLost = minbpeEncoder('Array.from(new TextEncoder().encode(text)).slice(0, -1)', 'while (true)');
    const verdict = await expectPropertyBroken(id, lastByteLost, roundTrip, /^Your encode turned ".*" into \[[\d, ]*\], which decodes to ".*"\. Merging only regroups the UTF-8 bytes/);
    expect(propertyResults(verdict, roundTrip)[0].message).toMatch(/^Your encode turned "aaabdaaabac" into \[258, 100, 258, 97\], which decodes to "aaabdaaaba"\./);
  });

  test('check yourself: an encoder that stops after one round of merges leaves a pair that has a merge', async () => {
    const oneRound = minbpeEncoder('Array.from(new TextEncoder().encode(text))', 'for (let round = 0; round < 1; round++)');
    const verdict = await expectPropertyBroken(id, oneRound, noMergeLeft, /^In your output \[[\d, ]+\], the ids at \d+ and \d+, \(\d+, \d+\), are merges\[\d+\], which makes id \d+\. Encoding goes on until no adjacent pair has a merge/);
    expect(propertyResults(verdict, noMergeLeft)[0].message).toMatch(/^In your output \[256, 97, 98, 100, 256, 97, 98, 97, 99\], the ids at 0 and 1, \(256, 97\), are merges\[1\], which makes id 257\./);
    expect(propertyResults(verdict, roundTrip).map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
  });
});

/** A learner's encode in minbpe's style, starting from the ids `start` (of text) and looping with `loop`. */
function minbpeEncoder(start: string, loop: string): string {
  return `export function encode(text: string, merges: [number, number][]): number[] {
  let ids = ${start};
  ${loop} {
    let best = -1;
    for (let i = 0; i + 1 < ids.length; i++) {
      const k = merges.findIndex(([a, b]) => a === ids[i] && b === ids[i + 1]);
      if (k >= 0 && (best < 0 || k < best)) best = k;
    }
    if (best < 0) break;
    const [a, b] = merges[best];
    const next: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
        next.push(256 + best);
        i++;
      } else next.push(ids[i]);
    }
    ids = next;
  }
  return ids;
}`;
}

