import { mkdtempSync, readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { buildCases } from '../../src/core/grading/grade.js';
import { gradeAndRecord } from '../../src/core/workspace/check.js';
import { initWorkspace, learnerFileOf } from '../../src/core/workspace/workspace.js';
import { loadTf } from '../../src/reference/backend.js';
import { encodeWith, loadGpt2Bpe } from '../../exercises/transformer-core/tokenization/gpt2-data.js';
// Written apart from the pack's bpe-math.ts: the model solutions of the two exercises this one builds on.
import { trainBpe } from '../../exercises/transformer-core/tokenization/bpe-train/solution.js';
import { encode } from '../../exercises/transformer-core/tokenization/bpe-encode/solution.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise, reference, wrong } from '../helpers/exercises.js';

const id = 'tokenization/bpe-on-real-text';
const packDir = path.resolve('exercises/transformer-core');
const exerciseDir = path.join(packDir, id);
const lesson = readFileSync(path.join(exerciseDir, 'lesson.md'), 'utf8');
const train = readFileSync(path.join(exerciseDir, 'data', 'train.txt'), 'utf8');
const heldOut = readFileSync(path.join(exerciseDir, 'data', 'held-out.txt'), 'utf8');

type Compression = { merges: [number, number][]; ids: number[]; bytesPerToken: number };
const run = async (...args: [string, string, number]) => (await reference(id, ...args)) as Compression;
const bytes = (text: string) => new TextEncoder().encode(text).length;
const twoDecimals = (x: number) => x.toFixed(2);

/** The text a token stands for (the passages are ASCII, one character a byte). */
function tokenText(merges: [number, number][], token: number): string {
  return token < 256 ? String.fromCharCode(token) : merges[token - 256].map((t) => tokenText(merges, t)).join('');
}

/** A learner's file for this exercise that does what the lesson says, with the two earlier exercises' files. */
const importingLearner = `
import { trainBpe } from './bpe-train.js';
import { encode } from './bpe-encode.js';

export function bpeOnRealText(train: string, heldOut: string, numMerges: number) {
  const merges = trainBpe(train, 256 + numMerges);
  const ids = encode(heldOut, merges);
  return { merges, ids, bytesPerToken: new TextEncoder().encode(heldOut).length / ids.length };
}
`;

const solutionOf = (exercise: string) => readFileSync(path.join(packDir, exercise, 'solution.ts'), 'utf8');

/** bpe-train's model solution with a tie going to the pair seen last (>= instead of >). */
function wrongTrainBpe(): string {
  const right = solutionOf('tokenization/bpe-train');
  const wrongSource = right.replace('entry.count > best.count', 'entry.count >= best.count');
  expect(wrongSource).not.toBe(right);
  return wrongSource;
}

describe(id, () => {
  test('the shipped passages are the bytes of the corpus that PROVENANCE.md names, one after the other', () => {
    expect(bytes(train)).toBe(1751);
    expect(bytes(heldOut)).toBe(777);
    expect(train.startsWith('First Citizen:\nBefore we proceed any further, hear me speak.')).toBe(true);
    expect(heldOut.startsWith('First Citizen:\nIf I must not, I need not be barren of accusations;')).toBe(true);
    expect(heldOut.endsWith('have strong arms too.\n')).toBe(true);
    const provenance = readFileSync(path.join(exerciseDir, 'data', 'PROVENANCE.md'), 'utf8');
    expect(provenance).toContain('1,751 bytes');
    expect(provenance).toContain('777 bytes');
    expect(provenance).toContain('public domain');
  });

  test('the worked example, by hand: merges from bpe-train, and the held-out ids step by step', async () => {
    expect(await run('aaabdaaabac', 'daaabaa', 3)).toEqual({
      merges: [
        [97, 97],
        [256, 97],
        [257, 98],
      ],
      ids: [100, 258, 256],
      bytesPerToken: 7 / 3,
    });
    expect(lesson).toContain('bytesPerToken: 7 / 3 = 2.3333333333333335');
    // Each row of the lesson's table is the encoding with the merges up to that step (bpe-encode's solution).
    const merges = trainBpe('aaabdaaabac', 259);
    const rows = [
      '| bytes | | 100, 97, 97, 97, 98, 97, 97 |',
      '| 0 | (97, 97) → 256 | 100, 256, 97, 98, 256 |',
      '| 1 | (256, 97) → 257 | 100, 257, 98, 256 |',
      '| 2 | (257, 98) → 258 | 100, 258, 256 |',
    ];
    rows.forEach((row, k) => {
      expect(lesson).toContain(row);
      expect(row.endsWith(`| ${encode('daaabaa', merges.slice(0, k)).join(', ')} |`)).toBe(true);
    });
  });

  test("the lesson's table: bytes per token with 0, 50, 100 and 200 merges, computed with bpe-train's and bpe-encode's solutions", async () => {
    for (const [numMerges, heldOutTokens, onHeldOut, onTrain] of [
      [0, 777, '1.00', '1.00'],
      [50, 510, '1.52', '1.61'],
      [100, 459, '1.69', '2.00'],
      [200, 406, '1.91', '2.67'],
    ] as const) {
      const merges = trainBpe(train, 256 + numMerges);
      const ids = encode(heldOut, merges);
      expect(ids).toHaveLength(heldOutTokens);
      expect(twoDecimals(777 / ids.length)).toBe(onHeldOut);
      expect(twoDecimals(1751 / encode(train, merges).length)).toBe(onTrain);
      expect(lesson).toContain(`| ${numMerges} | ${heldOutTokens} | ${onHeldOut} | ${onTrain} |`);
      expect(await run(train, heldOut, numMerges)).toEqual({ merges, ids, bytesPerToken: 777 / heldOutTokens });
    }
  });

  test("GPT-2's row: the pack's GPT-2 tokenizer and the gpt-tokenizer package give the same 220 tokens", () => {
    const bpe = loadGpt2Bpe(path.join(packDir, 'tokenization/gpt2-encode'));
    expect(encodeWith(heldOut, bpe)).toEqual(r50kEncode(heldOut));
    expect(encodeWith(train, bpe)).toEqual(r50kEncode(train));
    const [heldOutTokens, trainTokens] = [r50kEncode(heldOut).length, r50kEncode(train).length];
    expect(heldOutTokens).toBe(220);
    expect(lesson).toContain(`| GPT-2 (50,000) | 220 | ${twoDecimals(777 / heldOutTokens)} | ${twoDecimals(1751 / trainTokens)} |`);
    expect([twoDecimals(777 / heldOutTokens), twoDecimals(1751 / trainTokens)]).toEqual(['3.53', '3.60']);
  });

  test('what the lesson says of the merges learned on the passage', () => {
    const merges = trainBpe(train, 256 + 1000);
    const texts = merges.map((_, k) => tokenText(merges, 256 + k));
    expect(texts.slice(0, 10)).toEqual(['e ', 't ', 's ', 'th', 'ou', 'en', 'd ', ', ', 'it', ':\n']);
    expect(lesson).toContain('"e ", "t ", "s ", "th", "ou", "en", "d ", ", ", "it" and ":\\n"');
    for (const piece of ['proceed ', 'Caius Marc', 'Let us ', 'for his countr']) expect(texts.slice(100, 200)).toContain(piece);
    // From 195 merges on, the held-out text keeps 406 tokens; training runs out at 846, with the passage one token.
    expect(lesson).toContain('from 195 merges on the held-out text does not shrink at all');
    expect(encode(heldOut, merges.slice(0, 194))).toHaveLength(407);
    for (const n of [195, 300, 500, 846]) expect(encode(heldOut, merges.slice(0, n)), `${n} merges`).toHaveLength(406);
    expect(merges).toHaveLength(846);
    expect(encode(train, merges)).toHaveLength(1);
    expect(lesson).toContain('training stops at 846');
  });

  test('the lesson pitfalls', async () => {
    const unicode: [string, string, number] = ['café crème, café noir, 中文中文', 'un café crème 中文', 6];
    expect([unicode[1].length, bytes(unicode[1])]).toEqual([16, 22]);
    expect((await run(...unicode)).ids).toHaveLength(17);
    expect(twoDecimals(22 / 17)).toBe('1.29');
    expect(((await wrong(id, 'characters-not-bytes', ...unicode)) as Compression).bytesPerToken).toBe(16 / 17);
    expect(((await wrong(id, 'tokens-per-byte', 'aaabdaaabac', 'daaabaa', 3)) as Compression).bytesPerToken).toBe(3 / 7);
    expect(twoDecimals(3 / 7)).toBe('0.43');
    expect(((await wrong(id, 'num-merges-as-vocab-size', train, heldOut, 50)) as Compression).merges).toEqual([]);
    expect(((await wrong(id, 'merge-count-off-by-one', 'aaabdaaabac', 'daaabaa', 3)) as Compression).merges).toHaveLength(4);
    expect(((await wrong(id, 'encoded-training-text', train, heldOut, 200)) as Compression).bytesPerToken.toFixed(2)).toBe('2.67');
    const onItself = (await wrong(id, 'trained-on-held-out', train, heldOut, 200)) as Compression;
    expect(onItself.merges).toEqual(trainBpe(heldOut, 456));
    expect(twoDecimals(777 / encode(heldOut, trainBpe(heldOut, 456)).length)).toBe('2.83');
    expect(twoDecimals(onItself.bytesPerToken)).toBe('2.83');
    expect(lesson).toContain('compress it to 2.83 bytes per token, against 1.91');
  });

  test.each([7, 99])('every misconception fails the reference and is diagnosed as itself (seed %i)', async (seed) => {
    const results = await diagnoseEachMisconception(id, seed);
    expect(results.length).toBeGreaterThanOrEqual(6);
    for (const result of results) {
      expect(result.failingCases, result.id).toBeGreaterThan(0);
      expect(result.diagnosed, result.id).toBe(result.id);
    }
  });

  test('the lesson has the shared sections in their places: Check yourself after Conventions, In practice last', () => {
    const headings = lesson.match(/^## .+$/gm)!;
    const at = (heading: string) => headings.indexOf(heading);
    expect(at('## Check yourself')).toBe(at('## Conventions') + 1);
    expect(at('## Where it comes from')).toBe(at('## Check yourself') + 1);
    expect(headings.at(-2)).toBe('## What it is for');
    expect(headings.at(-1)).toBe('## In practice: tiktoken and Hugging Face tokenizers');
    const practice = lesson.slice(lesson.indexOf('## In practice'));
    expect(practice.match(/^```(\w+)$/gm)).toEqual(['```python', '```js']);
    expect(practice.trimEnd().split('\n\n').at(-1)).toMatch(/^\*\*What differs\.\*\* /);
  });

  test("the lesson's JavaScript block gives the reference's output on the first case", async () => {
    const { ref, definition } = await loadExercise(id);
    const [first] = buildCases(ref, definition, 7);
    const block = lesson.match(/```js\n([\s\S]*?)```/)![1];
    expect(block.split('\n').every((line) => line.length <= 76)).toBe(true);
    const { tf } = await loadTf();
    const result = new Function('train', 'heldOut', 'numMerges', 'tf', `${block}\nreturn result;`)(...(first.args as unknown[]), tf);
    expect(result).toEqual(await reference(id, ...(first.args as unknown[])));
  });
});

describe(`${id}, graded with the learner's own files`, () => {
  test('a file that imports bpe-train.ts and bpe-encode.ts beside it passes when they are right', async () => {
    const verdict = await gradeLearnerSource(id, {
      'tokenization/bpe-train.ts': solutionOf('tokenization/bpe-train'),
      'tokenization/bpe-encode.ts': solutionOf('tokenization/bpe-encode'),
      [`${id}.ts`]: importingLearner,
    });
    expect(verdict.summary).toMatch(/^All \d+ cases pass\.$/);
  });

  test('bytesPerToken may differ in its last bits (bytes · (1 / n)); the ids may not differ at all', async () => {
    const earlier = { 'tokenization/bpe-train.ts': solutionOf('tokenization/bpe-train'), 'tokenization/bpe-encode.ts': solutionOf('tokenization/bpe-encode') };
    // On the lesson example the two ways differ: 7 / 3 is 2.3333333333333335, 7 · (1 / 3) is 2.333333333333333.
    expect(7 * (1 / 3)).not.toBe(7 / 3);
    const division = 'new TextEncoder().encode(heldOut).length / ids.length';
    expect(importingLearner).toContain(division);
    const reciprocal = importingLearner.replace(division, 'new TextEncoder().encode(heldOut).length * (1 / ids.length)');
    expect((await gradeLearnerSource(id, { ...earlier, [`${id}.ts`]: reciprocal })).summary).toMatch(/^All \d+ cases pass\.$/);
    const lastIdOff = importingLearner.replace('const ids = encode(heldOut, merges);', 'const ids = encode(heldOut, merges).map((t, i, all) => (i === all.length - 1 ? t + 1 : t));');
    expect((await gradeLearnerSource(id, { ...earlier, [`${id}.ts`]: lastIdOff })).status).toBe('fail');
  });

  test('the starter, beside the earlier files, says "Not implemented yet"', async () => {
    const verdict = await gradeLearnerSource(id, {
      'tokenization/bpe-train.ts': solutionOf('tokenization/bpe-train'),
      'tokenization/bpe-encode.ts': solutionOf('tokenization/bpe-encode'),
      [`${id}.ts`]: readFileSync(path.join(exerciseDir, 'starter.ts'), 'utf8'),
    });
    expect(verdict.summary).toBe("Not implemented yet: replace `throw new Error('not implemented')` in bpe-on-real-text.ts with your code.");
  });

  test('a wrong bpe-train makes this exercise fail, and the verdict names bpe-train (not bpe-encode, which passes)', async () => {
    const { workspace } = await initWorkspace(path.join(mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bpe-real-')), 'ws'), ['transformer-core'], 1234);
    const refOf = (exercise: string) => workspace.exercises.find((r) => r.id === exercise)!;
    const files = { 'tokenization/bpe-train': wrongTrainBpe(), 'tokenization/bpe-encode': solutionOf('tokenization/bpe-encode'), [id]: importingLearner };
    for (const [exercise, source] of Object.entries(files)) await fs.writeFile(learnerFileOf(workspace, refOf(exercise)), source);
    const check = async (exercise: string) => (await gradeAndRecord(workspace, refOf(exercise), { seed: 1, learnerFile: learnerFileOf(workspace, refOf(exercise)) })).verdict;
    expect((await check('tokenization/bpe-train')).status).toBe('fail');
    expect((await check('tokenization/bpe-encode')).status).toBe('pass');
    const verdict = await check(id);
    expect(verdict.status).toBe('fail');
    expect(verdict.notes).toContain(
      'This file imports bpe-train.ts (transformer-core/tokenization/bpe-train), which does not pass yet: if its code is wrong, this exercise fails too. Check it with `llm-tutor check transformer-core/tokenization/bpe-train`.',
    );
    expect(verdict.notes.join('\n')).not.toContain('bpe-encode');
  }, 60_000);

  test('a file that breaks a "Check yourself" property fails with its message', async () => {
    // Merges in reverse order: the same set, so the list for 12 merges no longer begins with the list for 4.
    const reversed = importingLearner.replace('const merges = trainBpe(train, 256 + numMerges);', 'const merges = trainBpe(train, 256 + numMerges).reverse();');
    const verdict = await gradeLearnerSource(id, {
      'tokenization/bpe-train.ts': solutionOf('tokenization/bpe-train'),
      'tokenization/bpe-encode.ts': solutionOf('tokenization/bpe-encode'),
      [`${id}.ts`]: reversed,
    });
    const property = verdict.cases.find((c) => c.name.startsWith('more merges extend the merge list and never give more tokens'));
    expect(property?.status).toBe('fail');
    expect(property?.message).toContain('With 12 merges your merge list should begin with your 4 merges');
  });
});
