import { describe, expect, test } from 'vitest';
import { clipLoss } from '../../../exercises/alignment-multimodal/vision/clip-loss/solution.js';
import { lessonImage, lessonLogitScale, lessonText } from '../../../exercises/alignment-multimodal/vision/clip-math.js';
import { loadTf, registerGradients } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, namedCase, packFile, parseHeatmap, runLessonJs, seededCases } from './clip-helpers.js';

const id = 'vision/clip-loss';
const qualified = `alignment-multimodal/${id}`;
const scaleProperty = 'scaling an embedding by a positive number changes nothing';
const swapProperty = 'swapping the images and the texts gives the same loss';
type Args = [number[][], number[][], number];
const loss = async (...args: Args) => (await reference(qualified, ...args)) as number;

/**
 * The loss in tfjs (float32): normalised rows, tf.losses.softmaxCrossEntropy with one-hot labels (the rows of tf.eye)
 * (Reduction.NONE, then a mean), and tf.grad of it with respect to logitScale.
 */
async function tfLossAndGrad(image: number[][], text: number[][], logitScale: number): Promise<{ loss: number; dScale: number }> {
  const { tf } = await loadTf();
  registerGradients();
  return tf.tidy(() => {
    const unit = (x: number[][]) => {
      const t = tf.tensor2d(x);
      return tf.div(t, tf.maximum(tf.norm(t, 2, -1, true), 1e-12));
    };
    const cosines = tf.matMul(unit(image), unit(text), false, true);
    const labels = tf.eye(image.length);
    const f = (s: ReturnType<typeof tf.scalar>) => {
      const logits = tf.mul(cosines, tf.exp(s));
      const rows = tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0, tf.Reduction.NONE);
      const cols = tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits), undefined, 0, tf.Reduction.NONE);
      return tf.div(tf.add(tf.mean(rows), tf.mean(cols)), 2);
    };
    const s = tf.scalar(logitScale);
    return { loss: f(s).arraySync() as number, dScale: tf.grad(f)(s).arraySync() as number };
  });
}

describe(id, () => {
  test('the lesson example by hand: unit rows, the cosine matrix, the scale 2, row losses mean 0.476884, column losses 0.507025, loss 0.491954', async () => {
    // Written out: the rows over their lengths 5, 2, 1 and 2, 5, 13; a plain softmax (the logits are small).
    const I = [[3 / 5, 4 / 5], [1, 0], [0, -1]];
    const T = [[0, 1], [3 / 5, -4 / 5], [5 / 13, -12 / 13]];
    const cos = I.map((i) => T.map((t) => i[0] * t[0] + i[1] * t[1]));
    expect(cos[0][1]).toBeCloseTo(-0.28, 12);
    expect(cos[0][2]).toBeCloseTo(-0.507692, 6);
    const logits = cos.map((row) => row.map((c) => 2 * c));
    const ce = (row: number[], i: number) => -Math.log(Math.exp(row[i]) / row.reduce((a, z) => a + Math.exp(z), 0));
    const rows = logits.map((row, i) => ce(row, i));
    const cols = logits.map((_, j) => ce(logits.map((row) => row[j]), j));
    [0.172662, 0.668446, 0.589543].forEach((x, i) => expect(rows[i]).toBeCloseTo(x, 6));
    [0.20638, 0.97978, 0.334916].forEach((x, i) => expect(cols[i]).toBeCloseTo(x, 6));
    const byHand = (rows.reduce((a, b) => a + b) / 3 + cols.reduce((a, b) => a + b) / 3) / 2;
    expect(byHand).toBeCloseTo(0.491954, 6);
    expect(Math.exp(lessonLogitScale)).toBeCloseTo(2, 14);
    expect(await loss(lessonImage, lessonText, lessonLogitScale)).toBeCloseTo(byHand, 12);
    // The lesson's heatmap is this cosine matrix, its diagonal marked.
    const heatmap = parseHeatmap(await lessonBlock(id, 'heatmap'));
    expect(heatmap.mark).toBe('diagonal');
    expect(heatmap.columns).toEqual(['txt0', 'txt1', 'txt2']);
    expect(heatmap.rows.map((r) => r.label)).toEqual(['img0', 'img1', 'img2']);
    heatmap.rows.forEach((r, i) => r.values.forEach((v, j) => expect(v).toBeCloseTo(cos[i][j], 6)));
  });

  test('PyTorch 1.13 (F.normalize, F.cross_entropy both ways, float64) on the fixed cases', async () => {
    // python: I = F.normalize(image, dim=-1); T = F.normalize(text, dim=-1); L = math.exp(s) * I @ T.T
    //         labels = torch.arange(N); (F.cross_entropy(L, labels) + F.cross_entropy(L.T, labels)) / 2
    expect(await loss(lessonImage, lessonText, lessonLogitScale)).toBeCloseTo(0.49195448569356914, 12);
    // F.cross_entropy(L, labels) and F.cross_entropy(L.T, labels) alone: the one-direction variant's two alternatives.
    const [rows, cols] = (await wrongAlternatives(qualified, 'one-direction', lessonImage, lessonText, lessonLogitScale)) as number[];
    expect(rows).toBeCloseTo(0.476883749794568, 12);
    expect(cols).toBeCloseTo(0.5070252215925704, 12);
    const large = await namedCase(id, 'a large scale');
    expect(await loss(...(large.args as Args))).toBeCloseTo(1176.9720009438192, 9);
    const zero = await namedCase(id, 'a zero image row');
    expect(await loss(...(zero.args as Args))).toBeCloseTo(0.905290649476758, 12);
    expect(await loss(...((await namedCase(id, 'a batch of 1')).args as Args))).toBe(0);
  });

  test('the reference and the model solution agree with tf.losses.softmaxCrossEntropy on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = await loss(...args);
      expect(clipLoss(...args), c.name).toBeCloseTo(want, 9);
      const got = (await tfLossAndGrad(...args)).loss;
      // float32: the large scale's logits of 22026 keep about 3 decimals.
      expect(Math.abs(got - want), c.name).toBeLessThanOrEqual(1e-4 + 1e-5 * Math.abs(want));
    }
  });

  test('autodiff: tf.grad of the loss with respect to logitScale matches central differences of the reference', async () => {
    for (const args of [[lessonImage, lessonText, lessonLogitScale], ...(await seededCases(id)).filter((c) => c.name.startsWith('random')).map((c) => c.args)] as Args[]) {
      const [image, text, s] = args;
      const h = 1e-5;
      const numeric = ((await loss(image, text, s + h)) - (await loss(image, text, s - h))) / (2 * h);
      const { dScale } = await tfLossAndGrad(image, text, s);
      expect(Math.abs(dScale - numeric)).toBeLessThanOrEqual(1e-4 + 1e-3 * Math.abs(numeric));
    }
    // On the lesson, raising the scale sharpens the right answers: the loss falls.
    expect((await tfLossAndGrad(lessonImage, lessonText, lessonLogitScale)).dScale).toBeLessThan(0);
  });

  test('the wrong variants give the numbers the lesson\'s Pitfalls quote', async () => {
    const lesson: Args = [lessonImage, lessonText, lessonLogitScale];
    expect(await wrong(qualified, 'not-normalised', ...lesson)).toBeCloseTo(1.339439, 6);
    expect(await wrong(qualified, 'exp-forgotten', ...lesson)).toBeCloseTo(0.778116, 6);
    expect(await wrong(qualified, 'softmax-whole-matrix', ...lesson)).toBeCloseTo(1.620484, 6);
    expect(await wrong(qualified, 'naive-softmax', ...lesson)).toBeCloseTo(0.491954, 6);
    expect(await wrong(qualified, 'zero-norm-nan', ...lesson)).toBeCloseTo(0.491954, 6);
    const large = (await namedCase(id, 'a large scale')).args as Args;
    expect(Math.exp(large[2])).toBeCloseTo(22026.465795, 6);
    expect(await wrongAlternatives(qualified, 'naive-softmax', ...large)).toEqual([NaN, Infinity]);
    expect(await loss(...large)).toBeCloseTo(1176.972, 3);
    expect(await wrong(qualified, 'zero-norm-nan', ...((await namedCase(id, 'a zero image row')).args as Args))).toBeNaN();
    const lessonMd = await packFile(id, 'lesson.md');
    const pitfalls = lessonMd.slice(lessonMd.indexOf('## Pitfalls'), lessonMd.indexOf('## Conventions'));
    for (const quoted of ['1.339439', '0.476884', '0.507025', '0.778116', '1.620484', '1176.972', '0.905291']) expect(pitfalls).toContain(quoted);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['not-normalised', 'one-direction', 'exp-forgotten', 'softmax-whole-matrix', 'naive-softmax', 'zero-norm-nan']);
  });

  test('check yourself: the model solution holds both properties; skipping the normalisation breaks the first, one direction the second', async () => {
    await expectSolutionHolds(qualified, { [scaleProperty]: 1, [swapProperty]: 1 });
    const raw = await solutionWith(qualified, ['return row.map((x) => x / Math.max(norm, 1e-12));', 'return row.map((x) => x + 0 * norm);']);
    await expectPropertyBroken(qualified, raw, scaleProperty, /^Your loss is [\d.]+, and [\d.]+ once image row 0 is multiplied by 7 and text row 2 by 0\.2\. CLIP compares directions only/);
    const oneWay = await solutionWith(qualified, ['return (meanCrossEntropy(perImage) + meanCrossEntropy(perText)) / 2;', 'return meanCrossEntropy(perImage) + 0 * perText.length;']);
    await expectPropertyBroken(qualified, oneWay, swapProperty, /^clipLoss\(image, text\) is [\d.]+ and clipLoss\(text, image\) is [\d.]+\. The loss is symmetric/);
  });

  test('grading a learner who forgot the exp fails with that diagnosis', async () => {
    const source = await solutionWith(qualified, ['const scale = Math.exp(logitScale);', 'const scale = logitScale;']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'exp-forgotten', confidence: 'full' });
    expect(verdict.cases[0]).toMatchObject({ name: 'the lesson example: 3 pairs in 2 dimensions, logitScale = ln 2 (scale 2)', status: 'fail' });
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example', async () => {
    const { tf } = await loadTf();
    const got = (await runLessonJs(id, tf, { image: lessonImage, text: lessonText, logitScale: lessonLogitScale })) as number;
    expect(got).toBeCloseTo(0.491954, 5);
  });
});
