import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.js';
import { gradeAndRecord } from '../../src/core/workspace/check.js';
import { StateStore } from '../../src/core/workspace/state-store.js';
import type { Verdict } from '../../src/core/grading/verdict.js';
import { learnerFileOf, openWorkspace, type Workspace } from '../../src/core/workspace/workspace.js';
import { makeWorkspace, useSolution } from '../helpers/cli.js';

let ws: Workspace;
beforeAll(async () => {
  ws = await openWorkspace(await makeWorkspace());
  await useSolution(ws.dir, 'foundations/matmul');
});

const matmul = () => ws.exercises.find((r) => r.id === 'foundations/matmul')!;

/** A progress store whose writes fail as on a read-only disk. */
class ReadOnlyStore extends StateStore {
  override async write(): Promise<void> {
    throw new UserError('Cannot save progress to state.json: the file system is read-only.', { next: 'Make the workspace folder writable.' });
  }
}

describe('gradeAndRecord', () => {
  test('shows the verdict before saving, then records the attempt and returns the saved progress', async () => {
    const ref = matmul();
    let attemptsWhenShown: number | undefined;
    const { verdict, progress } = await gradeAndRecord(ws, ref, {
      seed: 1,
      learnerFile: learnerFileOf(ws, ref),
      onVerdict: () => {
        const saved = existsSync(ws.state.file) ? JSON.parse(readFileSync(ws.state.file, 'utf8')) : { exercises: {} };
        attemptsWhenShown = saved.exercises[ref.key]?.attempts ?? 0;
      },
    });
    expect(verdict.status).toBe('pass');
    expect(attemptsWhenShown).toBe(0);
    expect(progress?.exercises[ref.key]).toMatchObject({ status: 'passed', attempts: 1 });
    expect(await ws.state.read()).toEqual(progress);
  });

  test('records nothing when `record` says no once the verdict is in', async () => {
    const ref = matmul();
    const before = await ws.state.read();
    let asked = 0;
    const { verdict, progress } = await gradeAndRecord(ws, ref, {
      seed: 1,
      learnerFile: learnerFileOf(ws, ref),
      record: () => ++asked === 0,
    });
    expect(verdict.status).toBe('pass');
    expect(asked).toBe(1);
    expect(progress).toBeUndefined();
    expect(await ws.state.read()).toEqual(before);
  });

  test('progress that cannot be saved becomes a note of the verdict', async () => {
    const ref = matmul();
    const readOnly = { ...ws, state: new ReadOnlyStore(ws.state.file, ws.dir) };
    const shown: Verdict[] = [];
    const { verdict, progress } = await gradeAndRecord(readOnly, ref, { seed: 1, learnerFile: learnerFileOf(ws, ref), onVerdict: (v) => shown.push(v) });
    expect(progress).toBeUndefined();
    expect(verdict.status).toBe('pass');
    expect(verdict.notes.at(-1)).toBe('Cannot save progress to state.json: the file system is read-only. Make the workspace folder writable.');
    expect(shown[0].notes).not.toContain(verdict.notes.at(-1));
  });
});
