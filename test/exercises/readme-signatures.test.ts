import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { loadDefinition } from '../../src/core/packs/definitions.js';
import { listBuiltinPackIds } from '../../src/core/packs/packs.js';
import { builtinExercises } from '../helpers/exercises.js';

/** The `| # | id | function |` rows of a pack README's table of signatures, as id → signature. */
function readmeSignatures(packId: string): Map<string, string> {
  const readme = readFileSync(path.join(builtinPacksDir, packId, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| \d+ \| ([a-z0-9/-]+) \| `(.+)` \|$/gm)];
  return new Map(rows.map((m) => [m[1], m[2].replace(/\\\|/g, '|')]));
}

/** The built-in packs whose README fixes their signatures (every pack after transformer-core, whose signatures CURRICULUM.md fixed). */
const packsWithReadme = (await listBuiltinPackIds()).filter((id) => existsSync(path.join(builtinPacksDir, id, 'README.md')));

test('every built-in pack after transformer-core has a README that fixes its signatures', async () => {
  expect(packsWithReadme).toEqual((await listBuiltinPackIds()).filter((id) => id !== 'transformer-core'));
  for (const id of packsWithReadme) expect(readmeSignatures(id).size, id).toBeGreaterThan(0);
});

describe.each(packsWithReadme)('the %s pack keeps the signatures its README fixed', (packId) => {
  test('every exercise, in the README order, with the signature the README gives', async () => {
    const fixed = readmeSignatures(packId);
    const refs = await builtinExercises(packId);
    expect(refs.map((r) => r.id)).toEqual([...fixed.keys()]);
    for (const ref of refs) {
      // An exercise of two exports lists both signatures in its row: `f(…)` and `g(…)`.
      const definition = await loadDefinition(ref);
      const signatures = [definition.signature, ...(definition.otherExports ?? []).map((e) => e.signature)];
      expect(signatures.join('` and `'), ref.id).toBe(fixed.get(ref.id));
    }
  });
});
