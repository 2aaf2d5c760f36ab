import { describe, expect, test } from 'vitest';
import { diagnoseEachMisconception, reference, wrong } from '../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';

const id = 'tokenization/bpe-train';
const count = 'there are vocabSize − 256 merges, fewer only when no pair is left';
const existing = 'merge k joins ids that already exist, both below 256 + k';

/** A learner's trainBpe, right but for the loop's stop condition and the first new id, as given. */
function learnerTrainer(keepGoing: string, firstId: number): string {
  return `export function trainBpe(text: string, vocabSize: number): [number, number][] {
  let ids = Array.from(new TextEncoder().encode(text));
  const merges: [number, number][] = [];
  while (merges.length < vocabSize - 256 && ${keepGoing}) {
    const counts = new Map<string, number>();
    for (let i = 0; i + 1 < ids.length; i++) counts.set(ids[i] + ',' + ids[i + 1], (counts.get(ids[i] + ',' + ids[i + 1]) ?? 0) + 1);
    let best = '';
    for (const [pair, n] of counts) if (best === '' || n > counts.get(best)!) best = pair;
    const [a, b] = best.split(',').map(Number);
    const id = ${firstId} + merges.length;
    merges.push([a, b]);
    const next: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { next.push(id); i++; } else next.push(ids[i]);
    }
    ids = next;
  }
  return merges;
}`;
}

/**
 * Produced by a Python transcription of Karpathy's minbpe BasicTokenizer.train
 * (get_stats into a dict, `max(stats, key=stats.get)`, merge left to right),
 * with one change the curriculum asks for: it stops when no pair is left.
 */
const minbpe: { text: string; vocabSize: number; merges: [number, number][] }[] = [
  { text: 'aaabdaaabac', vocabSize: 259, merges: [[97, 97], [256, 97], [257, 98]] },
  { text: 'cdabc', vocabSize: 257, merges: [[99, 100]] },
  { text: 'aaaaa', vocabSize: 259, merges: [[97, 97], [256, 256], [257, 97]] },
  { text: 'ababaaaa', vocabSize: 257, merges: [[97, 97]] },
  { text: 'abcab', vocabSize: 300, merges: [[97, 98], [256, 99], [257, 256]] },
  { text: 'héhé 中文中文 🙂🙂', vocabSize: 262, merges: [[104, 195], [256, 169], [228, 184], [258, 173], [259, 230], [260, 150]] },
  {
    text: 'the quick brown fox jumps over the lazy dog; the dog sleeps',
    vocabSize: 276,
    merges: [
      [116, 104], [256, 101], [257, 32], [112, 115], [32, 258], [100, 111], [261, 103], [258, 113], [263, 117], [264, 105],
      [265, 99], [266, 107], [267, 32], [268, 98], [269, 114], [270, 111], [271, 119], [272, 110], [273, 32], [274, 102],
    ],
  },
  { text: 'ñandú ñandú señor año', vocabSize: 266, merges: [[195, 177], [256, 97], [257, 110], [258, 100], [259, 195], [260, 186], [261, 32], [256, 111], [262, 262], [264, 115]] },
  { text: '🙂🙃🙂🙃 😀😀', vocabSize: 264, merges: [[240, 159], [256, 153], [257, 130], [258, 257], [259, 131], [256, 152], [261, 128], [260, 260]] },
];

describe(id, () => {
  test('reference matches the lesson worked example: "aaabdaaabac", 3 merges → [[97,97],[256,97],[257,98]]', async () => {
    expect(await reference(id, 'aaabdaaabac', 259)).toEqual([
      [97, 97],
      [256, 97],
      [257, 98],
    ]);
    // And those merges encode the text to [258, 100, 258, 97, 99] (CURRICULUM.md).
    expect(await reference('tokenization/bpe-encode', 'aaabdaaabac', await reference(id, 'aaabdaaabac', 259))).toEqual([258, 100, 258, 97, 99]);
  });

  test.each(minbpe)('reference equals a Python transcription of minbpe on $text (vocabSize $vocabSize)', async ({ text, vocabSize, merges }) => {
    expect(await reference(id, text, vocabSize)).toEqual(merges);
  });

  test('the tie rules of NUMERICS.md §3: tokenizers (smallest pair) gives (97,97), (97,98), (256,257) on the lesson example', async () => {
    expect(await wrong(id, 'tie-smallest-pair', 'aaabdaaabac', 259)).toEqual([
      [97, 97],
      [97, 98],
      [256, 257],
    ]);
    // On "cdabc" (pairs cd, da, ab, bc, each seen once) every rule picks a different pair.
    expect(await reference(id, 'cdabc', 257)).toEqual([[99, 100]]);
    expect(await wrong(id, 'tie-largest-pair', 'cdabc', 257)).toEqual([[100, 97]]);
    expect(await wrong(id, 'tie-smallest-pair', 'cdabc', 257)).toEqual([[97, 98]]);
    expect(await wrong(id, 'tie-last-occurrence', 'cdabc', 257)).toEqual([[98, 99]]);
  });

  test('merges left to right and counts overlapping pairs; "aaaaa" merged right to left gives other merges', async () => {
    expect(await wrong(id, 'right-to-left-merge', 'aaaaa', 259)).toEqual([
      [97, 97],
      [97, 256],
      [257, 256],
    ]);
    expect(await wrong(id, 'non-overlapping-counts', 'ababaaaa', 257)).toEqual([[97, 98]]);
  });

  test('stops only when no pair is left; vocabSize 256 gives no merge; bytes, not UTF-16 units', async () => {
    expect(await reference(id, '', 300)).toEqual([]);
    expect(await reference(id, 'a', 300)).toEqual([]);
    expect(await reference(id, 'é', 300)).toEqual([[195, 169]]);
    expect(await reference(id, 'hello', 256)).toEqual([]);
    expect(await reference(id, 'the cat', 260)).toHaveLength(4);
    expect(await wrong(id, 'stops-when-no-pair-repeats', 'the cat', 260)).toEqual([]);
    expect(await wrong(id, 'utf16-code-units', 'é', 300)).toEqual([]);
  });

  test.each([7, 99, 2024])('every misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    for (const result of await diagnoseEachMisconception(id, seed)) {
      expect(result.failingCases, result.id).toBeGreaterThan(0);
      expect(result.diagnosed, result.id).toBe(result.id);
    }
  });

  test('reference, Check yourself: 3 merges for "aaabdaaabac" at 259 and for "abcab" at 300; merge k uses ids below 256 + k', async () => {
    const lesson = (await reference(id, 'aaabdaaabac', 259)) as [number, number][];
    expect(lesson).toHaveLength(3);
    expect(lesson[2]).toEqual([257, 98]);
    expect(await reference(id, 'abcab', 300)).toHaveLength(3);
  });

  test('check yourself: the model solution holds both properties on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [count]: 2, [existing]: 2 });
  });

  test('check yourself: a loop that stops at two tokens (ids.length > 2) stops one merge short when the pairs run out', async () => {
    const stopsAtTwo = learnerTrainer('ids.length > 2', 256);
    await expectPropertyBroken(id, stopsAtTwo, count, /^You return \d+ merges for vocabSize 300, but after them ".*" is still 2 tokens, so a pair is left to merge\./);
  });

  test('check yourself: new ids counted from 257 make a merge join an id that does not exist yet', async () => {
    const from257 = learnerTrainer('ids.length >= 2', 257);
    await expectPropertyBroken(id, from257, existing, /^Your merge \d+ is \[\d+, \d+\], but before it only the ids 0 to \d+ exist/);
  });
});
