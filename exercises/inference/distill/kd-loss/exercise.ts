import { defineExercise, randomMatrix, tidy, type Rng } from 'llm-tutor/pack';
import { close, show } from '../../../transformer-core/properties.js';

type Args = [student: number[][], teacher: number[][], t: number];

/** The lesson's batch: 2 rows over a vocabulary of 3, at T = 2. */
export const lessonStudent = [
  [1, 2, 0.5],
  [0, 1, 1],
];
export const lessonTeacher = [
  [3, 1, 0],
  [0, 2, -1],
];

/** log softmax(row / t), stable: the largest entry subtracted before exponentiating. */
export function logSoftmax(row: readonly number[], t: number): number[] {
  const z = row.map((x) => x / t);
  const max = Math.max(...z);
  const logSum = Math.log(z.reduce((acc, x) => acc + Math.exp(x - max), 0));
  return z.map((x) => x - max - logSum);
}

/** Σ_v exp(a_v)·(a_v − b_v): KL(P ‖ Q) from log-probabilities a of P and b of Q. */
const kl = (a: number[], b: number[]) => a.reduce((acc, x, v) => acc + Math.exp(x) * (x - b[v]), 0);

/** The teacher's and student's soft distributions, each row's KL(p ‖ q), and the loss T²·mean over rows. */
export function kdSteps(student: number[][], teacher: number[][], t: number) {
  const logP = teacher.map((row) => logSoftmax(row, t));
  const logQ = student.map((row) => logSoftmax(row, t));
  const rowKl = logP.map((a, r) => kl(a, logQ[r]));
  const mean = rowKl.reduce((acc, x) => acc + x, 0) / rowKl.length;
  return { steps: { p: logP.map((row) => row.map(Math.exp)), q: logQ.map((row) => row.map(Math.exp)), rowKl, 'T²': t * t }, output: t * t * mean };
}

const random = (rng: Rng, rows: number, v: number, std: number) => randomMatrix(rng, rows, v, std).map((r) => r.map((x) => tidy(x, 3)));

function cases(rng: Rng): { name: string; args: Args; expected?: number }[] {
  return [
    // PyTorch 1.13, float64: KLDivLoss(reduction="batchmean")(log_softmax(student/T), softmax(teacher/T)) * T * T.
    { name: 'the lesson example: 2 rows, 3 tokens, T = 2', args: [lessonStudent, lessonTeacher, 2], expected: 0.8260004751490048 },
    { name: 'the lesson example at T = 1: T² = 1, plain KL', args: [lessonStudent, lessonTeacher, 1], expected: 0.6494176938889418 },
    { name: 'random: 4 rows, 8 tokens, T = 2', args: [random(rng, 4, 8, 2), random(rng, 4, 8, 2), 2] },
    { name: 'random: 3 rows, 5 tokens, T = 4', args: [random(rng, 3, 5, 3), random(rng, 3, 5, 3), 4] },
    { name: 'random: 2 rows, 6 tokens, T = 20 (close to matching logits)', args: [random(rng, 2, 6, 2), random(rng, 2, 6, 2), 20] },
    { name: 'random: 3 rows, 4 tokens, T = 0.5 (sharper than the model)', args: [random(rng, 3, 4, 1), random(rng, 3, 4, 1), 0.5] },
    { name: 'the student equals the teacher: loss 0', args: [lessonTeacher, lessonTeacher, 2] },
    { name: 'a confident teacher, logits [1000, 0, −1000], a uniform student, T = 1: log 3', args: [[[0, 0, 0]], [[1000, 0, -1000]], 1] },
  ];
}

export default defineExercise<Args, number>({
  entry: 'distillationLoss',
  signature: 'distillationLoss(student: Matrix, teacher: Matrix, t: number): number',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, student, teacher, t) => kdSteps(student, teacher, t).output,
  trace: (_ctx, student, teacher, t) => kdSteps(student, teacher, t).steps,
  properties: [
    {
      name: 'adding the same number to every logit of a row changes nothing (±1000 too)',
      cases: (rng) => {
        const student = random(rng, 2, 5, 2);
        const teacher = random(rng, 2, 5, 2);
        const shift = (m: number[][], by: number) => m.map((row) => row.map((x) => x + by));
        return [{ name: '2 rows, 5 tokens, T = 1: the student +1000, the teacher −1000', calls: [[student, teacher, 1], [shift(student, 1000), shift(teacher, -1000), 1]] as Args[] }];
      },
      holds: ([before, after]) => {
        if (typeof before !== 'number' || typeof after !== 'number') return `distillationLoss must return a number; it returned ${JSON.stringify(typeof before !== 'number' ? before : after)?.slice(0, 80)}.`;
        if (close(before, after)) return undefined;
        return `Your loss is ${show(before)} for the logits and ${show(after)} with every student logit +1000 and every teacher logit −1000. Softmax depends only on the differences within a row; subtract each row's largest logit before exponentiating, or exp(1000) overflows to Infinity.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'no-t-squared',
      title: 'the T² factor left out',
      message:
        'Your loss is the mean KL without the factor T²: 0.2065 in the lesson instead of 4 × 0.2065 = 0.826. Hinton et al. multiply by T² because the soft targets\' gradients shrink as 1/T²; ' +
        'without it, raising the temperature silently turns the distillation term down.',
      hint: 'Try the lesson at T = 1 and at T = 2: at T = 1 you should be right. What factor is missing at T = 2?',
      wrong: (_ctx, student, teacher, t) => kdSteps(student, teacher, t).output / (t * t),
    },
    {
      id: 'kl-reversed',
      title: 'KL(student ‖ teacher) instead of KL(teacher ‖ student)',
      message:
        'You compute Σ q·(log q − log p), weighting by the student\'s probabilities: 0.872534 in the lesson instead of 0.826. The distillation loss weights by the teacher\'s soft targets p: Σ p·(log p − log q). ' +
        'In PyTorch the student\'s LOG-probabilities are the input of KLDivLoss and the teacher\'s probabilities the target.',
      hint: 'In Σ w·(log a − log b), whose probabilities should the weights w be: the teacher\'s or the student\'s?',
      wrong: (_ctx, student, teacher, t) => {
        const { steps } = kdSteps(teacher, student, t);
        return (t * t * steps.rowKl.reduce((acc, x) => acc + x, 0)) / steps.rowKl.length;
      },
    },
    {
      id: 'mean-over-elements',
      title: 'divided by rows·V, as reduction "mean" does, not by the rows',
      message:
        'You divide the summed KL by every element, rows × V (what KLDivLoss\'s reduction="mean" does): 0.275333 in the lesson, a third of 0.826. The KL of a row is a sum over the vocabulary; ' +
        'the batch mean divides by the number of rows only (reduction="batchmean").',
      hint: 'In the lesson there are 2 rows of 3 tokens. Do you divide the total by 2 or by 6?',
      wrong: (_ctx, student, teacher, t) => kdSteps(student, teacher, t).output / student[0].length,
    },
  ],
  hints: [
    'Work one row first: the teacher\'s probabilities p = softmax(teacher/T), the student\'s log-probabilities log q = log softmax(student/T), then Σ p·(log p − log q).',
    'Average the rows\' KL over the number of rows (not rows × V), then multiply by T².',
    'The key idea: T²·mean over rows of KL(teacher ‖ student), both softened by the same T; compute log softmax as z − max − log Σ exp(z − max), so that logits of ±1000 stay finite.',
  ],
});
