import { describe, expect, test } from 'vitest';
import { patchify } from '../../../exercises/alignment-multimodal/vision/patchify/solution.js';
import { lessonImage } from '../../../exercises/alignment-multimodal/vision/patchify/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { convPatchEmbed, expectEachMisconceptionDiagnosed, grade, namedCase, patchesByScatter, runLessonJs, seededCases, visionFile } from './vision-helpers.js';

const id = 'vision/patchify';
const qualified = `alignment-multimodal/${id}`;
const stacking = "the patches of two images stacked vertically are the first image's patches, then the second's";
const moving = 'patchify only moves pixels: every pixel appears once in the output';
type Args = [number[][][], number];
const patches = async (...args: Args) => (await reference(qualified, ...args)) as number[][];

describe(id, () => {
  test('the lesson example by hand: patch (gy, gx), value (c, r, q) is pixel 100·c + 10·(2gy + r) + (2gx + q)', async () => {
    const byHand = [0, 1].flatMap((gy) => [0, 1].map((gx) => [0, 1].flatMap((c) => [0, 1].flatMap((r) => [0, 1].map((q) => 100 * c + 10 * (2 * gy + r) + (2 * gx + q))))));
    expect(byHand[0]).toEqual([0, 1, 10, 11, 100, 101, 110, 111]);
    expect(byHand[3]).toEqual([22, 23, 32, 33, 122, 123, 132, 133]);
    expect(await patches(lessonImage, 2)).toEqual(byHand);
    // Check yourself: pixel 123 (channel 1, row 2, column 3) is place 5 of row 3.
    expect(byHand[3][5]).toBe(123);
  });

  test('PyTorch 1.13 F.unfold(image[None], p, stride=p)[0].T (float64) on the lesson example and the 8×8 picture', async () => {
    // python: img = torch.tensor(lessonImage, dtype=torch.float64); F.unfold(img[None], 2, stride=2)[0].T.tolist()
    expect(await patches(lessonImage, 2)).toEqual([
      [0, 1, 10, 11, 100, 101, 110, 111],
      [2, 3, 12, 13, 102, 103, 112, 113],
      [20, 21, 30, 31, 120, 121, 130, 131],
      [22, 23, 32, 33, 122, 123, 132, 133],
    ]);
    // python: img = torch.arange(64, dtype=torch.float64).reshape(1, 8, 8); F.unfold(img[None], 4, stride=4)[0].T.tolist()
    const picture = (await namedCase(id, "the lesson's picture")).args as Args;
    expect(await patches(...picture)).toEqual([
      [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27],
      [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31],
      [32, 33, 34, 35, 40, 41, 42, 43, 48, 49, 50, 51, 56, 57, 58, 59],
      [36, 37, 38, 39, 44, 45, 46, 47, 52, 53, 54, 55, 60, 61, 62, 63],
    ]);
  });

  test("the lesson's 8×8 drawing: patch numbers 0–3 over the grid, and patch 1's pixels numbered in the order they enter its row", async () => {
    const lesson = await visionFile(id, 'lesson.md');
    const [, row1] = await patches([Array.from({ length: 8 }, (_, r) => Array.from({ length: 8 }, (_, w) => 8 * r + w))], 4);
    // Patch 1 is the top-right block: pixel (r, w) enters its row at place 4·r + (w − 4).
    row1.forEach((pixel, place) => expect(4 * Math.floor(pixel / 8) + ((pixel % 8) - 4)).toBe(place));
    for (const line of ['|  0  1  2  3 |', '|  4  5  6  7 |', '|  8  9 10 11 |', '| 12 13 14 15 |']) expect(lesson).toContain(line);
    expect(lesson).toContain(`row 1 of the output is [${row1.join(', ')}]`);
  });

  test('the reference and the model solution agree with a scatter of every pixel and with a tfjs conv2d of one-hot filters on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = patchesByScatter(...args);
      expect(want.flat().some(Number.isNaN), c.name).toBe(false);
      expectClose(await patches(...args), want, 6, c.name);
      expect(patchify(...args), c.name).toEqual(want);
      expectClose(await convPatchEmbed(...args), want, 6, c.name);
    }
  });

  test('the wrong variants on the lesson example: channel-last patch 0 starts 0, 100; grid by columns puts [20, 21, …] second; transposed patch 0 starts 0, 10', async () => {
    expect(((await wrong(qualified, 'channel-last', lessonImage, 2)) as number[][])[0]).toEqual([0, 100, 1, 101, 10, 110, 11, 111]);
    expect(((await wrong(qualified, 'grid-by-columns', lessonImage, 2)) as number[][])[1]).toEqual([20, 21, 30, 31, 120, 121, 130, 131]);
    expect(((await wrong(qualified, 'patch-transposed', lessonImage, 2)) as number[][])[0]).toEqual([0, 10, 1, 11, 100, 110, 101, 111]);
    const lesson = await visionFile(id, 'lesson.md');
    for (const quoted of ['[0, 100, 1, 101, 10, 110, 11, 111]', '[20, 21, 30, 31, 120, 121, 130, 131]', '[0, 10, 1, 11, 100, 110, 101, 111]']) expect(lesson).toContain(quoted);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['channel-last', 'grid-by-columns', 'patch-transposed']);
  });

  test('check yourself: the model solution holds both properties; walking the grid by columns breaks the stacking one, a patch offset of gx instead of gx·p the other', async () => {
    await expectSolutionHolds(qualified, { [stacking]: 1, [moving]: 1 });
    const byColumns = await solutionWith(
      qualified,
      ['for (let gy = 0; gy < gridRows; gy++) {\n    for (let gx = 0; gx < gridCols; gx++) {', 'for (let gx = 0; gx < gridCols; gx++) {\n    for (let gy = 0; gy < gridRows; gy++) {'],
    );
    await expectPropertyBroken(qualified, byColumns, stacking, /^Row \d+ of the stacked image's patches starts/);
    const noStride = await solutionWith(qualified, ['image[c][gy * patch + r][gx * patch + q]', 'image[c][gy * patch + r][gx + q]']);
    await expectPropertyBroken(qualified, noStride, moving, /some pixel is taken twice and another never/);
  });

  test('a learner who flattens each patch channels-last gets a failing verdict naming the mistake', async () => {
    const source = await solutionWith(
      qualified,
      [
        'for (let c = 0; c < channels; c++) {\n        for (let r = 0; r < patch; r++) {\n          for (let q = 0; q < patch; q++) row.push(',
        'for (let r = 0; r < patch; r++) {\n        for (let q = 0; q < patch; q++) {\n          for (let c = 0; c < channels; c++) row.push(',
      ],
    );
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'channel-last', confidence: 'full' });
  });

  test("the ```js block of In practice gives the reference's output on the lesson example", async () => {
    const { tf } = await loadTf();
    expect(await runLessonJs(id, tf, { image: lessonImage, patch: 2 })).toEqual(await patches(lessonImage, 2));
  });
});
