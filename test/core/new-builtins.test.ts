import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { knownBuiltins, takeNewBuiltinPacks } from '../../src/core/packs/new-builtins.js';
import { emptyState, StateStore, StateWriteError } from '../../src/core/workspace/state-store.js';
import type { Workspace } from '../../src/core/workspace/workspace.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-new-builtins-'));
});

/** A workspace with no pack enabled, so that every built-in pack it does not know of is new to it. */
function emptyWorkspace(): Workspace {
  const state = new StateStore(path.join(dir, '.llm-tutor', 'state.json'));
  return { dir, config: { formatVersion: 1, packs: [], options: {} }, packs: [], exercises: [], state } as unknown as Workspace;
}

describe('the built-in packs a workspace knows of', () => {
  test('as recorded; a progress file from before the record knows transformer-core and the packs it has versions of', () => {
    expect([...knownBuiltins({ ...emptyState(), builtinPacksKnown: ['training'] })]).toEqual(['training']);
    expect([...knownBuiltins({ ...emptyState(), packVersions: { course: '1.0.0' } })]).toEqual(['transformer-core', 'course']);
  });

  test('a built-in pack neither enabled nor known is offered once, and recorded', async () => {
    const ws = emptyWorkspace();
    await ws.state.write({ ...emptyState(), builtinPacksKnown: [] });
    const offered = await takeNewBuiltinPacks(ws);
    expect(offered).toContainEqual({ id: 'transformer-core', exercises: expect.any(Number), missing: [] });
    expect((await ws.state.read()).builtinPacksKnown).toEqual(offered.map((p) => p.id));
    expect(await takeNewBuiltinPacks(ws)).toEqual([]);
  });

  test('a workspace whose progress cannot be written is still told, and told again next time', async () => {
    const ws = emptyWorkspace();
    await ws.state.write({ ...emptyState(), builtinPacksKnown: [] });
    // As on a read-only folder: the state file reads, every write fails.
    ws.state.write = async () => {
      throw new StateWriteError(`Cannot save progress to ${ws.state.file}: the folder is read-only.`);
    };
    expect((await takeNewBuiltinPacks(ws)).map((p) => p.id)).toContain('transformer-core');
    expect((await takeNewBuiltinPacks(ws)).map((p) => p.id)).toContain('transformer-core');
    expect(JSON.parse(await fs.readFile(ws.state.file, 'utf8')).builtinPacksKnown).toEqual([]);
  });
});
