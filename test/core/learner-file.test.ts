import path from 'node:path';
import { expect, test } from 'vitest';
import type { ExerciseRef } from '../../src/core/packs/packs.js';
import { exerciseOfFile, exercisesRootOf, learnerFileOf, type Workspace } from '../../src/core/workspace/workspace.js';

// The one rule for where a learner's file lives, which the tutor, class grading and pack validation share.
const ref = { packId: 'transformer-core', id: 'attention/causal-mask' } as ExerciseRef;

test('a learner file is exercises/<pack>/<exercise id>.ts under the workspace, or under a submission folder', () => {
  const dir = path.resolve('/class/alice');
  expect(exercisesRootOf({ dir })).toBe(path.join(dir, 'exercises'));
  expect(learnerFileOf({ dir }, ref)).toBe(path.join(dir, 'exercises', 'transformer-core', 'attention', 'causal-mask.ts'));
});

test('the file maps back to its exercise', () => {
  const workspace = { dir: path.resolve('/ws'), exercises: [ref] } as unknown as Workspace;
  expect(exerciseOfFile(workspace, learnerFileOf(workspace, ref))).toBe(ref);
  expect(exerciseOfFile(workspace, path.join(workspace.dir, 'exercises', 'causal-mask.ts'))).toBeUndefined();
});
