import { describe, expect, test } from 'vitest';
import { gatherPagedKv } from '../../../exercises/inference/serving/paged-kv/solution.js';
import { lessonBlocks, lessonTable } from '../../../exercises/inference/serving/paged-kv/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, inferenceFile, runLessonJs, seededCases } from './compress-helpers.js';

const id = 'serving/paged-kv';
const qualified = `inference/${id}`;
const moved = 'moving a block to another physical slot, and its table entry with it, changes nothing';
type Args = [number[], number[][][], number, number];

/** Token t's row found another way: walk the table block by block and take rows while tokens remain. */
function walkTable(table: number[], blocks: number[][][], blockSize: number, seqLen: number): number[][] {
  const out: number[][] = [];
  for (const b of table) for (const row of blocks[b]) if (out.length < seqLen) out.push(row);
  return out;
}

describe(id, () => {
  test('the lesson example by hand: the seven keys [1, −1] … [7, −7], token 5 from block 1 row 1', async () => {
    const want = [1, 2, 3, 4, 5, 6, 7].map((k) => [k, -k]);
    expect(await reference(qualified, lessonTable, lessonBlocks, 4, 7)).toEqual(want);
    expect(lessonBlocks[lessonTable[Math.floor(5 / 4)]][5 % 4]).toEqual([6, -6]);
  });

  test('the reference and the model solution agree with a walk over the table on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = walkTable(...args);
      expect(await reference(qualified, ...args), c.name).toEqual(want);
      expect(gatherPagedKv(...args), c.name).toEqual(want);
    }
  });

  test('the random cases\' tables are out of physical order and use distinct blocks', async () => {
    for (const c of (await seededCases(id)).filter((x) => x.name.startsWith('random'))) {
      const [table] = c.args as Args;
      expect(new Set(table).size, c.name).toBe(table.length);
      expect(table.some((b, i) => i > 0 && table[i - 1] > b), c.name).toBe(true);
    }
  });

  test('the wrong variants on the lesson example give the rows the Pitfalls quote', async () => {
    const [sorted, pool] = (await wrongAlternatives(qualified, 'physical-order', lessonTable, lessonBlocks, 4, 7))!;
    expect(sorted).toEqual([[5, -5], [6, -6], [7, -7], [0, 0], [1, -1], [2, -2], [3, -3]]);
    expect((pool as number[][]).slice(0, 4)).toEqual([[21, 21], [22, 22], [23, 23], [24, 24]]);
    const whole = (await wrongAlternatives(qualified, 'whole-last-block', lessonTable, lessonBlocks, 4, 7))![0] as number[][];
    expect(whole).toHaveLength(8);
    expect(whole.at(-1)).toEqual([0, 0]);
    expect(await wrong(qualified, 'whole-last-block', lessonTable, lessonBlocks, 4, 8)).toEqual(await reference(qualified, lessonTable, lessonBlocks, 4, 8));
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['physical-order', 'whole-last-block']);
  });

  test('check yourself: the model solution holds under a moved block; reading blocks in physical order breaks it', async () => {
    await expectSolutionHolds(qualified, { [moved]: 1 });
    const sorted = await solutionWith(qualified, ['const physical = blockTable[Math.floor(t / blockSize)];', 'const physical = [...blockTable].sort((a, b) => a - b)[Math.floor(t / blockSize)];']);
    await expectPropertyBroken(qualified, sorted, moved, /^With table \[[\d, ]+\] and then \[[\d, ]+\] \(the same block moved to another physical slot\) your function returned different rows\./);
  });

  test('the lesson\'s pool drawing shows the blocks as lessonBlocks holds them', async () => {
    const lesson = await inferenceFile(id, 'lesson.md');
    const drawing = /```text\n([\s\S]*?)```/.exec(lesson)![1];
    lessonBlocks.forEach((block, b) => {
      const line = drawing.split('\n').find((l) => l.startsWith(`block ${b} `))!;
      const pairs = [...line.matchAll(/\[(−?\d+), (−?\d+)\]/g)].map((m) => [Number(m[1].replace('−', '-')), Number(m[2].replace('−', '-'))]);
      expect(pairs, `block ${b}`).toEqual(block);
    });
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and a padded table', async () => {
    const { tf } = await loadTf();
    for (const [blockTable, seqLen] of [[lessonTable, 7], [[3, 1, 0], 6]] as [number[], number][]) {
      const got = await runLessonJs(id, tf, { blockTable, blocks: lessonBlocks, blockSize: 4, seqLen });
      expect(got).toEqual(await reference(qualified, blockTable, lessonBlocks, 4, seqLen));
    }
  });
});
