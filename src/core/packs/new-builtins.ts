import path from 'node:path';
import { builtinPacksDir } from '../common/paths.js';
import type { State } from '../common/schemas.js';
import { StateWriteError } from '../workspace/state-store.js';
import type { Workspace } from '../workspace/workspace.js';
import { inSyllabusOrder, listBuiltinPackIds, loadPack } from './packs.js';

/** A built-in pack that shipped after the workspace was made, and is not enabled in it. */
export interface NewBuiltinPack {
  id: string;
  exercises: number;
  /** The packs it requires that the workspace has not enabled, in syllabus order: to enable first. */
  missing: string[];
}

/** The built-in packs that shipped with every llm-tutor that wrote progress files without `builtinPacksKnown`. */
const builtinsBeforeTheRecord = ['transformer-core'];

/**
 * The built-in packs a workspace knows of: as its progress file records them,
 * else (a file written before that record) the packs that shipped then and
 * those it has enabled at some point.
 */
export function knownBuiltins(state: State): Set<string> {
  return new Set(state.builtinPacksKnown ?? [...builtinsBeforeTheRecord, ...Object.keys(state.packVersions)]);
}

/**
 * Records the built-in packs now known. A workspace whose progress file
 * cannot be written (a read-only folder) still runs its command, and is
 * offered the packs again next time.
 */
async function recordKnown(workspace: Workspace, builtins: readonly string[], told: readonly string[]): Promise<void> {
  try {
    await workspace.state.update((state) => {
      state.builtinPacksKnown = builtins.filter((id) => knownBuiltins(state).has(id) || told.includes(id));
    });
  } catch (error) {
    if (!(error instanceof StateWriteError)) throw error;
  }
}

/**
 * The built-in packs that this workspace has neither enabled nor been told
 * of, recorded as told of (in one atomic write of the progress file), so
 * that each is offered once. Returns them in syllabus order; none when every
 * built-in pack is enabled or known.
 */
export async function takeNewBuiltinPacks(workspace: Workspace): Promise<NewBuiltinPack[]> {
  const builtins = await listBuiltinPackIds();
  const enabled = new Set(workspace.packs.map((p) => p.manifest.id));
  const known = knownBuiltins(await workspace.state.read());
  const fresh = builtins.filter((id) => !enabled.has(id) && !known.has(id));
  if (fresh.length === 0) return [];
  await recordKnown(workspace, builtins, [...enabled, ...fresh]);
  const offered: NewBuiltinPack[] = [];
  for (const id of fresh) {
    const { manifest } = await loadPack(path.join(builtinPacksDir, id), true);
    offered.push({ id, exercises: manifest.exercises.length, missing: inSyllabusOrder(manifest.requires.packs.filter((needed) => !enabled.has(needed))) });
  }
  return offered;
}
