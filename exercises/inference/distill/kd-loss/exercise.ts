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
      title: { en: 'the T² factor left out', 'zh-CN': '漏掉了 T² 因子' },
      message: {
        en:
          'Your loss is the mean KL without the factor T²: 0.2065 in the lesson instead of 4 × 0.2065 = 0.826. Hinton et al. multiply by T² because the soft targets\' gradients shrink as 1/T²; ' +
          'without it, raising the temperature silently turns the distillation term down.',
        'zh-CN':
          '你的损失是不带 T² 因子的 KL 均值：课程示例中为 0.2065，而应为 4 × 0.2065 = 0.826。Hinton et al. 之所以乘以 T²，是因为软目标的梯度会按 1/T² 缩小；' +
          '不乘的话，升高温度会悄无声息地削弱蒸馏项。',
      },
      hint: {
        en: 'Try the lesson at T = 1 and at T = 2: at T = 1 you should be right. What factor is missing at T = 2?',
        'zh-CN': '分别在 T = 1 和 T = 2 下试试课程示例：T = 1 时你应该是对的。T = 2 时少了什么因子？',
      },
      wrong: (_ctx, student, teacher, t) => kdSteps(student, teacher, t).output / (t * t),
    },
    {
      id: 'kl-reversed',
      title: { en: 'KL(student ‖ teacher) instead of KL(teacher ‖ student)', 'zh-CN': 'KL(学生 ‖ 教师) 而不是 KL(教师 ‖ 学生)' },
      message: {
        en:
          'You compute Σ q·(log q − log p), weighting by the student\'s probabilities: 0.872534 in the lesson instead of 0.826. The distillation loss weights by the teacher\'s soft targets p: Σ p·(log p − log q). ' +
          'In PyTorch the student\'s LOG-probabilities are the input of KLDivLoss and the teacher\'s probabilities the target.',
        'zh-CN':
          '你计算的是 Σ q·(log q − log p)，以学生模型的概率加权：课程示例中得到 0.872534，而不是 0.826。蒸馏损失应以教师模型的软目标 p 加权：Σ p·(log p − log q)。' +
          '在 PyTorch 中，学生模型的「对数」概率是 KLDivLoss 的输入，教师模型的概率是目标。',
      },
      hint: {
        en: 'In Σ w·(log a − log b), whose probabilities should the weights w be: the teacher\'s or the student\'s?',
        'zh-CN': '在 Σ w·(log a − log b) 中，权重 w 应该是谁的概率：教师模型的还是学生模型的？',
      },
      wrong: (_ctx, student, teacher, t) => {
        const { steps } = kdSteps(teacher, student, t);
        return (t * t * steps.rowKl.reduce((acc, x) => acc + x, 0)) / steps.rowKl.length;
      },
    },
    {
      id: 'mean-over-elements',
      title: { en: 'divided by rows·V, as reduction "mean" does, not by the rows', 'zh-CN': '像 reduction「mean」那样除以 rows·V，而不是除以行数' },
      message: {
        en:
          'You divide the summed KL by every element, rows × V (what KLDivLoss\'s reduction="mean" does): 0.275333 in the lesson, a third of 0.826. The KL of a row is a sum over the vocabulary; ' +
          'the batch mean divides by the number of rows only (reduction="batchmean").',
        'zh-CN':
          '你把 KL 的总和除以了全部元素个数 rows × V（这是 KLDivLoss 的 reduction="mean" 的做法）：课程示例中得到 0.275333，只有 0.826 的三分之一。每行的 KL 是对整个词表的求和；' +
          '批均值只除以行数（reduction="batchmean"）。',
      },
      hint: {
        en: 'In the lesson there are 2 rows of 3 tokens. Do you divide the total by 2 or by 6?',
        'zh-CN': '课程示例中有 2 行，每行 3 个 token。你把总和除以 2 还是除以 6？',
      },
      wrong: (_ctx, student, teacher, t) => kdSteps(student, teacher, t).output / student[0].length,
    },
  ],
  hints: [
    {
      en: 'Work one row first: the teacher\'s probabilities p = softmax(teacher/T), the student\'s log-probabilities log q = log softmax(student/T), then Σ p·(log p − log q).',
      'zh-CN': '先算一行：教师模型的概率 p = softmax(teacher/T)，学生模型的对数概率 log q = log softmax(student/T)，然后算 Σ p·(log p − log q)。',
    },
    {
      en: 'Average the rows\' KL over the number of rows (not rows × V), then multiply by T².',
      'zh-CN': '把各行的 KL 按行数取平均（不是 rows × V），再乘以 T²。',
    },
    {
      en: 'The key idea: T²·mean over rows of KL(teacher ‖ student), both softened by the same T; compute log softmax as z − max − log Σ exp(z − max), so that logits of ±1000 stay finite.',
      'zh-CN': '关键：T²·对各行 KL(教师 ‖ 学生) 取均值，两者都用同一个 T 软化；按 z − max − log Σ exp(z − max) 计算 log softmax，这样 ±1000 的 logits 也保持有限。',
    },
  ],
});
