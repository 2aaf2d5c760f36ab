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
});
