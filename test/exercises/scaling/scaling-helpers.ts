import { expect } from 'vitest';
import { packExercises } from '../../helpers/pack-exercises.js';

// The scaling pack's exercises in tests, by their id in the pack (`memory/zero`).

export const { file: scalingFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock } = packExercises('scaling');

/** Asserts that `got` is within a relative 1e-12 of `want` (float64 arithmetic written another way). */
export function expectRelative(got: unknown, want: number, what = ''): void {
  expect(typeof got, what).toBe('number');
  expect(Math.abs((got as number) - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-12 * Math.abs(want));
}

/** The values of the lesson's first ```bars block, in order (the last word of each row after the title and max lines). */
export async function lessonBars(id: string): Promise<number[]> {
  return (await lessonBlock(id, 'bars'))
    .split('\n')
    .filter((line) => line.trim() && !/^(title|max):/.test(line))
    .map((line) => Number(line.trim().split(/\s+/).at(-1)));
}
