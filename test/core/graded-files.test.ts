import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ExerciseProgress, State } from '../../src/core/common/schemas.js';
import type { ExerciseRef } from '../../src/core/packs/packs.js';
import { gradedFilesOf, importedStanding, markChangedPasses } from '../../src/core/workspace/graded-files.js';
import { countSolved } from '../../src/core/workspace/progress.js';
import { emptyState } from '../../src/core/workspace/state-store.js';
import type { Workspace } from '../../src/core/workspace/workspace.js';
import { tempDir } from '../helpers/cli.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const ref = (id: string) => ({ packId: 'p', id, key: `p/${id}` }) as ExerciseRef;
const exercises = [ref('softmax'), ref('mask')];

/** A workspace folder whose exercises folder holds `files` (path under it → text). */
async function workspaceWith(files: Record<string, string>): Promise<Workspace> {
  const dir = tempDir('llm-tutor-graded-');
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, 'exercises', file)), { recursive: true });
    await fs.writeFile(path.join(dir, 'exercises', file), text);
  }
  return { dir, exercises } as unknown as Workspace;
}

function record(status: ExerciseProgress['status'], gradedFiles?: Record<string, string>): ExerciseProgress {
  return { status, attempts: 1, hintsRevealed: 0, ...(gradedFiles ? { gradedFiles } : {}) };
}

function stateOf(records: Record<string, ExerciseProgress>): State {
  return { ...emptyState(), exercises: records };
}

describe('markChangedPasses', () => {
  test('a pass whose file, or a file it imports, changed since is changed (and not solved); once they hold what passed it is passed again', async () => {
    const ws = await workspaceWith({ 'p/softmax.ts': 'right', 'p/mask.ts': 'mask' });
    const passes = () => stateOf({ 'p/softmax': record('passed', { 'p/softmax.ts': sha('right') }), 'p/mask': record('passed', { 'p/mask.ts': sha('mask'), 'p/softmax.ts': sha('right') }) });
    const unchanged = await markChangedPasses(ws, passes());
    expect([unchanged.exercises['p/softmax'].status, unchanged.exercises['p/mask'].status]).toEqual(['passed', 'passed']);

    await fs.writeFile(path.join(ws.dir, 'exercises', 'p', 'softmax.ts'), 'wrong');
    const changed = await markChangedPasses(ws, passes());
    expect([changed.exercises['p/softmax'].status, changed.exercises['p/mask'].status]).toEqual(['changed', 'changed']);
    expect(countSolved(exercises, changed)).toEqual({ solved: 0, total: 2 });

    await fs.writeFile(path.join(ws.dir, 'exercises', 'p', 'softmax.ts'), 'right');
    expect((await markChangedPasses(ws, changed)).exercises['p/softmax'].status).toBe('passed');
    expect(countSolved(exercises, changed)).toEqual({ solved: 2, total: 2 });
  });

  test('a file that is gone, or a record path that leads out of the exercises folder, never counts as unchanged', async () => {
    const ws = await workspaceWith({ 'p/softmax.ts': 'right' });
    await fs.writeFile(path.join(ws.dir, 'outside.ts'), 'right');
    const state = stateOf({ 'p/softmax': record('passed', { '../outside.ts': sha('right') }), 'p/mask': record('passed', { 'p/mask.ts': sha('mask') }) });
    await markChangedPasses(ws, state);
    expect([state.exercises['p/softmax'].status, state.exercises['p/mask'].status]).toEqual(['changed', 'changed']);
  });

  test('a pass recorded without digests, and a record that is not a pass, are left as they are', async () => {
    const ws = await workspaceWith({ 'p/softmax.ts': 'changed since' });
    const state = stateOf({ 'p/softmax': record('passed'), 'p/mask': record('failed', { 'p/mask.ts': sha('gone') }) });
    await markChangedPasses(ws, state);
    expect([state.exercises['p/softmax'].status, state.exercises['p/mask'].status]).toEqual(['passed', 'failed']);
  });
});

describe('importedStanding', () => {
  test('an imported exercise passes only while the content bundled now is what passed', async () => {
    const ws = await workspaceWith({});
    const file = path.join(ws.dir, 'exercises', 'p', 'softmax.ts');
    const state = stateOf({ 'p/softmax': record('passed', { 'p/softmax.ts': sha('right') }) });
    expect(importedStanding(ws, state, file, { [file]: sha('right') })).toEqual({ key: 'p/softmax', standing: 'passes' });
    expect(importedStanding(ws, state, file, { [file]: sha('wrong') })).toEqual({ key: 'p/softmax', standing: 'changed' });
    expect(importedStanding(ws, stateOf({ 'p/softmax': record('failed', { 'p/softmax.ts': sha('right') }) }), file, { [file]: sha('right') })).toEqual({ key: 'p/softmax', standing: 'fails' });
    expect(importedStanding(ws, emptyState(), file, {})).toEqual({ key: 'p/softmax', standing: 'fails' });
    expect(importedStanding(ws, state, path.join(ws.dir, 'exercises', 'p', 'helper.ts'), {})).toBeUndefined();
  });

  test('gradedFilesOf keys the digests of a verdict by their path under the exercises folder', async () => {
    const ws = await workspaceWith({});
    const file = path.join(ws.dir, 'exercises', 'p', 'sub', 'mask.ts');
    expect(gradedFilesOf(ws, { learnerDigests: { [file]: sha('x') } })).toEqual({ 'p/sub/mask.ts': sha('x') });
    expect(gradedFilesOf(ws, {})).toBeUndefined();
  });
});
