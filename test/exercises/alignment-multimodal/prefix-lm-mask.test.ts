import { describe, expect, test } from 'vitest';
import { prefixLmMask } from '../../../exercises/alignment-multimodal/vision/prefix-lm-mask/solution.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, runLessonJs, seededCases, visionFile } from './vision-helpers.js';

const id = 'vision/prefix-lm-mask';
const qualified = `alignment-multimodal/${id}`;
const prefixRows = 'every prefix row sees the whole prefix: the prefix rows agree on the first prefixLen columns';
const causalPast = 'past the prefix the mask is causal: no position sees a later suffix position';
const mask = async (prefixLen: number, total: number) => (await reference(qualified, prefixLen, total)) as boolean[][];

/** The mask from its two rules built separately, a bidirectional block over the prefix and a causal triangle, then their union entry by entry. */
function unionOfRules(prefixLen: number, total: number): boolean[][] {
  const block = Array.from({ length: total }, () => Array.from({ length: total }, (_, j) => j < Math.min(prefixLen, total)));
  const triangle: boolean[][] = [];
  for (let i = 0; i < total; i++) triangle.push([...new Array<boolean>(i + 1).fill(true), ...new Array<boolean>(total - i - 1).fill(false)]);
  return block.map((row, i) => row.map((seen, j) => seen || triangle[i][j]));
}

/** The grids of ■ and · in the lesson's fenced blocks, as booleans, in order. */
async function lessonGrids(): Promise<boolean[][][]> {
  const lesson = await visionFile(id, 'lesson.md');
  return [...lesson.matchAll(/^```\n([\s\S]*?)^```$/gm)].map((m) =>
    m[1]
      .split('\n')
      .filter((line) => /[■·]/.test(line))
      .map((line) => [...line].filter((ch) => ch === '■' || ch === '·').map((ch) => ch === '■')),
  );
}

const T = true;
const F = false;

describe(id, () => {
  test('PyTorch 1.13 (big_vision\'s rule: c = cumsum(arange(6) >= 3); c[None, :] <= c[:, None]) on the lesson example, and torch.ones(5, 5).tril() for prefixLen 0', async () => {
    // python: ar = (torch.arange(6) >= 3).long(); c = torch.cumsum(ar, 0); (c[None, :] <= c[:, None]).tolist()
    const torchLesson = [
      [T, T, T, F, F, F],
      [T, T, T, F, F, F],
      [T, T, T, F, F, F],
      [T, T, T, T, F, F],
      [T, T, T, T, T, F],
      [T, T, T, T, T, T],
    ];
    expect(await mask(3, 6)).toEqual(torchLesson);
    expect(unionOfRules(3, 6)).toEqual(torchLesson);
    // python: torch.ones(5, 5, dtype=torch.bool).tril().tolist()
    expect(await mask(0, 5)).toEqual([
      [T, F, F, F, F],
      [T, T, F, F, F],
      [T, T, T, F, F],
      [T, T, T, T, F],
      [T, T, T, T, T],
    ]);
  });

  test("the lesson's grids are the masks for prefixLen 3 and 0 of 6 positions, with 24 and 21 entries true", async () => {
    const [prefix, causal] = await lessonGrids();
    expect(prefix).toEqual(unionOfRules(3, 6));
    expect(causal).toEqual(unionOfRules(0, 6));
    expect(prefix.flat().filter(Boolean)).toHaveLength(24);
    expect(causal.flat().filter(Boolean)).toHaveLength(21);
  });

  test('the reference and the model solution equal the union of the two rules on every seeded case; the edge cases are what the lesson says', async () => {
    for (const c of await seededCases(id)) {
      const [prefixLen, total] = c.args as [number, number];
      const want = unionOfRules(prefixLen, total);
      expect(await mask(prefixLen, total), c.name).toEqual(want);
      expect(prefixLmMask(prefixLen, total), c.name).toEqual(want);
      // Check yourself: T(T + 1)/2 + P(P − 1)/2 entries are true, P = min(prefixLen, total).
      const p = Math.min(prefixLen, total);
      expect(want.flat().filter(Boolean), c.name).toHaveLength((total * (total + 1)) / 2 + (p * (p - 1)) / 2);
    }
    expect(await mask(7, 5)).toEqual(Array.from({ length: 5 }, () => new Array(5).fill(true)));
    expect(await mask(4, 4)).toEqual(Array.from({ length: 4 }, () => new Array(4).fill(true)));
    expect(await mask(1, 4)).toEqual(await mask(0, 4));
    expect(await mask(0, 1)).toEqual([[true]]);
  });

  test('the wrong variants on the lesson example: causal 21 entries, prefix rows seeing all 33, j ≤ prefixLen 27; row 0 as the Pitfalls draw it', async () => {
    const count = (m: unknown) => (m as boolean[][]).flat().filter(Boolean).length;
    const causal = await wrong(qualified, 'causal-everywhere', 3, 6);
    const seeAll = await wrong(qualified, 'prefix-rows-see-all', 3, 6);
    const offByOne = await wrong(qualified, 'prefix-off-by-one', 3, 6);
    expect([count(causal), count(seeAll), count(offByOne)]).toEqual([21, 33, 27]);
    const lesson = await visionFile(id, 'lesson.md');
    const row0 = (m: unknown) => (m as boolean[][])[0].map((v) => (v ? '■' : '·')).join(' ');
    expect(lesson).toContain(`row 0 is ${row0(causal)} instead of ${row0(await mask(3, 6))}, 21 entries`);
    expect(lesson).toContain(`row 0 = ${row0(seeAll)}, 33 entries`);
    expect(lesson).toContain(`row 0 = ${row0(offByOne)}, 27 entries`);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['causal-everywhere', 'prefix-rows-see-all', 'prefix-off-by-one']);
  });

  test('check yourself: the model solution holds both properties; a causal prefix breaks the first, j <= prefixLen the second', async () => {
    await expectSolutionHolds(qualified, { [prefixRows]: 2, [causalPast]: 2 });
    const causal = await solutionWith(qualified, ['row.push(j < prefixLen || j <= i)', 'row.push(j <= i)']);
    await expectPropertyBroken(qualified, causal, prefixRows, /^Your row \d is [■· ]+: prefix position \d does not see prefix position \d/);
    const offByOne = await solutionWith(qualified, ['row.push(j < prefixLen || j <= i)', 'row.push(j <= prefixLen || j <= i)']);
    await expectPropertyBroken(qualified, offByOne, causalPast, /^Your row \d is [■· ]+: column \d is a suffix position/);
  });

  test('a learner whose prefix rows see everything gets a failing verdict naming the mistake', async () => {
    const source = await solutionWith(qualified, ['row.push(j < prefixLen || j <= i)', 'row.push(i < prefixLen || j < prefixLen || j <= i)']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'prefix-rows-see-all', confidence: 'full' });
  });

  test("the ```js block of In practice gives the reference's output on the lesson example and on prefixLen 0 and 8 of 5", async () => {
    const { tf } = await loadTf();
    for (const [prefixLen, total] of [[3, 6], [0, 5], [8, 5]]) expect(await runLessonJs(id, tf, { prefixLen, total })).toEqual(await mask(prefixLen, total));
  });
});
