import { execFileSync } from 'node:child_process';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, expect, test } from 'vitest';
import { findExercise } from '../../src/core/packs/packs.js';
import { emptyProgress } from '../../src/core/workspace/state-store.js';
import { ungradedEdits } from '../../src/core/workspace/recover.js';
import { initWorkspace, learnerFileOf, type Workspace } from '../../src/core/workspace/workspace.js';

let workspace: Workspace;

beforeEach(async () => {
  ({ workspace } = await initWorkspace(path.join(mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-recover-')), 'ws'), ['transformer-core'], 1));
});

const fileOf = (id: string) => learnerFileOf(workspace, findExercise(workspace.exercises, id));
const keysOf = async () => (await ungradedEdits(workspace, await workspace.state.read())).map((r) => r.id);

test('starters, however many, are not ungraded edits', async () => {
  expect(await keysOf()).toEqual([]);
});

test('an edited file is one until a grading of it is recorded; a record of hints alone does not count', async () => {
  await fs.writeFile(fileOf('softmax'), '// mine\n');
  await fs.writeFile(fileOf('matmul'), '// mine\n');
  await fs.writeFile(fileOf('causal-mask'), '// mine\n');
  await workspace.state.update((state) => {
    state.exercises['transformer-core/foundations/softmax'] = { ...emptyProgress(), status: 'failed', attempts: 1 };
    state.exercises['transformer-core/foundations/matmul'] = { ...emptyProgress(), revealedHints: ['tier:1', 'tier:2'] };
  });
  expect(await keysOf()).toEqual(['foundations/matmul', 'attention/causal-mask']);
});

test('a missing file, or a FIFO in place of one, is left out', async () => {
  await fs.rm(fileOf('softmax'));
  await fs.rm(fileOf('matmul'));
  execFileSync('mkfifo', [fileOf('matmul')]);
  expect(await keysOf()).toEqual([]);
});
