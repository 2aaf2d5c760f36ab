import { packExercises } from '../../helpers/pack-exercises.js';

// The inference pack's speculative-decoding and beam-search exercises in tests, by their id in the pack (`speculative/accept`).

export const { file: inferenceFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock } = packExercises('inference');

/** The rows of a lesson's ```bars block as [label, value] (after the title and max lines). */
export function barRows(block: string): [label: string, value: number][] {
  return block
    .split('\n')
    .filter((line) => line.trim() && !/^(title|max):/.test(line))
    .map((line) => {
      const words = line.trim().split(/\s+/);
      return [words.slice(0, -1).join(' '), Number(words.at(-1))];
    });
}

/** Every ```bars block of a lesson, in order. */
export async function allBars(id: string): Promise<string[]> {
  const lesson = await inferenceFile(id, 'lesson.md');
  return [...lesson.matchAll(/```bars\n([\s\S]*?)```/g)].map((m) => m[1]);
}
