import { describe, expect, test } from 'vitest';
import { duplicateCaseName, misconceptionProblem, misconceptionWarning, type MisconceptionCheck } from '../../src/core/packs/validate-exercise.js';

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
