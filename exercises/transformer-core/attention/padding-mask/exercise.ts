import { anyOf, defineExercise, plural, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { largeScoreQ, largeScoreV, lessonExample, randomQKV, scores, softmaxRow } from '../attention-math.js';
import { matricesAgree } from '../../properties.js';
import { allEmptyRows, attend, attendEachEmptyRow, everyKey, type EmptyRow, type Visibility } from '../attention-variants.js';

type Args = [q: number[][], k: number[][], v: number[][], mask: boolean[][]];

/** The visibility rule a mask gives: key j is visible to query i when mask[i][j] is true. */
const allowedBy = (mask: boolean[][]): Visibility => (i, j) => mask[i][j];
const blockedBy = (mask: boolean[][]): Visibility => (i, j) => !mask[i][j];

/** The lesson's mask: query 0 may not see key 1; query 1 (a padding position) sees no key. */
const lessonMask = [
  [true, false, true],
  [false, false, false],
];

/**
 * Scores near ±1000 after scaling (d = 4, so √d = 2), all exact in float32.
 * Row 0 scores [1000, 1001, 1008] and may not see key 2, the highest; row 1 scores [−1000, −1001, −1008] and may not see key 1.
 */
const largeK = [
  [15.625, 15.625, 15.625, 15.625],
  [15.625, 15.625, 15.625, 15.6875],
  [15.75, 15.75, 15.75, 15.75],
];
const largeMask = [
  [true, true, false],
  [true, false, true],
];

function grid(n: number, m: number, allowed: (i: number, j: number) => boolean): boolean[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => allowed(i, j)));
}

/** A random mask in which row `emptyRow` (if any) is fully masked and every other row sees at least one key. */
function randomMask(rng: Rng, n: number, m: number, emptyRow?: number): boolean[][] {
  return Array.from({ length: n }, (_, i) => {
    if (i === emptyRow) return new Array<boolean>(m).fill(false);
    const row = Array.from({ length: m }, () => rng.next() < 0.5);
    if (!row.some(Boolean)) row[rng.int(0, m - 1)] = true;
    return row;
  });
}

/** The outputs of one visibility mistake for each way a learner may have handled rows that see no key. */
const eachEmptyRow = (q: number[][], k: number[][], v: number[][], sees: Visibility, emptyRows: EmptyRow[], scale?: number) =>
  anyOf(...attendEachEmptyRow(q, k, v, sees, emptyRows, { scale }));

/** Masked attention in tfjs, step by step: the scores q·kᵀ/√d, the scores with masked keys at −Infinity and the weights (the steps a trace shows), and the output. */
function maskedSteps(tf: Tf, q: number[][], k: number[][], v: number[][], mask: boolean[][]) {
  const n = q.length;
  const m = k.length;
  const scoresT = tf.div(tf.matMul(tf.tensor2d(q), tf.tensor2d(k), false, true), Math.sqrt(q[0].length));
  const visible = tf.tensor2d(mask, [n, m], 'bool');
  // A row with no visible key would be softmax of all −Infinity, which is NaN:
  // give it finite scores here and zero its weights below, so it outputs zeros.
  const hasKey = tf.tile(tf.any(visible, 1, true), [1, m]);
  const masked = tf.where(visible, scoresT, tf.fill([n, m], -Infinity));
  const safe = tf.where(hasKey, masked, tf.zeros([n, m]));
  const weights = tf.mul(tf.softmax(safe), tf.cast(visible, 'float32'));
  return { steps: { scores: scoresT, masked, weights }, output: tf.matMul(weights, tf.tensor2d(v)) };
}

/**
 * Masked attention on q, k, v, and on the same with the keys and values of
 * the last `padding` keys (masked for every query) replaced by other numbers.
 */
function paddingChanged(rng: Rng, n: number, m: number, padding: number): { name: string; calls: Args[] } {
  const [q, k, v] = randomQKV(rng, n, m, 4, 3);
  const [, otherK, otherV] = randomQKV(rng, 0, padding, 4, 3);
  const mask = randomMask(rng, n, m - padding).map((row) => [...row, ...new Array<boolean>(padding).fill(false)]);
  const scaled = (rows: number[][]) => rows.map((row) => row.map((x) => 10 * x));
  return {
    name: `n=${n}, m=${m}, the last ${plural(padding, 'key')} masked for every query`,
    calls: [
      [q, k, v, mask],
      [q, [...k.slice(0, m - padding), ...scaled(otherK)], [...v.slice(0, m - padding), ...scaled(otherV)], mask],
    ],
  };
}

export default defineExercise<Args, number[][]>({
  entry: 'maskedAttention',
  signature: 'maskedAttention(q: Matrix, k: Matrix, v: Matrix, mask: boolean[][]): Matrix',
  cases: (rng) => {
    const qkv = (n: number, m: number, d: number, dv: number) => randomQKV(rng, n, m, d, dv);
    const cases: { name: string; args: Args }[] = [{ name: 'the lesson example (query 0 may not see key 1; query 1 sees no key)', args: [...lessonExample, lessonMask] }];
    {
      const [m, d, dv] = [rng.int(5, 7), rng.int(3, 8), rng.int(2, 5)];
      const len = m - rng.int(1, 3);
      cases.push({ name: `key padding: the last ${plural(m - len, 'key is', 'keys are')} padding (n=${m}, d=${d}, dv=${dv})`, args: [...qkv(m, m, d, dv), grid(m, m, (_, j) => j < len)] });
    }
    {
      const [T, d, dv] = [rng.int(5, 7), rng.int(3, 6), rng.int(2, 5)];
      const len = T - rng.int(1, 2);
      cases.push({
        name: `a padded sequence: ${len} tokens in ${T} slots (the padding queries see no key: zero rows)`,
        args: [...qkv(T, T, d, dv), grid(T, T, (i, j) => i < len && j < len)],
      });
    }
    {
      const [T, d, dv] = [rng.int(5, 7), rng.int(3, 6), rng.int(2, 4)];
      const pad = rng.int(1, 2);
      cases.push({
        name: `left padding and a causal mask: ${plural(pad, 'pad token')}, then ${T - pad} tokens (batched generation; the pad queries are zero rows)`,
        args: [...qkv(T, T, d, dv), grid(T, T, (i, j) => j >= pad && j <= i)],
      });
    }
    {
      const [n, m, d, dv] = [rng.int(4, 6), rng.int(4, 7), rng.int(3, 6), rng.int(2, 5)];
      const empty = rng.int(0, n - 1);
      cases.push({ name: `a random mask, row ${empty} fully masked (n=${n}, m=${m}, d=${d}, dv=${dv})`, args: [...qkv(n, m, d, dv), randomMask(rng, n, m, empty)] });
    }
    {
      const [n, m, d, dv] = [rng.int(2, 3), rng.int(6, 8), rng.int(4, 8), rng.int(2, 6)];
      cases.push({ name: `cross-attention, a random mask (n=${n}, m=${m}, d=${d}, dv=${dv})`, args: [...qkv(n, m, d, dv), randomMask(rng, n, m)] });
    }
    cases.push({ name: 'every key visible (plain attention)', args: [...qkv(3, 4, 4, 3), grid(3, 4, () => true)] });
    cases.push({ name: 'every key masked (the output is all zeros)', args: [...qkv(3, 4, 4, 2), grid(3, 4, () => false)] });
    {
      const picks = Array.from({ length: 4 }, () => rng.int(0, 4));
      cases.push({ name: "one visible key per row (each output row is that key's value)", args: [...qkv(4, 5, 4, 3), grid(4, 5, (i, j) => j === picks[i])] });
    }
    cases.push({ name: 'large scores (±1000 after scaling; the masked key of row 0 scores highest)', args: [largeScoreQ, largeK, largeScoreV, largeMask] });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, q, k, v, mask) => maskedSteps(tf, q, k, v, mask).output,
  trace: ({ tf }: ReferenceContext, q, k, v, mask) => maskedSteps(tf, q, k, v, mask).steps,
  properties: [
    {
      name: 'changing the keys and values no query may see leaves the output unchanged',
      cases: (rng) => [paddingChanged(rng, 3, 5, 2), paddingChanged(rng, 4, 6, 1)],
      holds: matricesAgree<Args>(
        'maskedAttention',
        (outputs) => [outputs[0], outputs[1]],
        (difference) =>
          `Replacing the keys and values of masked positions changed your output (before, then after: ${difference}). ` +
          'A masked key gets a weight of exactly 0, so nothing in its key or its value may reach any output: a padding token can hold anything.',
      ),
    },
  ],
  misconceptions: [
    {
      id: 'fully-masked-row-nan',
      title: 'a row that sees no key comes out NaN',
      message:
        'Your rows with at least one visible key are right, but a row whose keys are all masked is NaN. With every score −Infinity the max is −Infinity too, ' +
        'and exp(−∞ − (−∞)) = exp(NaN), or the empty sum 0/0, is NaN. By the convention here (FlashAttention\'s) such a row is all zeros: ' +
        'check whether mask[i] has any true entry before the softmax, and return a row of dv zeros when it has none.',
      hint: 'Follow a row whose mask is all false through your code: which step makes it NaN? Decide what such a row returns before that step.',
      wrong: (_ctx, q, k, v, mask) => attend(q, k, v, allowedBy(mask), { emptyRow: 'nan' }),
    },
    {
      id: 'mask-built-by-multiplication',
      title: 'mask built as (1 − mask)·(−Infinity): 0·(−∞) is NaN',
      message:
        'Every row of your output is NaN. Turning the mask into an additive term by multiplication, (1 − mask[i][j]) · (−Infinity), gives 0 · (−Infinity) at every visible key, ' +
        'and in JavaScript (as in IEEE arithmetic) that is NaN, not 0. Choose instead of multiplying: mask[i][j] ? score : −Infinity, or skip the masked keys.',
      // Every visible score becomes NaN, so every row with a visible key is NaN; a row with none is NaN too, or zeros behind a guard.
      hint: 'Evaluate 0 * -Infinity in Node. Choose between the score and −Infinity with a condition instead of multiplying.',
      wrong: (_ctx, q, _k, v, mask) => {
        const row = (fill: number) => new Array<number>(v[0].length).fill(fill);
        return anyOf(
          q.map(() => row(NaN)),
          q.map((_, i) => row(mask[i].some(Boolean) ? NaN : 0)),
        );
      },
    },
    {
      id: 'fully-masked-row-mean',
      title: 'a row that sees no key gives the mean of v (masked scores replaced by a large finite negative)',
      message:
        'You replace masked scores with a large finite number such as −1e9 (GPT-2 uses −1e10, Hugging Face the most negative float). That works while a row sees some key, ' +
        'but when every key of a row is masked all its scores are equal, the weights are all 1/m, and the row becomes the plain mean of v. ' +
        'By the convention here a row that sees no key is all zeros: check for it, or use −Infinity and guard the empty row.',
      hint: 'Your fill value works until a row has every key masked: then all its scores are equal. What should such a row return, and can you check for it before the softmax?',
      wrong: (_ctx, q, k, v, mask) => attend(q, k, v, allowedBy(mask), { emptyRow: 'mean' }),
    },
    {
      id: 'fully-masked-row-unmasked',
      title: 'a row that sees no key is unmasked attention (a large negative added to the scores)',
      message:
        'You add a large negative number (−10000 as in BERT, or −1e9) to the masked scores. That works where a row sees some key: its visible scores dominate and the masked keys get almost no weight. ' +
        'But when every key of a row is masked, all its scores shift by the same amount, the softmax does not change, and the row comes out as if nothing were masked. ' +
        'A row that sees no key must be all zeros: check whether mask[i] has any true entry.',
      hint: 'Adding the same number to every score of a row does not change its softmax. When a row has no visible key, what should it return instead?',
      wrong: (_ctx, q, k, v, mask) => attend(q, k, v, allowedBy(mask), { emptyRow: 'unmasked' }),
    },
    {
      id: 'mask-inverted',
      title: 'mask read the wrong way round (true taken as "blocked")',
      message:
        'Your queries attend to exactly the keys the mask hides. Here mask[i][j] = true means query i MAY attend to key j (as in a Hugging Face attention_mask, where 1 is a real token). ' +
        'PyTorch\'s key_padding_mask and nn.MultiheadAttention use the opposite sense (True = ignore); always check which one an API uses.',
      hint: 'Read the task again for what true means in mask[i][j]: may the query attend to that key, or not?',
      wrong: (_ctx, q, k, v, mask) => eachEmptyRow(q, k, v, blockedBy(mask), allEmptyRows),
    },
    {
      id: 'mask-ignored',
      title: 'the mask is not applied',
      message: 'Your output is plain attention: every query sees every key. Before the softmax, leave out key j for query i when mask[i][j] is false (or set its score to −Infinity).',
      hint: 'Your queries see every key. Where does mask[i][j] enter your computation of query i\'s scores?',
      wrong: (_ctx, q, k, v) => attend(q, k, v, everyKey),
    },
    {
      id: 'masked-scores-zeroed',
      title: 'masked scores set to 0 instead of −Infinity',
      message:
        'You multiply the scores by the mask (or set masked scores to 0). A score of 0 is not "excluded": exp(0 − max) is still positive, so masked keys keep some weight, ' +
        'and a row with every key masked becomes the mean of v. Masked scores must be −Infinity (weight exactly 0), or those keys left out of the softmax.',
      hint: 'What is exp(0)? A masked key needs a weight of exactly 0 after the softmax, so ask which score gives that.',
      wrong: (_ctx, q, k, v, mask) => {
        const p = scores(q, k, 1 / Math.sqrt(q[0].length)).map((row, i) => softmaxRow(row.map((s, j) => (mask[i][j] ? s : 0))));
        return p.map((row) => v[0].map((_, c) => row.reduce((acc, w, j) => acc + w * v[j][c], 0)));
      },
    },
    {
      id: 'mask-after-softmax',
      title: 'masked after the softmax, without renormalising',
      message:
        'You take the softmax over every key and then set the masked weights to 0, so the remaining weights no longer add up to 1 (and the masked keys still took part in the normalisation). ' +
        'Mask the scores before the softmax (−Infinity, or skip those keys), so the softmax runs over the visible keys only.',
      hint: 'Add up one query\'s weights after your mask: they no longer sum to 1. Apply the mask to the scores, before the softmax.',
      wrong: (_ctx, q, k, v, mask) => {
        const p = scores(q, k, 1 / Math.sqrt(q[0].length)).map((row, i) => softmaxRow(row).map((w, j) => (mask[i][j] ? w : 0)));
        return p.map((row) => v[0].map((_, c) => row.reduce((acc, w, j) => acc + w * v[j][c], 0)));
      },
    },
    {
      id: 'no-scaling',
      title: 'scores not divided by √d',
      message: 'Your mask is right but the scores are q·kᵀ without the 1/√d, so the weights come out too sharp. Divide every score by Math.sqrt(d), d = q[0].length.',
      hint: 'Your mask looks right; compare the scores with the formula in the lesson: something divides them before the softmax.',
      wrong: (_ctx, q, k, v, mask) => eachEmptyRow(q, k, v, allowedBy(mask), allEmptyRows, 1),
    },
    {
      id: 'no-max-subtraction',
      title: 'softmax without subtracting the max',
      message:
        'Your mask is right, but with scores near 1000 Math.exp overflows to Infinity (near −1000 it underflows to 0), giving NaN. ' +
        'Subtract the largest visible score of the row before exponentiating.',
      hint: 'Try scores near 1000: Math.exp overflows. Shift the visible scores of each row by the same constant before exponentiating.',
      wrong: (_ctx, q, k, v, mask) => anyOf(...attendEachEmptyRow(q, k, v, allowedBy(mask), ['zeros', 'nan'], { naive: true })),
    },
  ],
  hints: [
    'Work one query at a time. Which keys may query i see? What should its output be when mask[i] has no true entry at all?',
    'For query i, score only the keys j with mask[i][j] true: (q[i]·k[j]) / √d. Softmax those scores (subtract their max first) and mix the matching rows of v; the masked keys get weight exactly 0.',
    'If mask[i] has no true entry, return a row of dv zeros without running the softmax: a softmax of nothing is 0/0 = NaN, and a large finite fill such as −1e9 gives the mean of v instead.',
  ],
});
