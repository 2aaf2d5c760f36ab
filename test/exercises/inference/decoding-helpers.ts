import { expect } from 'vitest';
import { packExercises } from '../../helpers/pack-exercises.js';

// The decoding track of pack `inference` in tests (temperature, top-k, top-p,
// the repetition penalty, the sampler), by their id in the pack
// (`decoding/top-p`), and the plain computations the tests check them against.

export const { file: inferenceFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs } = packExercises('inference');

/** Expects two lists of logits to agree: −Infinity exactly where `want` has it, other entries to `digits` decimals. */
export function expectLogits(got: unknown, want: number[], digits = 6, where = ''): void {
  expect(Array.isArray(got), `${where} is an array`).toBe(true);
  const g = got as number[];
  expect(g.length, `${where} length`).toBe(want.length);
  want.forEach((w, i) => {
    if (w === -Infinity) expect(g[i], `${where}[${i}]`).toBe(-Infinity);
    else expect(g[i], `${where}[${i}]`).toBeCloseTo(w, digits);
  });
}

/** softmax written out for small logits: e^z over the sum of e^z, with e^−Infinity = 0 (no shift: the tests' logits are within ±40). */
export function probabilitiesOf(logits: number[]): number[] {
  const e = logits.map((z) => (z === -Infinity ? 0 : Math.exp(z)));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** The values of every ```bars block of a lesson, block by block (the last word of each row after the title and max lines). */
export async function lessonBars(id: string): Promise<number[][]> {
  const lesson = await inferenceFile(id, 'lesson.md');
  return [...lesson.matchAll(/```bars\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .split('\n')
      .filter((line) => line.trim() && !/^(title|max):/.test(line))
      .map((line) => Number(line.trim().split(/\s+/).at(-1))),
  );
}
