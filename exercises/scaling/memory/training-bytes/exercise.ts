import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { gb, isNumber, relative, show, wrongKind } from '../memory-math.js';

type Mode = 'fp32' | 'mixed';
type Args = [params: number, mode: Mode];

/**
 * Bytes per parameter of each state Adam training keeps, by mode.
 * fp32: weights, gradients, m and v in 4 bytes each. Mixed precision (the ZeRO
 * paper's accounting, as Megatron-LM and DeepSpeed keep them): 16-bit weights
 * and gradients, and fp32 master weights, m and v (K = 12).
 */
export const statesOf: Record<Mode, Record<string, number>> = {
  fp32: { weights: 4, gradients: 4, adamM: 4, adamV: 4 },
  mixed: { weights16: 2, gradients16: 2, masterWeights: 4, adamM: 4, adamV: 4 },
};

/** The bytes of every state, their sum per parameter, and the total. */
export function bytesSteps(params: number, mode: Mode) {
  const states = statesOf[mode];
  const perParameter = Object.values(states).reduce((a, b) => a + b, 0);
  const bytes = Object.fromEntries(Object.entries(states).map(([name, b]) => [name, b * params]));
  return { steps: { ...bytes, perParameter }, output: perParameter * params };
}

/** GPT-2 small's parameters (the previous exercise). */
export const gpt2Small = 124_439_808;

const randomParams = (rng: Rng) => rng.int(1, 9) * 10 ** rng.int(5, 9) + rng.int(0, 99_999);

const bytes = (check: (outputs: number[], calls: Args[]) => string | undefined) => (outputs: unknown[], calls: Args[]) =>
  wrongKind('trainingBytes', 'a number', outputs, isNumber) ?? check(outputs as number[], calls);

export default defineExercise<Args, number>({
  entry: 'trainingBytes',
  signature: 'trainingBytes(params: number, mode: "fp32" | "mixed"): number',
  cases: (rng) => {
    const random1 = randomParams(rng);
    const random2 = randomParams(rng);
    return [
      { name: 'the lesson example: GPT-2 small (124,439,808 parameters), mixed precision', args: [gpt2Small, 'mixed'], expected: 1_991_036_928 },
      { name: 'GPT-2 small in fp32: the same 1,991,036,928 bytes', args: [gpt2Small, 'fp32'], expected: 1_991_036_928 },
      { name: 'the ZeRO paper\'s 7.5 billion parameters, mixed precision: 120 GB', args: [7.5e9, 'mixed'], expected: 120e9 },
      { name: 'LLaMA-2-7B (6,738,415,616 parameters) in fp32', args: [6_738_415_616, 'fp32'], expected: 107_814_649_856 },
      { name: `random: ${show(random1)} parameters, mixed`, args: [random1, 'mixed'] },
      { name: `random: ${show(random2)} parameters, fp32`, args: [random2, 'fp32'] },
      { name: 'a single parameter, mixed: 2 + 2 + 4 + 4 + 4 bytes', args: [1, 'mixed'], expected: 16 },
      { name: 'a single parameter, fp32: 4 + 4 + 4 + 4 bytes', args: [1, 'fp32'], expected: 16 },
      { name: 'a trillion parameters, mixed: 16 TB', args: [1e12, 'mixed'], expected: 1.6e13 },
    ];
  },
  reference: (_ctx, params, mode) => bytesSteps(params, mode).output,
  trace: (_ctx, params, mode) => bytesSteps(params, mode).steps,
  compare: relative,
  properties: [
    {
      name: 'mixed precision keeps as many bytes as fp32',
      cases: (rng) => {
        const params = randomParams(rng);
        return [
          { name: 'GPT-2 small in both modes', calls: [[gpt2Small, 'fp32'], [gpt2Small, 'mixed']] },
          { name: `${show(params)} parameters in both modes`, calls: [[params, 'fp32'], [params, 'mixed']] },
        ];
      },
      holds: bytes(([fp32, mixed], [[params]]) => {
        if (Math.abs(fp32 - mixed) <= 1e-9 * Math.abs(fp32)) return undefined;
        return (
          `For ${show(params)} parameters you return ${show(fp32)} bytes in fp32 and ${show(mixed)} in mixed precision. ` +
          'Both are 16 bytes per parameter: fp32 keeps 4 + 4 + 4 + 4, mixed precision 2 + 2 for the 16-bit weights and gradients and 4 + 4 + 4 for the fp32 master weights, m and v.'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'master-copy-forgotten',
      title: 'mixed precision without the fp32 master weights',
      message:
        'In mixed precision the optimiser updates an fp32 copy of the weights (4 bytes) and casts it to 16 bits for the next forward pass: the 16-bit weights alone would lose the small updates. ' +
        `With it the optimiser holds K = 12 bytes per parameter (master, m, v), not 8: 16Ψ in all, ${gb(16 * gpt2Small)} for GPT-2 small, not ${gb(12 * gpt2Small)}.`,
      hint: 'In mixed precision, which copy of the weights does Adam update: the 16-bit one, or another? Count the fp32 tensors the optimiser holds.',
      wrong: (_ctx, params, mode) => (mode === 'mixed' ? 12 * params : 16 * params),
    },
    {
      id: 'all-half-precision',
      title: 'mixed precision as every state in 16 bits',
      message:
        'Mixed precision keeps only the weights and gradients used in the forward and backward passes in 16 bits; the master weights and Adam\'s m and v stay in fp32. ' +
        `It is 2 + 2 + 4 + 4 + 4 = 16 bytes per parameter, not half of fp32's 16: ${gb(16 * gpt2Small)} for GPT-2 small, not ${gb(8 * gpt2Small)}.`,
      hint: 'Which of the five tensors of mixed-precision Adam are 16-bit? Write each one with its bytes per parameter.',
      wrong: (_ctx, params, mode) => (mode === 'mixed' ? 8 * params : 16 * params),
    },
    {
      id: 'weights-only',
      title: 'only the weights counted',
      message:
        'Training holds more than the weights: their gradients and Adam\'s two moments for every parameter, and in mixed precision an fp32 master copy too. ' +
        `The weights alone are what inference needs (${gb(2 * gpt2Small)} for GPT-2 small in 16 bits); training with Adam needs 16 bytes per parameter, ${gb(16 * gpt2Small)}.`,
      hint: 'List what one Adam step reads and writes for each parameter: the weight, and what else?',
      wrong: (_ctx, params, mode) => (mode === 'mixed' ? 2 * params : 4 * params),
    },
    {
      id: 'one-moment',
      title: 'one optimiser state per parameter instead of Adam\'s two',
      message:
        'Adam keeps two running averages per parameter, m (of the gradient) and v (of its square), each in fp32: 8 bytes, not 4. ' +
        'One state is SGD with momentum. With both, fp32 is 4 + 4 + 4 + 4 = 16 bytes per parameter, and mixed precision 2 + 2 + 4 + 4 + 4 = 16.',
      hint: 'How many running averages does Adam update at each step? Look at the AdamW exercise\'s state.',
      wrong: (_ctx, params) => 12 * params,
    },
  ],
  hints: [
    'Write every tensor a training step keeps for one parameter, with its size in bytes: the weight, its gradient, and what Adam adds.',
    'fp32: weight, gradient, m and v, 4 bytes each. Mixed precision: 16-bit weight and gradient (2 bytes each), and an fp32 master weight, m and v (4 bytes each).',
    'Both modes come to 16 bytes per parameter: return 16 · params.',
  ],
});
