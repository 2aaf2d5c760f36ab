import { describe, expect, test } from 'vitest';
import { diagnose, type GradedCase } from '../../src/core/grading/diagnose.js';
import { anyOf, type Misconception, type ReferenceContext } from '../../src/core/authoring/exercise.js';

// Diagnosis only needs tfjs for scoping; these misconceptions are plain TypeScript.
const ctx = { tf: { engine: () => ({ startScope() {}, endScope() {} }) } } as unknown as ReferenceContext;
const tol = { atol: 1e-6, rtol: 1e-6 };

const double: Misconception = { id: 'double', title: 'doubled', message: 'you doubled it', wrong: (_c, x: number) => 2 * x };
const negate: Misconception = { id: 'negate', title: 'negated', message: 'you negated it', wrong: (_c, x: number) => -x };
const nanOrZero: Misconception = { id: 'nan-or-zero', title: 'NaN or 0', message: 'masked', wrong: (_c, x: number) => (x === 0 ? anyOf(NaN, 0) : x) };
const throws: Misconception = { id: 'throws', title: 'n/a', message: 'n/a', wrong: () => { throw new Error('not applicable'); } };

/** Cases for the identity function, with the learner returning `learner(x)`. */
function graded(xs: number[], learner: (x: number) => number): GradedCase[] {
  return xs.map((x) => ({ args: [x], expected: x, got: learner(x), passed: Math.abs(learner(x) - x) <= 1e-6 || (Number.isNaN(x) && Number.isNaN(learner(x))) }));
}

describe('diagnose', () => {
  test('title and message in the locale asked for, English by default and where there is no translation', async () => {
    const translated: Misconception = { ...double, title: { en: 'doubled', 'zh-CN': '乘了两倍' }, message: { en: 'you doubled it', zh: '你把它乘了两倍' } };
    const cases = graded([1, 2], (x) => 2 * x);
    expect(await diagnose([translated], cases, tol, ctx)).toMatchObject({ title: 'doubled', message: 'you doubled it' });
    expect(await diagnose([translated], cases, tol, ctx, undefined, 'zh-CN')).toMatchObject({ title: '乘了两倍', message: '你把它乘了两倍' });
    expect(await diagnose([translated], cases, tol, ctx, undefined, 'fr')).toMatchObject({ title: 'doubled', message: 'you doubled it' });
  });

  test('names the misconception that explains every failure', async () => {
    const d = await diagnose([negate, double], graded([1, 2, 3], (x) => 2 * x), tol, ctx);
    expect(d).toMatchObject({ misconceptionId: 'double', matched: 3, failing: 3, confidence: 'full' });
  });

  test('nothing when the learner passes, or when no misconception explains the failures', async () => {
    expect(await diagnose([double], graded([1, 2], (x) => x), tol, ctx)).toBeUndefined();
    expect(await diagnose([double, negate], graded([1, 2], (x) => x + 10), tol, ctx)).toBeUndefined();
  });

  test('a passed case where the variant differs from the reference counts against it', async () => {
    // Learner is only wrong at 0 (returns NaN). `double` agrees with the reference at 0, so it explains nothing.
    const learner = (x: number) => (x === 0 ? NaN : x);
    const d = await diagnose([double, nanOrZero], graded([0, 1, 2], learner), tol, ctx);
    expect(d?.misconceptionId).toBe('nan-or-zero');
    expect(d?.confidence).toBe('full');
  });

  test('any of several alternative outputs matches', async () => {
    const d = await diagnose([nanOrZero], [{ args: [0], expected: 5, got: 0, passed: false }], tol, ctx);
    expect(d?.misconceptionId).toBe('nan-or-zero');
  });

  test('partial when most but not all failures are explained', async () => {
    const learner = (x: number) => (x === 3 ? 100 : 2 * x);
    const d = await diagnose([double], graded([1, 2, 3], learner), tol, ctx);
    expect(d).toMatchObject({ misconceptionId: 'double', matched: 2, failing: 3, confidence: 'partial' });
  });

  test('a variant that throws is skipped, not fatal', async () => {
    const d = await diagnose([throws, double], graded([1, 2], (x) => 2 * x), tol, ctx);
    expect(d?.misconceptionId).toBe('double');
  });

  describe('a schedule exercise: plans that break the same property', () => {
    // The plan is a list of ranks to visit, which must be ascending; a plan is "wrong" in two classic ways.
    const ascending = {
      check: (plan: number[]) => {
        if (plan.some((r, i) => i > 0 && r === plan[i - 1])) return { property: 'no rank twice in a row', message: 'repeated' };
        if (plan.some((r, i) => i > 0 && r < plan[i - 1])) return { property: 'ranks ascend', message: 'descending' };
        return undefined;
      },
    };
    const reversed: Misconception = { id: 'reversed', title: 'reversed', message: 'you went backwards', wrong: (_c, n: number) => Array.from({ length: n }, (_, i) => n - 1 - i) };
    const doubled: Misconception = { id: 'doubled', title: 'every rank twice', message: 'you repeated', wrong: (_c, n: number) => Array.from({ length: 2 * n }, (_, i) => Math.floor(i / 2)) };
    const plans = (ns: number[], learner: (n: number) => number[]): GradedCase[] =>
      ns.map((n, index) => {
        const got = learner(n);
        return { args: [n], expected: Array.from({ length: n }, (_, i) => i), got, passed: ascending.check(got) === undefined, index };
      });
    // Descending, but not exactly the reversed plan: [n, n − 2, …] with gaps.
    const descendingWithGaps = (n: number) => Array.from({ length: n }, (_, i) => 2 * (n - i));

    test('without the check, only an exact wrong plan is diagnosed', async () => {
      expect(await diagnose([doubled, reversed], plans([2, 3, 4], descendingWithGaps), tol, ctx)).toBeUndefined();
      expect(await diagnose([doubled, reversed], plans([2, 3, 4], (n) => reversed.wrong(ctx, n) as number[]), tol, ctx)).toMatchObject({ misconceptionId: 'reversed', confidence: 'full' });
    });

    test('with it, a plan that breaks the property a misconception breaks is a possible case of it', async () => {
      const d = await diagnose([doubled, reversed], plans([2, 3, 4], descendingWithGaps), tol, ctx, undefined, 'en', ascending);
      expect(d).toMatchObject({ misconceptionId: 'reversed', matched: 3, failing: 3, confidence: 'partial' });
      // An exact match still wins, in full.
      expect(await diagnose([doubled, reversed], plans([2, 3], (n) => doubled.wrong(ctx, n) as number[]), tol, ctx, undefined, 'en', ascending)).toMatchObject({ misconceptionId: 'doubled', confidence: 'full' });
    });

    test('a plan that breaks a property no misconception breaks, or one that passes where the misconception would fail, is not diagnosed', async () => {
      const check = { check: (plan: number[]) => (plan.length > 5 ? { property: 'at most five ranks', message: 'too long' } : ascending.check(plan)) };
      expect(await diagnose([reversed], plans([6, 7], (n) => Array.from({ length: n }, (_, i) => i)), tol, ctx, undefined, 'en', check)).toBeUndefined();
      // Right on 2 and 3, descending only on 4: one failure explained, two passes contradict it.
      const d = await diagnose([reversed], plans([2, 3, 4], (n) => (n === 4 ? descendingWithGaps(n) : Array.from({ length: n }, (_, i) => i))), tol, ctx, undefined, 'en', ascending);
      expect(d).toBeUndefined();
    });
  });
});
