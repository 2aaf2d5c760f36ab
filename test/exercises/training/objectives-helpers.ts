import { expect, test } from 'vitest';
import { diagnoseEachMisconception, gradeLearnerSource } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds, solutionSource } from '../../helpers/properties.js';

// The objectives track's tests grade learner files of the training pack: the
// model solution, or the solution with one mistake put in.

const pack = 'training';

/** The model solution of an exercise of the training pack with each `[from, to]` replaced (`from` must occur in it). */
export async function trainingSolutionWith(id: string, ...edits: [from: string, to: string][]): Promise<string> {
  let source = await solutionSource(id, pack);
  for (const [from, to] of edits) {
    if (!source.includes(from)) throw new Error(`${id}/solution.ts has no "${from}"`);
    source = source.replace(from, to);
  }
  return source;
}

/** Asserts that grading `source` fails and fully diagnoses the misconception `misconceptionId`. */
export async function expectDiagnosedAs(id: string, source: string, misconceptionId: string): Promise<void> {
  const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source }, 7, pack);
  expect(verdict.status).toBe('fail');
  expect(verdict.diagnosis).toMatchObject({ misconceptionId, confidence: 'full' });
}

/** Asserts that every case of `property` fails for `source`, with a message matching `message`. */
export async function expectTrainingPropertyBroken(id: string, source: string, property: string, message: RegExp): Promise<void> {
  await expectPropertyBroken(id, source, property, message, pack);
}

/**
 * The two tests every exercise of the track has: each misconception fails the
 * reference and is diagnosed as itself, and the model solution passes every
 * case with `properties` (name → number of cases), on seeds 7 and 99.
 */
export function testMisconceptionsAndSolution(id: string, properties: Record<string, number>): void {
  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    for (const seed of [7, 99]) {
      for (const result of await diagnoseEachMisconception(id, seed, pack)) {
        expect(result.failingCases, `${result.id} (seed ${seed})`).toBeGreaterThan(0);
        expect(result.diagnosed, `${result.id} (seed ${seed})`).toBe(result.id);
      }
    }
  });

  test(`check yourself: the model solution holds ${Object.keys(properties).map((p) => `"${p}"`).join(' and ')} (seeds 7 and 99)`, async () => {
    await expectSolutionHolds(id, properties, pack);
  });
}
