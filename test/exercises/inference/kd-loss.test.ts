import { describe, expect, test } from 'vitest';
import { distillationLoss } from '../../../exercises/inference/distill/kd-loss/solution.js';
import { lessonStudent, lessonTeacher } from '../../../exercises/inference/distill/kd-loss/exercise.js';
import { loadTf, registerGradients } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, inferenceFile, lessonBlock, runLessonJs, seededCases } from './compress-helpers.js';

const id = 'distill/kd-loss';
const qualified = `inference/${id}`;
const shift = 'adding the same number to every logit of a row changes nothing (±1000 too)';
type Args = [number[][], number[][], number];
const loss = async (...args: Args) => (await reference(qualified, ...args)) as number;

/** The loss and its gradient with respect to the student's logits, by tfjs autodiff (float32): tf.logSoftmax and tf.grad. */
async function tfLossAndGrad(student: number[][], teacher: number[][], t: number): Promise<{ loss: number; grad: number[][] }> {
  const { tf } = await loadTf();
  registerGradients();
  return tf.tidy(() => {
    const logP = tf.logSoftmax(tf.div(tf.tensor2d(teacher), t));
    const f = (z: ReturnType<typeof tf.tensor2d>) => tf.mul(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, tf.logSoftmax(tf.div(z, t))))), (t * t) / student.length);
    const z = tf.tensor2d(student);
    return { loss: f(z).arraySync() as number, grad: tf.grad(f)(z).arraySync() as number[][] };
  });
}

/** Row by row in float64, written out: softmax by exp and divide, KL(p ‖ q) = Σ p·log(p/q). */
function byHand(student: number[][], teacher: number[][], t: number): number {
  const softmax = (row: number[]) => {
    const e = row.map((x) => Math.exp(x / t));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  };
  const rows = student.map((row, r) => {
    const p = softmax(teacher[r]);
    const q = softmax(row);
    return p.reduce((acc, pv, v) => acc + pv * Math.log(pv / q[v]), 0);
  });
  return (t * t * rows.reduce((a, b) => a + b, 0)) / rows.length;
}

describe(id, () => {
  test('the lesson example by hand: KL per row 0.245327 and 0.167673, loss 4 × 0.2065 = 0.826', async () => {
    // Row 0 written out: p = softmax([1.5, 0.5, 0]), q = softmax([0.5, 1, 0.25]).
    const p = [Math.exp(1.5), Math.exp(0.5), 1].map((x, _, a) => x / (Math.exp(1.5) + Math.exp(0.5) + 1));
    const q = [Math.exp(0.5), Math.exp(1), Math.exp(0.25)].map((x) => x / (Math.exp(0.5) + Math.exp(1) + Math.exp(0.25)));
    expect(p[0]).toBeCloseTo(0.628532, 6);
    expect(q[1]).toBeCloseTo(0.481024, 6);
    expect(p.reduce((acc, pv, v) => acc + pv * Math.log(pv / q[v]), 0)).toBeCloseTo(0.245327, 6);
    expect(await loss(lessonStudent, lessonTeacher, 2)).toBeCloseTo(0.826, 6);
    expect(await loss(lessonTeacher, lessonTeacher, 2)).toBe(0);
    expect(await loss([[0, 0, 0]], [[1000, 0, -1000]], 1)).toBeCloseTo(Math.log(3), 12);
  });

  test('PyTorch 1.13 (KLDivLoss batchmean × T·T, float64) on the lesson example: 0.6494176938889418 at T = 1, 0.8260004751490048 at T = 2', async () => {
    expect(await loss(lessonStudent, lessonTeacher, 1)).toBeCloseTo(0.6494176938889418, 12);
    expect(await loss(lessonStudent, lessonTeacher, 2)).toBeCloseTo(0.8260004751490048, 12);
  });

  test('the reference and the model solution agree with a softmax-and-divide computation and with tfjs on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = await loss(...args);
      expect(distillationLoss(...args), c.name).toBeCloseTo(want, 10);
      const tfLoss = (await tfLossAndGrad(...args)).loss;
      expect(Math.abs(tfLoss - want), c.name).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want));
      if (!c.name.includes('1000')) expect(byHand(...args), c.name).toBeCloseTo(want, 10);
    }
  });

  test('why T²: autodiff\'s gradient is T·(q − p)/rows, and the lesson\'s table of its largest entry holds', async () => {
    const table = (await inferenceFile(id, 'lesson.md')).split('\n').filter((l) => /^\| [1248] \| 0\.\d+ \|/.test(l));
    expect(table).toHaveLength(4);
    for (const line of table) {
      const [t, l, withT2, without] = line.split('|').slice(1, 5).map((x) => Number(x.trim()));
      const { loss: tfLoss, grad } = await tfLossAndGrad(lessonStudent, lessonTeacher, t);
      expect(tfLoss).toBeCloseTo(l, 5);
      expect(await loss(lessonStudent, lessonTeacher, t)).toBeCloseTo(l, 6);
      const largest = Math.max(...grad.flat().map(Math.abs));
      expect(largest, `T = ${t}`).toBeCloseTo(withT2, 5);
      expect(Math.abs(grad[0][0])).toBe(largest);
      expect(largest / (t * t)).toBeCloseTo(without, 5);
      // The closed form: T·(q − p)/rows.
      const q = lessonStudent[0].map((x) => Math.exp(x / t)).map((x, _, a) => x / a.reduce((s, y) => s + y, 0));
      const p = lessonTeacher[0].map((x) => Math.exp(x / t)).map((x, _, a) => x / a.reduce((s, y) => s + y, 0));
      expect(grad[0][0]).toBeCloseTo((t * (q[0] - p[0])) / 2, 5);
    }
    // The high-temperature limit (z − v)/(V·rows) with centred logits, row 0 token 0: (−1/6 − 5/3)/6.
    expect((-1 / 6 - 5 / 3) / 6).toBeCloseTo(-0.305556, 6);
  });

  test('the lesson\'s bars are softmax([3, 1, 0]/T) at T = 1 and 2', async () => {
    const values = (await lessonBlock(id, 'bars')).split('\n').filter((l) => l.startsWith('token')).map((l) => Number(l.trim().split(/\s+/).at(-1)));
    const e = [Math.exp(3), Math.exp(1), 1];
    e.forEach((x, v) => expect(values[v]).toBeCloseTo(x / (e[0] + e[1] + e[2]), 6));
  });

  test('the wrong variants on the lesson example: no T² 0.2065, reversed KL 0.872534, mean over elements 0.275333', async () => {
    expect(await wrong(qualified, 'no-t-squared', lessonStudent, lessonTeacher, 2)).toBeCloseTo(0.2065, 6);
    expect(await wrong(qualified, 'no-t-squared', lessonStudent, lessonTeacher, 1)).toBeCloseTo(await loss(lessonStudent, lessonTeacher, 1), 12);
    expect(await wrong(qualified, 'kl-reversed', lessonStudent, lessonTeacher, 2)).toBeCloseTo(0.872534, 6);
    expect(await wrong(qualified, 'mean-over-elements', lessonStudent, lessonTeacher, 2)).toBeCloseTo(0.275333, 6);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['no-t-squared', 'kl-reversed', 'mean-over-elements']);
  });

  test('check yourself: the model solution holds the shift property; a softmax without the max subtracted breaks it', async () => {
    await expectSolutionHolds(qualified, { [shift]: 1 });
    const unstable = await solutionWith(qualified, ['Math.exp(x - max)', 'Math.exp(x)'], ['return z.map((x) => x - max - logSum);', 'return z.map((x) => x - logSum);']);
    await expectPropertyBroken(qualified, unstable, shift, /^Your loss is -?[\d.e+-]+ for the logits and (NaN|-?Infinity|-?[\d.e+-]+) with every student logit \+1000/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example', async () => {
    const { tf } = await loadTf();
    const got = (await runLessonJs(id, tf, { student: lessonStudent, teacher: lessonTeacher, t: 2 })) as number;
    expect(got).toBeCloseTo(0.826, 5);
  });
});
