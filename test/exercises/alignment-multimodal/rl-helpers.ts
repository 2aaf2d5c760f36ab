import { packExercises } from '../../helpers/pack-exercises.js';

// The alignment-multimodal pack's rl track in tests (GAE, PPO's clipped
// objective, GRPO's advantages, the k3 KL estimator), by their id in the pack.

export const { file: rlFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock } = packExercises('alignment-multimodal');

/** A list of numbers from a Markdown table column: the `column`-th cell (from 0) of every row whose first cell is an integer. */
export function tableColumn(lesson: string, column: number): number[] {
  return lesson
    .split('\n')
    .filter((l) => /^\| \d+ \|/.test(l))
    .map((l) => Number(l.split('|')[column + 1].trim().replace('−', '-')));
}
