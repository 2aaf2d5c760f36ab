import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { loadDefinition } from '../../../src/core/packs/definitions.js';
import { builtinExercises } from '../../helpers/exercises.js';

/** The `| # | id | function |` rows of a pack README's table of signatures, as id → signature. */
function readmeSignatures(packId: string): Map<string, string> {
  const readme = readFileSync(path.join(builtinPacksDir, packId, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| \d+ \| ([a-z0-9/-]+) \| `(.+)` \|$/gm)];
  return new Map(rows.map((m) => [m[1], m[2].replace(/\\\|/g, '|')]));
}

describe('the training pack keeps the signatures its README fixed', () => {
  test('every exercise, in the README order, with the signature the README gives', async () => {
    const fixed = readmeSignatures('training');
    const refs = await builtinExercises('training');
    expect(refs.map((r) => r.id)).toEqual([...fixed.keys()]);
    for (const ref of refs) expect((await loadDefinition(ref)).signature, ref.id).toBe(fixed.get(ref.id));
  });
});
