import type { ClassResult, ExerciseResult, SubmissionResult } from '../core/class/results.js';

/** Per exercise, in the results' order: the submissions that pass it, out of those graded on it. */
export function passRates(result: ClassResult): { key: string; passed: number; total: number }[] {
  return result.exercises.map(({ key }) => {
    const graded = result.submissions.map((s) => s.exercises.find((e) => e.key === key)).filter((e) => e !== undefined);
    return { key, passed: graded.filter((e) => e.status === 'pass').length, total: graded.length };
  });
}

/** An exercise's file relative to where grade ran (the repository checkout, in CI), with / separators. */
export function fileFromGradeFolder(submission: SubmissionResult, exercise: ExerciseResult): string {
  return submission.path === '.' ? exercise.file : `${submission.path}/${exercise.file}`;
}
