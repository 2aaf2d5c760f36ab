import { describe, expect, test } from 'vitest';
import { mlp } from '../../../exercises/training/block/mlp/solution.js';
import { lessonMlp } from '../../../exercises/training/block/mlp/exercise.js';
import { erf } from '../../../exercises/training/block/block-math.js';
import { buildCases } from '../../../src/core/grading/grade.js';
import { toPlainOutput } from '../../../src/core/grading/read-back.js';
import { gradeLearnerSource, loadExercise, reference, wrong } from '../../helpers/exercises.js';
import { expectClose, mm } from '../../helpers/matrices.js';
import { expectJsBlockMatchesReference, expectLessonLayout, expectMisconceptionsDiagnosed, trainingLesson, trainingSolution } from './block-helpers.js';

const id = 'block/mlp';
const qualified = `training/${id}`;
type Params = Parameters<typeof mlp>[1];

/** The MLP written here, independently: z = x·w1 + b1, GPT-2's gelu_new, ·w2 + b2. */
function plainMlp(x: number[][], p: Params): number[][] {
  const gelu = (z: number) => 0.5 * z * (1 + Math.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)));
  const hidden = mm(x, p.w1).map((row) => row.map((z, j) => gelu(z + p.b1[j])));
  return mm(hidden, p.w2).map((row) => row.map((v, j) => v + p.b2[j]));
}

/** The lesson's outputs, worked in the lesson's table (and by Python's math.tanh). */
const lessonOut = [
  [5.536553, 2.642388],
  [0.028098, 1.481527],
];

describe(id, () => {
  test('the lesson example: the independent MLP, the reference and the solution give the lesson\'s outputs', async () => {
    expectClose(plainMlp(...lessonMlp), lessonOut, 6);
    expectClose(await reference(qualified, ...lessonMlp), lessonOut, 5);
    expectClose(mlp(...lessonMlp), lessonOut, 6);
  });

  test('the trace shows token 0\'s pre-activations and GELUs of the lesson\'s table', async () => {
    const { definition, ctx } = await loadExercise(qualified);
    const trace = (await toPlainOutput(ctx, () => definition.trace!(ctx, ...lessonMlp))) as Record<string, number[][]>;
    expect(Object.keys(trace)).toEqual(['x·w1 + b1', 'gelu_tanh']);
    expectClose(trace['x·w1 + b1'][0], [1, 1, 1.5, 2, 0.5, -0.5, 3, -2], 6);
    expectClose(trace.gelu_tanh[0], [0.841192, 0.841192, 1.399572, 1.954598, 0.345714, -0.154286, 2.996363, -0.045402], 5);
  });

  test('the lesson\'s pitfalls: the exact GELU, b1 after it, ReLU', async () => {
    // GELU(3) with erf (Python: 0.5·3·(1 + math.erf(3/√2)) = 2.99595030590511).
    expect(0.5 * 3 * (1 + erf(3 / Math.SQRT2))).toBeCloseTo(2.99595030590511, 12);
    expectClose(await wrong(qualified, 'exact-gelu', ...lessonMlp), [
      [5.536978, 2.641913],
      [0.028421, 1.482268],
    ], 6);
    expectClose(((await wrong(qualified, 'bias-after-activation', ...lessonMlp)) as number[][])[0], [5.536553, 2.45096], 5);
    expectClose(await wrong(qualified, 'relu', ...lessonMlp), [
      [6, 3],
      [0.5, 2],
    ], 9);
  });

  test('the erf of block-math agrees with known values to 1e-12', () => {
    // Python's math.erf (the C library's): erf(0.5), erf(1), erf(2), erf(3.5), erf(4.5); erf(−x) = −erf(x).
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 12);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 12);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 12);
    expect(erf(3.5)).toBeCloseTo(0.9999992569016276, 12);
    expect(erf(4.5)).toBeCloseTo(0.9999999998033839, 12);
  });

  test('the reference (within the exercise\'s 1e-5) and the model solution agree with the independent MLP on every case of two seeds', async () => {
    const { ref, definition } = await loadExercise(qualified);
    for (const seed of [7, 99]) {
      for (const c of buildCases(ref, definition, seed)) {
        const [x, p] = c.args as [number[][], Params];
        const got = (await reference(qualified, x, p)) as number[][];
        const want = plainMlp(x, p);
        got.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - want[i][j]), `${c.name} [${i}][${j}]`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want[i][j]))));
        expectClose(mlp(x, p), want, 10, c.name);
      }
    }
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    await expectMisconceptionsDiagnosed(id);
  });

  test('a learner with the exact GELU fails and is told so', async () => {
    const source = (await trainingSolution(id)).replace(
      'return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));',
      `const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const e = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(z * z) / 2);
  return 0.5 * z * (1 + Math.sign(z) * e);`,
    );
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source }, 7, 'training');
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis?.misconceptionId).toBe('exact-gelu');
  });

  test('the row property holds for the solution and fails for a learner that centres each column over the tokens', async () => {
    const property = (v: Awaited<ReturnType<typeof gradeLearnerSource>>) => v.cases.filter((c) => c.name.startsWith('each token goes through on its own'));
    const solved = await gradeLearnerSource(id, { [`${id}.ts`]: await trainingSolution(id) }, 7, 'training');
    expect(property(solved).map((c) => c.status)).toEqual(['pass', 'pass']);
    const mixing = (await trainingSolution(id)).replace(
      'return linear(hidden, p.w2, p.b2);',
      'const out = linear(hidden, p.w2, p.b2);\n  return out.map((row) => row.map((v, j) => v - out.reduce((s, r) => s + r[j], 0) / out.length + out[0][j]));',
    );
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: mixing }, 7, 'training');
    expect(property(verdict).map((c) => c.status)).toEqual(['fail', 'fail']);
    expect(property(verdict)[0].message).toMatch(/^mlp\(x\) and the rows of mlp\(\[x\[t\]\]\), one token at a time, differ/);
  });

  test('the lesson: its sections in order, and the js block of In practice computes the reference', async () => {
    await expectLessonLayout(id);
    await expectJsBlockMatchesReference(id, ['x', 'p']);
  });
});

describe(`${id}: the lesson's picture`, () => {
  test('the bars are |gelu_tanh(z) − gelu_erf(z)| in units of 1e-4, to 2 decimals, largest near |z| = 2.7 at 4.7e-4', async () => {
    const lesson = await trainingLesson(id);
    const bars = /```bars\n[\s\S]*?```/.exec(lesson)![0].split('\n').filter((line) => line.startsWith('z='));
    const tanh = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
    const exact = (z: number) => 0.5 * z * (1 + erf(z / Math.SQRT2));
    expect(bars.length).toBe(7);
    for (const line of bars) {
      const [, z, shown] = /^z=(\S+)\s+(\S+)$/.exec(line)!;
      expect(Math.abs(tanh(Number(z)) - exact(Number(z))) * 1e4, line).toBeCloseTo(Number(shown), 2);
    }
    const grid = Array.from({ length: 6001 }, (_, i) => i / 1000);
    const worst = grid.reduce((best, z) => (Math.abs(tanh(z) - exact(z)) > Math.abs(tanh(best) - exact(best)) ? z : best), 0);
    expect(worst).toBeCloseTo(2.7, 1);
    expect(Math.abs(tanh(worst) - exact(worst))).toBeCloseTo(4.7e-4, 5);
  });
});
