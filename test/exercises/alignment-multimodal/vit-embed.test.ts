import { describe, expect, test } from 'vitest';
import { vitEmbed } from '../../../exercises/alignment-multimodal/vision/vit-embed/solution.js';
import { lessonImage, lessonParams, squareParams } from '../../../exercises/alignment-multimodal/vision/vit-embed/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectClose } from '../../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { convPatchEmbed, expectEachMisconceptionDiagnosed, grade, namedCase, runLessonJs, seededCases, visionFile } from './vision-helpers.js';

const id = 'vision/vit-embed';
const qualified = `alignment-multimodal/${id}`;
const clsRow = 'row 0 is cls + pos[0], whatever the image';
type Params = typeof lessonParams;
type Args = [number[][][], Params];
const embed = async (...args: Args) => (await reference(qualified, ...args)) as number[][];

/**
 * The embedding in float64 from the Conv2d's point of view: w read back as the
 * weight [D, C, p, p] (weight[d][c][r][q] = w[c·p² + r·p + q][d]) and slid over
 * the image, output position (gy, gx) → token 1 + gy·(W/p) + gx.
 */
function asConvolution(image: number[][][], { patch: p, w, b, cls, pos }: Params): number[][] {
  const [h, wd] = [image[0].length, image[0][0].length];
  const weight = (d: number, c: number, r: number, q: number) => w[c * p * p + r * p + q][d];
  const tokens = [cls];
  for (let gy = 0; gy < h / p; gy++) {
    for (let gx = 0; gx < wd / p; gx++) {
      tokens.push(b.map((bias, d) => image.reduce((acc, channel, c) => {
        for (let r = 0; r < p; r++) for (let q = 0; q < p; q++) acc += weight(d, c, r, q) * channel[gy * p + r][gx * p + q];
        return acc;
      }, bias)));
    }
  }
  return tokens.map((row, i) => row.map((v, d) => v + pos[i][d]));
}

describe(id, () => {
  test('the lesson example by hand: x·w = [0, 1], [2, 1], [−1, 3], [0.5, 2.5]; z = [1.5, 1.5], [1, 1], [4, 0], [0, 1], [0.5, 1.5]', async () => {
    const x = [[1, 0, 0, 1], [2, 1, 0, 0], [1, 1, 0, 2], [0, 2, 1, 0]];
    const xw = x.map((row) => [0, 1].map((d) => row.reduce((acc, v, k) => acc + v * lessonParams.w[k][d], 0)));
    expect(xw).toEqual([[0, 1], [2, 1], [-1, 3], [0.5, 2.5]]);
    const e = xw.map((row) => row.map((v, d) => v + lessonParams.b[d]));
    const z = [lessonParams.cls, ...e].map((row, i) => row.map((v, d) => v + lessonParams.pos[i][d]));
    expect(z).toEqual([[1.5, 1.5], [1, 1], [4, 0], [0, 1], [0.5, 1.5]]);
    expect(await embed(lessonImage, lessonParams)).toEqual(z);
  });

  test('PyTorch 1.13 nn.Conv2d(C, D, p, stride=p) with the weight w.T.reshape(D, C, p, p), flatten(2).transpose(1, 2), cat cls, + pos (float64)', async () => {
    // python: conv.weight.copy_(w.T.reshape(2, 1, 2, 2)); conv.bias.copy_(b)
    //         torch.cat([cls[None], conv(image[None]).flatten(2).transpose(1, 2)[0]]) + pos
    expect(await embed(lessonImage, lessonParams)).toEqual([[1.5, 1.5], [1, 1], [4, 0], [0, 1], [0.5, 1.5]]);
    // The same with nn.Conv2d(1, 4, 2, stride=2) and the square w; with conv.weight.copy_(w.reshape(4, 1, 2, 2)) instead
    // (w read as [D, C·p·p], the w-transposed mistake) row 1 is [1, 1, 0, 2].
    expect(await embed(lessonImage, squareParams)).toEqual([[1, 1, 1, 1], [1, 0, 1, 2], [3, 1, 0, 1], [2, 1, 2, 3], [2, 2, 1, 1]]);
    // The same with nn.Conv2d(2, 3, 2, stride=2) on the fixed case.
    const fixed = (await namedCase(id, 'fixed: 2 channels')).args as Args;
    expectClose(await embed(...fixed), [
      [0.6, -0.3, 0.55],
      [1.4375, -0.9500000000000002, 0.9625],
      [-2.1374999999999997, -0.33749999999999997, 0.675],
    ], 6);
  });

  test('the reference and the model solution agree with the Conv2d computed by hand in float64 and with tfjs conv2d on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [image, p] = c.args as Args;
      const want = asConvolution(image, p);
      expectClose(await embed(image, p), want, 5, c.name);
      expectClose(vitEmbed(image, p), want, 10, c.name);
      const conv = await convPatchEmbed(image, p.patch, p.w, p.b);
      expectClose([p.cls, ...conv].map((row, i) => row.map((v, d) => v + p.pos[i][d])), want, 5, c.name);
    }
  });

  test('the wrong variants on the lesson example give the rows the Pitfalls quote', async () => {
    expect(await wrong(qualified, 'cls-last', lessonImage, lessonParams)).toEqual([[2, 1], [3, 1], [1, 2], [1.5, 0.5], [-0.5, 0.5]]);
    expect(await wrong(qualified, 'pos-before-cls', lessonImage, lessonParams)).toEqual([[0.5, 0.5], [2, 1], [3, 1], [1, 2], [1.5, 0.5]]);
    expect(((await wrong(qualified, 'bias-forgotten', lessonImage, lessonParams)) as number[][]).slice(1)).toEqual([[0, 2], [3, 1], [-1, 2], [-0.5, 2.5]]);
    expect(((await wrong(qualified, 'w-transposed', lessonImage, squareParams)) as number[][])[1]).toEqual([1, 1, 0, 2]);
    await expect(wrong(qualified, 'w-transposed', lessonImage, lessonParams)).resolves.toBeUndefined();
    const lesson = await visionFile(id, 'lesson.md');
    expect(lesson).toContain('row 1 comes out [1, 1, 0, 2] instead of [1, 0, 1, 2]');
    for (const quoted of ['[[2, 1], [3, 1], [1, 2], [1.5, 0.5], [−0.5, 0.5]]', '[[0.5, 0.5], [2, 1], [3, 1], [1, 2], [1.5, 0.5]]', '[0, 2], [3, 1], [−1, 2], [−0.5, 2.5]']) expect(lesson).toContain(quoted);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['cls-last', 'pos-before-cls', 'bias-forgotten', 'w-transposed']);
  });

  test('check yourself: the model solution keeps row 0 at cls + pos[0]; one that appends CLS after the patches breaks it', async () => {
    await expectSolutionHolds(qualified, { [clsRow]: 1 });
    const clsLast = await solutionWith(qualified, ['const rows: Matrix = [cls];', 'const rows: Matrix = [];'], ['return rows.map(', 'rows.push(cls);\n  return rows.map(']);
    await expectPropertyBroken(qualified, clsLast, clsRow, /^Your row 0 is \[.*\]; the CLS row is cls \+ pos\[0\]/);
  });

  test('a learner who adds the positions before putting CLS in front gets a failing verdict naming the mistake', async () => {
    const source = await solutionWith(
      qualified,
      ['const rows: Matrix = [cls];', 'const rows: Matrix = [];'],
      ['return rows.map((row, i) => row.map((v, d) => v + pos[i][d]));', 'return [cls, ...rows.map((row, i) => row.map((v, d) => v + pos[i][d]))];'],
    );
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'pos-before-cls', confidence: 'full' });
  });

  test("the ```js block of In practice gives the reference's output on the lesson example", async () => {
    const { tf } = await loadTf();
    expectClose(await runLessonJs(id, tf, { image: lessonImage, p: lessonParams }), await embed(lessonImage, lessonParams), 6);
  });
});
