import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ExerciseDefinition } from '../../src/core/authoring/exercise.js';
import { gradePrepared, prepareExercise } from '../../src/core/grading/grade.js';
import { loadDefinition } from '../../src/core/packs/definitions.js';
import { exercisesRootOf, learnerFileOf, openWorkspace, type Workspace } from '../../src/core/workspace/workspace.js';
import { coldSlot, type SandboxSlot } from '../../src/sandbox/run-child.js';
import { makeWorkspace, useSolution } from '../helpers/cli.js';

// A reference computes synchronously and holds the event loop; a cold check defers it until the learner's
// cases are written to the sandbox child, so that the child runs them while the reference computes.
let ws: Workspace;
beforeAll(async () => {
  ws = await openWorkspace(await makeWorkspace());
  await useSolution(ws.dir, 'foundations/matmul');
});

/** The matmul exercise with a reference that counts its calls. */
async function counted(): Promise<{ ref: Workspace['exercises'][number]; definition: ExerciseDefinition; calls: () => number }> {
  const ref = ws.exercises.find((r) => r.id === 'foundations/matmul')!;
  const definition = await loadDefinition(ref);
  let calls = 0;
  const reference = definition.reference!;
  return { ref, definition: { ...definition, reference: (...args) => (calls++, reference(...args)) }, calls: () => calls };
}

/** A cold slot whose run notes how many reference calls were made when its cases were sent. */
async function watchedSlot(calls: () => number, sent: number[]): Promise<SandboxSlot> {
  const slot = await coldSlot();
  return { ...slot, run: (entry, cases, limits, signal, onSent) => slot.run(entry, cases, limits, signal, () => (sent.push(calls()), onSent?.())) };
}

describe('a deferred reference', () => {
  test('computes nothing until the learner\'s cases are sent to the child, then every case', async () => {
    const { ref, definition, calls } = await counted();
    const prepared = prepareExercise(ref, definition, 1, { deferReference: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls()).toBe(0);
    const sent: number[] = [];
    const slot = await watchedSlot(calls, sent);
    const verdict = await gradePrepared(prepared, { learnerFile: learnerFileOf(ws, ref), allowedRoot: exercisesRootOf(ws), sandbox: { acquire: async () => slot } });
    expect(verdict.status).toBe('pass');
    expect(sent).toEqual([0]);
    expect(calls()).toBe(prepared.cases.length);
  });

  test('starts when there is no run to wait for: a file that does not compile gets its verdict', async () => {
    const { ref, definition, calls } = await counted();
    const file = learnerFileOf(ws, ref).replace(/\.ts$/, '-broken.ts');
    writeFileSync(file, 'export function matmul(a: number[][], b: number[][]) {\n  return a.map((row) =>\n}\n');
    const prepared = prepareExercise(ref, definition, 1, { deferReference: true });
    const sent: number[] = [];
    const slot = await watchedSlot(calls, sent);
    const verdict = await gradePrepared(prepared, { learnerFile: file, allowedRoot: exercisesRootOf(ws), sandbox: { acquire: async () => slot } });
    expect(verdict.status).toBe('error');
    expect(verdict.error?.kind).toBe('bundle');
    expect(sent).toEqual([]);
    expect(calls()).toBe(prepared.cases.length);
  });
});
