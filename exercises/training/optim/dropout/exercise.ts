import { defineExercise, randomMatrix, tidy, uniforms, type Rng } from 'llm-tutor/pack';
import { close, show } from '../optim-math.js';

type Args = [x: number[][], keep: boolean[][], p: number];

/** Each entry kept (times `kept`, from x and p) or zeroed, as the mask says; `flip` reads the mask the other way round. */
function masked(x: number[][], keep: boolean[][], kept: (v: number) => number, flip = false): number[][] {
  return x.map((row, i) => row.map((v, j) => (keep[i][j] !== flip ? kept(v) : 0)));
}

/** Inverted dropout: kept entries divided by 1 − p, dropped ones 0. */
export const invertedDropout = (x: number[][], keep: boolean[][], p: number) => masked(x, keep, (v) => v / (1 - p));

/** The lesson example: 2 tokens of width 4, p = 0.25. */
export const lessonX = [
  [1, 2, 3, 4],
  [-1, 0.5, -2, 6],
];
export const lessonKeep = [
  [true, false, true, true],
  [false, true, true, false],
];

/** A mask with each entry kept with probability 1 − p: keep when u ≥ p, for a uniform u in [0, 1). */
function randomMask(rng: Rng, rows: number, cols: number, p: number): boolean[][] {
  return Array.from({ length: rows }, () => uniforms(rng, cols).map((u) => u >= p));
}

/** The mask with, in any row where it dropped every entry, one entry kept after all (so that a case shows its rescaling). */
const withSurvivors = (keep: boolean[][]) => keep.map((row, i) => (row.some(Boolean) ? row : row.map((_, j) => j === i % row.length)));

function randomCase(rng: Rng, rows: number, cols: number, p: number, what: string): { name: string; args: Args } {
  const x = randomMatrix(rng, rows, cols).map((row) => row.map((v) => tidy(v, 4)));
  return { name: `random ${rows}×${cols}, p = ${p}${what}`, args: [x, withSurvivors(randomMask(rng, rows, cols, p)), p] };
}

function cases(rng: Rng): { name: string; args: Args }[] {
  const noneKept = randomCase(rng, 2, 5, 0.3, ', row 1 entirely dropped');
  noneKept.args[1][1] = noneKept.args[1][1].map(() => false);
  const allKept = randomCase(rng, 2, 4, 0, ': nothing dropped, the output is x');
  return [
    { name: 'the lesson example (2×4, p = 0.25)', args: [lessonX, lessonKeep, 0.25] },
    randomCase(rng, 3, 5, 0.1, " (GPT-2's rate)"),
    randomCase(rng, 4, 6, 0.5, ''),
    allKept,
    randomCase(rng, 3, 4, 0.9, ': heavy dropout, survivors ×10'),
    noneKept,
    randomCase(rng, 1, 8, 0.2, ': a single token'),
  ];
}

/** k masks over an r×c matrix that keep each entry in exactly one of them (entry (i, j) in mask (i + j) mod k). */
function partition(x: number[][], k: number): Args[] {
  return Array.from({ length: k }, (_, m): Args => [x, x.map((row, i) => row.map((_, j) => (i + j) % k === m)), 1 - 1 / k]);
}

const isMatrix = (x: unknown): x is number[][] => Array.isArray(x) && x.every((row) => Array.isArray(row) && row.every((v) => typeof v === 'number'));
const wrongKind = (outputs: unknown[]) => {
  const odd = outputs.find((o) => !isMatrix(o));
  return odd === undefined ? undefined : `dropout must return a matrix (a list of rows of numbers); it returned ${JSON.stringify(odd)?.slice(0, 60)}.`;
};

/** The first entry [i, j] where `got` is not within the tolerance of `want`, or undefined. */
function firstDifference(want: number[][], got: number[][]): [number, number] | undefined {
  for (let i = 0; i < want.length; i++) {
    const j = want[i].findIndex((w, c) => !close(w, got[i]?.[c]));
    if (j >= 0) return [i, j];
  }
  return undefined;
}

export default defineExercise<Args, number[][]>({
  entry: 'dropout',
  signature: 'dropout(x: Matrix, keep: boolean[][], p: number): Matrix',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, x, keep, p) => invertedDropout(x, keep, p),
  properties: [
    {
      name: 'with p = 0 and every entry kept, the output is x',
      cases: (rng) => [{ name: '3×4', calls: [[randomMatrix(rng, 3, 4).map((r) => r.map((v) => tidy(v, 4))), [0, 1, 2].map(() => [true, true, true, true]), 0]] as Args[] }],
      holds: (outputs, [[x]]) => {
        const odd = wrongKind(outputs);
        if (odd) return odd;
        const at = firstDifference(x, outputs[0]);
        if (!at) return undefined;
        const [i, j] = at;
        return `With p = 0 nothing is dropped and nothing needs rescaling, yet entry [${i}][${j}] came out ${show(outputs[0][i][j])} instead of x = ${show(x[i][j])}: kept entries are divided by 1 − p, which is 1 here.`;
      },
    },
    {
      name: 'averaged over k masks that keep each entry exactly once (p = 1 − 1/k), the outputs are x',
      cases: (rng) =>
        [2, 4].map((k) => ({ name: `k = ${k}, p = ${1 - 1 / k}, 3×4`, calls: partition(randomMatrix(rng, 3, 4).map((r) => r.map((v) => tidy(v, 4))), k) })),
      holds: (outputs, calls) => {
        const odd = wrongKind(outputs);
        if (odd) return odd;
        const x = calls[0][0];
        const mean = x.map((row, i) => row.map((_, j) => outputs.reduce((s, o) => s + (o[i]?.[j] ?? NaN), 0) / outputs.length));
        const at = firstDifference(x, mean);
        if (!at) return undefined;
        const [i, j] = at;
        const p = calls[0][2];
        return (
          `Over the ${outputs.length} masks, entry [${i}][${j}] averages ${show(mean[i][j])}, not x = ${show(x[i][j])}. ` +
          `Each entry is kept in one mask of ${outputs.length}, a fraction 1 − p = ${show(1 - p)}: dividing the kept value by 1 − p is what makes the average come back to x, so the next layer sees the same scale in training as without dropout.`
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'no-rescale',
      title: { en: 'kept entries not rescaled', 'zh-CN': '保留的元素没有重新缩放' },
      message: {
        en:
          'You zero the dropped entries and keep the others as they are, so on average the output is (1 − p)·x: the next layer sees smaller activations in training than at inference, where dropout is off. Divide every kept entry by 1 − p (in the lesson, 1 becomes 1.333333).',
        'zh-CN':
          '你把被丢弃的元素置零，其余元素原样保留，于是输出的平均值是 (1 − p)·x：下一层在训练时看到的激活值比推理时（dropout 关闭）更小。' +
          '应把每个保留的元素除以 1 − p（在课程示例中，1 变成 1.333333）。',
      },
      hint: {
        en:
          'In the lesson, what does the kept entry 3 become? Think of what the next layer sees on average with and without dropout.',
        'zh-CN':
          '在课程示例中，被保留的元素 3 应该变成多少？想一想有无 dropout 时，下一层平均看到的是什么。',
      },
      wrong: (_ctx, x, keep) => masked(x, keep, (v) => v),
    },
    {
      id: 'divided-by-p',
      title: { en: 'kept entries divided by p instead of 1 − p', 'zh-CN': '保留的元素除以 p，而不是 1 − p' },
      message: {
        en:
          'You divide kept entries by p, the probability of DROPPING one. The survivors are a fraction 1 − p of the entries, so they are scaled by 1/(1 − p): with p = 0.25 that is ×1.333333, not ×4 (and with p = 0 your division gives Infinity).',
        'zh-CN':
          '你把保留的元素除以 p，而 p 是「丢弃」一个元素的概率。保留下来的元素占比为 1 − p，所以它们要乘以 1/(1 − p)：p = 0.25 时是 ×1.333333，' +
          '而不是 ×4（p = 0 时你的除法还会得到 Infinity）。',
      },
      hint: { en: 'With p = 0.25, what fraction of the entries survive? The kept ones are divided by that fraction.', 'zh-CN': 'p = 0.25 时，有多大比例的元素会保留下来？保留的元素要除以这个比例。' },
      wrong: (_ctx, x, keep, p) => masked(x, keep, (v) => v / p),
    },
    {
      id: 'times-keep-probability',
      title: { en: 'kept entries multiplied by 1 − p', 'zh-CN': '保留的元素乘以 1 − p' },
      message: {
        en:
          'You multiply kept entries by 1 − p: that is the original dropout\'s scaling, applied to the weights at TEST time. Inverted dropout does the opposite, in training: divide by 1 − p, so that inference needs no change (in the lesson 3 becomes 4, not 2.25).',
        'zh-CN':
          '你把保留的元素乘以 1 − p：这是原始 dropout 的缩放方式，而且是在「测试」时作用于权重。反向 dropout 正好相反，在训练时除以 1 − p，' +
          '这样推理时无需任何改动（在课程示例中 3 变成 4，而不是 2.25）。',
      },
      hint: {
        en:
          'Does your output get larger or smaller than x where an entry is kept? Which way must it go to keep the average equal to x?',
        'zh-CN':
          '在元素被保留的位置，你的输出比 x 大还是小？要让平均值等于 x，它应该往哪个方向变？',
      },
      wrong: (_ctx, x, keep, p) => masked(x, keep, (v) => v * (1 - p)),
    },
    {
      id: 'mask-inverted',
      title: { en: 'the mask read the other way round (true = dropped)', 'zh-CN': '掩码读反了（把 true 当作丢弃）' },
      message: {
        en:
          'You zero the entries whose keep flag is true and keep the others. `keep[i][j]` is true where the entry SURVIVES: in the lesson, entry [0][0] is kept (1.333333) and [0][1] is dropped (0).',
        'zh-CN':
          '你把 keep 标记为 true 的元素置零，保留了其余元素。`keep[i][j]` 为 true 表示该元素「保留」：在课程示例中，元素 [0][0] 被保留（1.333333），' +
          '[0][1] 被丢弃（0）。',
      },
      hint: {
        en:
          'Read the name of the argument: what does true mean in keep? Check entry [0][0] of the lesson.',
        'zh-CN':
          '看看参数的名字：keep 中的 true 是什么意思？核对一下课程示例中的元素 [0][0]。',
      },
      wrong: (_ctx, x, keep, p) => masked(x, keep, (v) => v / (1 - p), true),
    },
  ],
  hints: [
    {
      en:
        'Go through the lesson example entry by entry: where keep is false the output is 0; where it is true, the value is rescaled.',
      'zh-CN':
        '逐个元素地过一遍课程中的示例：keep 为 false 的位置输出 0；为 true 的位置，值要重新缩放。',
    },
    {
      en:
        'A fraction 1 − p of the entries survive. To keep the average equal to x, by what must each survivor be multiplied?',
      'zh-CN':
        '有 1 − p 比例的元素会保留下来。要让平均值仍等于 x，每个保留的元素应该乘以多少？',
    },
    {
      en:
        'The key idea: every entry the mask keeps comes out divided by 1 − p, every entry it drops comes out 0, and x itself is left as it was.',
      'zh-CN':
        '关键：掩码保留的每个元素输出时都除以 1 − p，被丢弃的每个元素输出 0，而 x 本身保持不变。',
    },
  ],
});
