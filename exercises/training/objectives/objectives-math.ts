import { describeType, randomInts, randomMatrix, type Rng, type Tf } from 'llm-tutor/pack';

// Shared pieces of the objectives track: the causal-LM loss in float64 (for
// wrong variants), its tfjs steps (for references and traces), the stable
// log-sigmoid, and how properties print numbers.

export type LmArgs = [logits: number[][], tokens: number[]];

export const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
export const mean = (xs: readonly number[]) => sum(xs) / xs.length;
export const dot = (a: readonly number[], b: readonly number[]) => sum(a.map((x, i) => x * b[i]));

/** Stable log Σ exp(z): the max shifted out and added back. */
export function logSumExp(z: readonly number[]): number {
  const m = Math.max(...z);
  return m + Math.log(sum(z.map((v) => Math.exp(v - m))));
}

/** −log softmax(z)[y], stably. */
export const nll = (z: readonly number[], y: number) => logSumExp(z) - z[y];

/** Per-position losses of rows `logits[from + i]` scored against `targets[i]`. */
export function scoredAgainst(logits: number[][], targets: readonly number[], from = 0): number[] {
  return targets.map((y, i) => nll(logits[from + i], y));
}

/** The causal-LM losses of the T − 1 positions: logits[t] scored against tokens[t + 1]. */
export const shiftedLosses = (logits: number[][], tokens: readonly number[]) => scoredAgainst(logits, tokens.slice(1));

/**
 * The causal-LM loss in tfjs, step by step: the T − 1 predicting rows, their
 * targets (the tokens shifted left by one), each row's target logit and
 * log-sum-exp, the per-position losses, and their mean (nats).
 */
export function causalLmSteps(tf: Tf, logits: number[][], tokens: number[]) {
  const steps = logits.length - 1;
  const predicting = tf.tensor2d(logits.slice(0, steps), [steps, logits[0].length], 'float32');
  const targets = tokens.slice(1);
  const targetLogits = tf.gatherND(predicting, tf.tensor2d(targets.map((y, t) => [t, y]), [steps, 2], 'int32'));
  // logsumexp(z) − z_y = logsumexp(z − z_y): shifting first keeps float32 accurate when logits are near ±1000.
  const losses = tf.logSumExp(tf.sub(predicting, tf.expandDims(targetLogits, 1)), 1);
  return { steps: { targets, targetLogits, logSumExp: tf.logSumExp(predicting, 1), losses }, loss: tf.mean(losses) };
}

/** Random logits [T, V] with a random token per position. */
export function randomSequence(rng: Rng, length: number, vocab: number, std: number): LmArgs {
  return [randomMatrix(rng, length, vocab, std), randomInts(rng, length, 0, vocab - 1)];
}

/** The lesson's example of the causal-LM loss and perplexity: T = 4 positions, V = 3. */
export const lessonSequence: LmArgs = [
  [
    [2, 0, 1],
    [0, 1, 3],
    [1, 2, 0],
    [0, 0, 4],
  ],
  [0, 2, 1, 1],
];

/** Logits near ±1000 (T = 3, V = 3), where exp overflows unless each row's max is subtracted. */
const largeSequence: LmArgs = [
  [
    [1000, 999, 0],
    [-1000, -1001, -1003],
    [0, 1000, 0],
  ],
  [2, 1, 0],
];

/**
 * The cases the causal-LM loss and the perplexity share: the lesson's example
 * (its output pinned to `lessonValue`, computed by PyTorch), random sequences
 * of several sizes, T = 2, and logits near ±1000.
 */
export function sharedLmCases(rng: Rng, lessonValue: number) {
  const t = rng.int(6, 10);
  const v = rng.int(8, 20);
  return [
    { name: 'the lesson example (T = 4, V = 3)', args: lessonSequence, expected: lessonValue },
    { name: 'random logits [5, 6]', args: randomSequence(rng, 5, 6, 2) },
    { name: `random logits [${t}, ${v}]`, args: randomSequence(rng, t, v, 1.5) },
    { name: 'random logits [12, 50] (a 50-token vocabulary)', args: randomSequence(rng, 12, 50, 1) },
    { name: 'T = 2: one prediction, row 0 scored against token 1', args: randomSequence(rng, 2, 5, 2) },
    { name: 'large logits (±1000): exp overflows unless the max is subtracted', args: largeSequence },
  ];
}

/** log σ(x) = min(x, 0) − log(1 + e^−|x|): finite for any finite x. */
export const logSigmoid = (x: number) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));

/** A number as a property's message prints it: 6 significant digits. */
export function show(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** The message for an output that is not of the kind the entry returns, or undefined when every output is. */
export function wrongKind(entry: string, kind: string, outputs: readonly unknown[], is: (x: unknown) => boolean): string | undefined {
  const odd = outputs.find((o) => !is(o));
  return odd === undefined ? undefined : `${entry} must return ${kind}; it returned ${describeType(odd)}.`;
}

export const isNumber = (o: unknown): o is number => typeof o === 'number';

/** Whether two numbers agree within the default tolerance (|a − b| ≤ 1e-5 + 1e-4·|b|). */
export const close = (a: number, b: number) => Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);
