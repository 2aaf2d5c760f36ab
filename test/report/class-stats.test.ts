import { expect, test } from 'vitest';
import type { ClassResult, ExerciseResult, SubmissionResult } from '../../src/core/class/results.js';
import { fileFromGradeFolder, passRates } from '../../src/report/class-stats.js';

const exercise = (key: string, status: ExerciseResult['status']) => ({ key, status, file: `exercises/${key}.ts` }) as ExerciseResult;
const submission = (path: string, exercises: ExerciseResult[]) => ({ id: path, path, exercises }) as SubmissionResult;

test('pass rates count, per exercise in order, the submissions that pass it out of those graded on it', () => {
  const result = {
    exercises: [{ key: 'p/a' }, { key: 'p/b' }, { key: 'p/c' }],
    submissions: [
      submission('alice', [exercise('p/a', 'pass'), exercise('p/b', 'fail')]),
      submission('bob', [exercise('p/a', 'error'), exercise('p/b', 'pass')]),
      submission('carol', [exercise('p/a', 'pass')]),
    ],
  } as ClassResult;
  expect(passRates(result)).toEqual([
    { key: 'p/a', passed: 2, total: 3 },
    { key: 'p/b', passed: 1, total: 2 },
    { key: 'p/c', passed: 0, total: 0 },
  ]);
});

test("a file is named from where grade ran: under the submission's folder, or as is when grade ran in it", () => {
  const e = exercise('p/a', 'fail');
  expect(fileFromGradeFolder(submission('class/alice', [e]), e)).toBe('class/alice/exercises/p/a.ts');
  expect(fileFromGradeFolder(submission('.', [e]), e)).toBe('exercises/p/a.ts');
});
