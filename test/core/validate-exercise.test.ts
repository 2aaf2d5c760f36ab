import { describe, expect, test } from 'vitest';
import type { ExerciseDefinition } from '../../src/core/authoring/exercise.js';
import { buildCases } from '../../src/core/grading/prepare.js';
import type { ExerciseRef } from '../../src/core/packs/packs.js';
import { loadTf } from '../../src/reference/backend.js';
import { checkMisconceptions, duplicateCaseName, misconceptionProblem, misconceptionWarning, pinnedProblems, type MisconceptionCheck } from '../../src/core/packs/validate-exercise.js';

const check = (over: Partial<MisconceptionCheck>): MisconceptionCheck => ({ id: 'leaky', failingCases: 3, diagnosed: 'leaky', ...over });

describe('what pack validate says of a misconception', () => {
  test('one that throws on every case is reported as throwing, not as the same as another that throws', () => {
    const thrown = { caseName: 'the lesson example', message: 'oops (exercise.ts:32)', everyCase: true };
    expect(misconceptionProblem(check({ failingCases: 0, diagnosed: undefined, sameAs: 'reversed', thrown }), 1)?.message).toBe('throws on every case (seed 1); on case "the lesson example": oops (exercise.ts:32)');
  });

  test('one that throws on some cases is a warning, unless it says the case is not applicable', () => {
    const some = (message: string) => check({ thrown: { caseName: 'all negative', message, everyCase: false } });
    expect(misconceptionProblem(some('three'), 2)).toBeUndefined();
    expect(misconceptionWarning(some('three'), 2)?.message).toBe('throws on case "all negative" (seed 2): three; diagnosis leaves out the cases where it throws');
    expect(misconceptionWarning(some('not applicable: nothing changes here'), 2)).toBeUndefined();
    expect(misconceptionWarning(check({}), 2)).toBeUndefined();
  });

  test('an unreachable one and one diagnosed as another keep their messages', () => {
    expect(misconceptionProblem(check({ failingCases: 0 }), 1)?.message).toBe('unreachable: its wrong output passes the reference on every case (seed 1)');
    expect(misconceptionProblem(check({ diagnosed: 'reversed' }), 1)?.message).toBe('a learner making this mistake is diagnosed as "reversed" instead (seed 1)');
    expect(misconceptionProblem(check({}), 1)).toBeUndefined();
  });
});

test('the first case name that comes twice', () => {
  expect(duplicateCaseName([{ name: 'a' }, { name: 'b' }, { name: 'c' }])).toBeUndefined();
  expect(duplicateCaseName([{ name: 'a' }, { name: 'b' }, { name: 'b' }, { name: 'a' }])).toBe('b');
});

describe('pinned expected values', () => {
  const ref = { key: 'pinned/basics/double', dir: '/packs/pinned/basics/double' } as ExerciseRef;
  const define = (over: Partial<ExerciseDefinition>) => ({ entry: 'double', signature: 'double(x: Vector): Vector', hints: ['Twice.'], ...over }) as ExerciseDefinition;
  const cases = (expected: unknown[]) => [
    { name: 'pinned', args: [[1, 2]], expected: expected },
    { name: 'not pinned', args: [[3]] },
  ];

  test('buildCases keeps a case\'s pinned value, and none where the case pins nothing', () => {
    const built = buildCases(ref, define({ cases: () => cases([2, 4]) }), 1);
    expect(built.map((c) => c.pinned)).toEqual([[2, 4], undefined]);
    expect('pinned' in built[1]).toBe(false);
  });

  test('a pinned value within the tolerance is no problem; one outside it names the case and quotes the comparison', () => {
    const built = buildCases(ref, define({ cases: () => cases([2, 4.00001]) }), 1);
    expect(pinnedProblems(define({}), built, [[2, 4], [6]], 1)).toEqual([]);
    const tight = pinnedProblems(define({ compare: { atol: 1e-6, rtol: 0 } }), built, [[2, 4], [6]], 2);
    expect(tight.map((p) => p.message)).toEqual(['the reference\'s output is not the expected value pinned on case "pinned" (seed 2): Mismatched elements: 1 / 2 (50.0%). Greatest absolute difference 1.000e-5 at [1] (allowed 1.000e-6). Greatest relative difference 2.500e-6 at [1].']);
  });

  test('a schedule exercise cannot pin a plan, and a stepwise case cannot pin an output', () => {
    const built = buildCases(ref, define({ cases: () => cases([2, 4]) }), 1);
    expect(pinnedProblems(define({ schedule: { check: () => undefined } }), built, [[2, 4], [6]], 1)[0].message).toBe('case "pinned" pins an expected output, but a schedule exercise passes any plan its check accepts');
    const stepwise = define({ stepwise: { carry: [{ from: [0], to: [0] }] }, cases: () => [{ name: 'two steps', steps: [[[1]], [[2]]], expected: [1] } as never] });
    expect(() => buildCases(ref, stepwise, 1)).toThrow(
      "/packs/pinned/basics/double/exercise.ts: cases() must return a non-empty list of { name, steps: [[...args], ...] } (cases()[0].expected: a stepwise case cannot pin an output (each step is called on the learner's previous output): remove it).",
    );
  });
});

describe('the learners pack validate simulates, one per misconception', () => {
  const ref = { key: 'simulated/basics/double', dir: '/packs/simulated/basics/double' } as ExerciseRef;
  const calls = new Map<string, number>();
  /** A wrong variant that counts its calls. */
  const variant = (id: string, f: (x: number[]) => unknown) => ({
    id,
    title: id,
    message: `${id}.`,
    wrong: (_ctx: unknown, x: number[]) => {
      calls.set(id, (calls.get(id) ?? 0) + 1);
      return f(x);
    },
  });
  const definition = {
    entry: 'double',
    signature: 'double(x: Vector): Vector',
    hints: ['Twice.'],
    reference: (_ctx: unknown, x: number[]) => x.map((v) => 2 * v),
    cases: () => [
      { name: 'two', args: [[2]] },
      { name: 'three', args: [[1, 3]] },
      { name: 'negative', args: [[-1, 0]] },
      { name: 'zero', args: [[0]] },
    ],
    misconceptions: [
      variant('plus-two', (x) => x.map((v) => v + 2)),
      // Right where x is 0 or 2: a learner making this mistake passes "zero", where plus-two fails.
      variant('squared', (x) => x.map((v) => v * v)),
      variant('plus-two-again', (x) => x.map((v) => 2 + v)),
      variant('positives-only', (x) => {
        if (x.some((v) => v < 0)) throw new Error('not applicable: no negatives');
        return x.map((v) => 2 * v + 1);
      }),
    ],
  } as unknown as ExerciseDefinition;

  test('each is diagnosed against every variant, though each variant runs once per case', async () => {
    const { tf } = await loadTf();
    const checks = await checkMisconceptions(ref, definition, 1, { tf, exerciseDir: ref.dir });
    expect(checks).toEqual([
      { id: 'plus-two', failingCases: 3, diagnosed: 'plus-two', sameAs: undefined, thrown: undefined },
      { id: 'squared', failingCases: 2, diagnosed: 'squared', sameAs: undefined, thrown: undefined },
      // The same outputs as plus-two on every case: diagnosed as the first listed.
      { id: 'plus-two-again', failingCases: 3, diagnosed: 'plus-two', sameAs: 'plus-two', thrown: undefined },
      { id: 'positives-only', failingCases: 3, diagnosed: 'positives-only', sameAs: undefined, thrown: { caseName: 'negative', message: expect.stringContaining('not applicable: no negatives'), everyCase: false } },
    ]);
    expect(Object.fromEntries(calls)).toEqual({ 'plus-two': 4, squared: 4, 'plus-two-again': 4, 'positives-only': 4 });
  });
});
