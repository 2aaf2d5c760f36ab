import { describe, expect, test } from 'vitest';
import { ppoClipLoss } from '../../../exercises/alignment-multimodal/rl/ppo-clip/solution.js';
import { lessonAdvantages, lessonNew, lessonOld } from '../../../exercises/alignment-multimodal/rl/ppo-clip/exercise.js';
import { loadTf, registerGradients } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { expectEachMisconceptionDiagnosed, grade, lessonBlock, rlFile, runLessonJs, seededCases } from './rl-helpers.js';

const id = 'rl/ppo-clip';
const qualified = `alignment-multimodal/${id}`;
const ratioOne = 'with logpNew = logpOld (ratio 1) the loss is −mean(advantages)';
const pessimistic = 'the clipped loss is never below the unclipped −mean(r·A): the objective is a pessimistic bound';
type Args = [number[], number[], number[], number];
const loss = async (...args: Args) => (await reference(qualified, ...args)) as number;

/** The paper's case-by-case form: A ≥ 0 → min(r, 1 + ε)·A, A < 0 → max(r, 1 − ε)·A; no clip function. */
function piecewise(logpNew: number[], logpOld: number[], advantages: number[], eps: number): number {
  let sum = 0;
  logpNew.forEach((x, t) => {
    const r = Math.exp(x - logpOld[t]);
    const a = advantages[t];
    sum += a >= 0 ? Math.min(r, 1 + eps) * a : Math.max(r, 1 - eps) * a;
  });
  return -sum / logpNew.length;
}

/** The loss and ∂loss/∂logpNew by tfjs autodiff, written with tf.clipByValue and tf.minimum. */
async function tfLossAndGrad(logpNew: number[], logpOld: number[], advantages: number[], eps: number) {
  const { tf } = await loadTf();
  registerGradients();
  return tf.tidy(() => {
    const old = tf.tensor1d(logpOld);
    const adv = tf.tensor1d(advantages);
    const f = (x: ReturnType<typeof tf.tensor1d>) => {
      const r = tf.exp(tf.sub(x, old));
      return tf.neg(tf.mean(tf.minimum(tf.mul(r, adv), tf.mul(tf.clipByValue(r, 1 - eps, 1 + eps), adv))));
    };
    const x = tf.tensor1d(logpNew);
    return { loss: f(x).arraySync() as number, grad: tf.grad(f)(x).arraySync() as number[] };
  });
}

describe(id, () => {
  test('the lesson example by hand: ratios, the kept terms 2.4, −0.8, 0.335160, −2.237737, loss 0.075644', async () => {
    const ratio = [0.3, -0.5, -0.4, 0.4].map(Math.exp);
    [1.349859, 0.606531, 0.67032, 1.491825].forEach((r, t) => expect(ratio[t]).toBeCloseTo(r, 6));
    const kept = [Math.min(ratio[0] * 2, 2.4), Math.min(-ratio[1], -0.8), Math.min(0.5 * ratio[2], 0.4), Math.min(-1.5 * ratio[3], -1.8)];
    [2.4, -0.8, 0.33516, -2.237737].forEach((k, t) => expect(kept[t]).toBeCloseTo(k, 6));
    expect(kept.reduce((a, b) => a + b)).toBeCloseTo(-0.302577, 6);
    expect(await loss(lessonNew, lessonOld, lessonAdvantages, 0.2)).toBeCloseTo(0.075644, 6);
    expect(piecewise(lessonNew, lessonOld, lessonAdvantages, 0.2)).toBeCloseTo(0.075644, 6);
    // The Check yourself bound: −mean(r·A).
    expect(-(2 * ratio[0] - ratio[1] + 0.5 * ratio[2] - 1.5 * ratio[3]) / 4).toBeCloseTo(-0.047652, 6);
  });

  test('PyTorch 1.13 (float64, CleanRL\'s line) on the lesson example and the far off-policy case, with autograd\'s gradient', async () => {
    // ratio = (new - old).exp(); l = torch.max(-A * ratio, -A * torch.clamp(ratio, 0.8, 1.2)).mean(); l.backward()
    expect(await loss(lessonNew, lessonOld, lessonAdvantages, 0.2)).toBeCloseTo(0.07564425586102141, 12);
    expect(await loss([-1, -5, -1, -5], [-4, -2, -4, -2], [1, -1, -1, 1], 0.2)).toBeCloseTo(4.908937463704952, 12);
    // new.grad: [0.0, 0.0, -0.0837900057544549, 0.5594342616154763], the lesson's gradient table.
    const { grad } = await tfLossAndGrad(lessonNew, lessonOld, lessonAdvantages, 0.2);
    [0, 0, -0.0837900057544549, 0.5594342616154763].forEach((g, t) => expect(grad[t]).toBeCloseTo(g, 6));
    const lesson = await rlFile(id, 'lesson.md');
    expect(lesson).toContain('| 2 | −0.335160 / 4 = −0.083790 |');
    expect(lesson).toContain('| 3 | 2.237737 / 4 = 0.559434 |');
  });

  test('the reference and the model solution equal the case-by-case form and tfjs on every seeded case; autodiff is 0 exactly on the clipped tokens', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const [logpNew, logpOld, advantages, eps] = args;
      const want = piecewise(...args);
      expect(await loss(...args), c.name).toBeCloseTo(want, 10);
      expect(ppoClipLoss(...args), c.name).toBeCloseTo(want, 10);
      const tfResult = await tfLossAndGrad(...args);
      expect(Math.abs(tfResult.loss - want), c.name).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want));
      logpNew.forEach((x, t) => {
        const r = Math.exp(x - logpOld[t]);
        const a = advantages[t];
        const clipped = (a > 0 && r > 1 + eps) || (a < 0 && r < 1 - eps);
        if (clipped) expect(tfResult.grad[t], `${c.name}, token ${t}`).toBe(0);
        else expect(tfResult.grad[t], `${c.name}, token ${t}`).toBeCloseTo((-r * a) / logpNew.length, 4);
      });
    }
  });

  test('the lesson\'s bars are |∂L/∂logpNew| of the example', async () => {
    const values = (await lessonBlock(id, 'bars')).split('\n').filter((l) => l.startsWith('token')).map((l) => Number(l.trim().split(/\s+/).at(-1)));
    const { grad } = await tfLossAndGrad(lessonNew, lessonOld, lessonAdvantages, 0.2);
    grad.forEach((g, t) => expect(values[t]).toBeCloseTo(Math.abs(g), 5));
  });

  test('the wrong variants on the lesson example give the Pitfalls\' numbers: −0.173297, 0.222319, 0.4 and 0.154167, −0.075644', async () => {
    const args: Args = [lessonNew, lessonOld, lessonAdvantages, 0.2];
    expect(await wrong(qualified, 'max-instead-of-min', ...args)).toBeCloseTo(-0.1732967388598433, 10);
    expect(await wrong(qualified, 'advantage-clipped', ...args)).toBeCloseTo(0.22231927851637878, 10);
    const [diff, quotient] = (await wrongAlternatives(qualified, 'ratio-not-exponentiated', ...args)) as number[];
    expect(diff).toBeCloseTo(0.4, 10);
    expect(quotient).toBeCloseTo(0.15416666666666676, 10);
    expect(await wrong(qualified, 'sign-flipped', ...args)).toBeCloseTo(-0.075644, 6);
    // PyTorch 1.13 float64 for the four: -torch.max(r*A, clamp(r,0.8,1.2)*A).mean() = -0.1732967388598433,
    // -torch.min(r*A, r*clamp(A,0.8,1.2)).mean() = 0.22231927851637878, and with r = new-old, new/old: 0.4, 0.15416666666666676.
    const pitfalls = (await rlFile(id, 'lesson.md')).split('## Pitfalls')[1].split('## Conventions')[0];
    for (const n of ['−0.173297', '0.222319', '0.4', '0.154167', '−0.075644']) expect(pitfalls).toContain(n);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['max-instead-of-min', 'advantage-clipped', 'ratio-not-exponentiated', 'sign-flipped']);
  });

  test('grading: a learner who keeps the max fails and is told so', async () => {
    const source = await solutionWith(qualified, ['total += Math.min(ratio', 'total += Math.max(ratio']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'max-instead-of-min', confidence: 'full' });
  });

  test('check yourself: the model solution holds both properties; a ratio not exponentiated breaks the first, the max the second', async () => {
    await expectSolutionHolds(qualified, { [ratioOne]: 1, [pessimistic]: 1 });
    const noExp = await solutionWith(qualified, ['Math.exp(logpNew[t] - logpOld[t])', '(logpNew[t] - logpOld[t])']);
    await expectPropertyBroken(qualified, noExp, ratioOne, /^With the new log-probabilities equal to the old ones your loss is -?[\d.e-]+, not −mean\(A\) = -?[\d.]+\. The ratio is exp\(new − old\) = 1/);
    const max = await solutionWith(qualified, ['total += Math.min(ratio', 'total += Math.max(ratio']);
    await expectPropertyBroken(qualified, max, pessimistic, /^Your loss is -?[\d.]+, below the unclipped −mean\(r·A\) = -?[\d.]+\. Taking the MINIMUM/);
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example', async () => {
    const { tf } = await loadTf();
    const got = (await runLessonJs(id, tf, { logpNew: lessonNew, logpOld: lessonOld, advantages: lessonAdvantages, eps: 0.2 })) as number;
    expect(got).toBeCloseTo(0.075644, 5);
  });
});
