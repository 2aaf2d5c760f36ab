import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, promises as fs, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { UnsafeFileError } from '../../src/core/common/safe-read.js';
import { CorruptStateError, StateStore } from '../../src/core/workspace/state-store.js';

let dir: string;
let store: StateStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-state-'));
  store = new StateStore(path.join(dir, '.llm-tutor', 'state.json'));
});

describe('reading and writing', () => {
  test('a missing file reads as empty progress', async () => {
    expect(await store.read()).toEqual({ formatVersion: 1, packVersions: {}, packExercises: {}, exercises: {} });
  });

  test('update writes atomically and leaves no temp files behind', async () => {
    await store.update((s) => {
      s.exercises['p/a'] = { status: 'passed', attempts: 2, revealedHints: ['tier:1'], firstPassedAt: '2026-01-01T00:00:00.000Z' };
    });
    const again = await store.read();
    expect(again.exercises['p/a'].status).toBe('passed');
    expect(readdirSync(path.dirname(store.file))).toEqual(['state.json']);
  });

  test('updates started together each see the one before: a hint revealed while a grading is saved is kept (two stores of one file too)', async () => {
    const other = new StateStore(store.file);
    await Promise.all([
      store.update((s) => {
        s.exercises['p/a'] = { ...StateStore.progressOf(s, 'p/a'), attempts: StateStore.progressOf(s, 'p/a').attempts + 1, status: 'failed' };
      }),
      other.update((s) => {
        s.exercises['p/a'] = { ...StateStore.progressOf(s, 'p/a'), revealedHints: [...StateStore.progressOf(s, 'p/a').revealedHints, 'mistake:m'] };
      }),
      ...Array.from({ length: 8 }, (_, i) =>
        store.update((s) => {
          s.exercises[`p/e${i}`] = { status: 'pending', attempts: i, revealedHints: [] };
        }),
      ),
      store.update((s) => {
        s.exercises['p/a'] = { ...StateStore.progressOf(s, 'p/a'), status: 'passed' };
      }),
    ]);
    const state = await store.read();
    expect(state.exercises['p/a']).toMatchObject({ status: 'passed', attempts: 1, revealedHints: ['mistake:m'] });
    expect(Object.keys(state.exercises)).toHaveLength(9);
  });

  test('an update whose change throws rejects, and the updates queued after it still run', async () => {
    const failing = store.update(() => {
      throw new Error('boom');
    });
    const after = store.update((s) => {
      s.exercises['p/b'] = { status: 'passed', attempts: 1, revealedHints: [] };
    });
    await expect(failing).rejects.toThrow('boom');
    expect((await after).exercises['p/b'].status).toBe('passed');
  });

  test('concurrent updates never leave a torn file', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.write({ formatVersion: 1, packVersions: {}, packExercises: {}, exercises: { [`p/e${i}`]: { status: 'pending', attempts: i, revealedHints: [] } } }),
      ),
    );
    const state = await store.read();
    expect(Object.keys(state.exercises)).toHaveLength(1);
  });
});

describe('damaged files', () => {
  test('invalid JSON gives a clear error naming the file, keeps a backup, and does not reset', async () => {
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    const torn = '{"formatVersion": 1, "exercises": {"p/a": {"status": "pas';
    await fs.writeFile(store.file, torn);
    const error = await store.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptStateError);
    const e = error as CorruptStateError;
    expect(e.message).toContain(store.file);
    expect(e.message).toMatch(/damaged \(invalid JSON/);
    expect(e.next).toMatch(/doctor --repair/);
    expect(await fs.readFile(e.backup, 'utf8')).toBe(torn);
    // The damaged file is still there: nothing was reset.
    expect(await fs.readFile(store.file, 'utf8')).toBe(torn);
  });

  test('a schema violation names the field', async () => {
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    await fs.writeFile(store.file, JSON.stringify({ formatVersion: 1, exercises: { 'p/a': { status: 'won', attempts: 1, hintsRevealed: 0 } } }));
    const error = (await store.read().catch((e: unknown) => e)) as CorruptStateError;
    expect(error.message).toMatch(/exercises\.p\/a\.status/);
  });

  test('an empty file is reported as empty', async () => {
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    await fs.writeFile(store.file, '');
    const error = (await store.read().catch((e: unknown) => e)) as CorruptStateError;
    expect(error.message).toMatch(/the file is empty/);
  });

  test('repair keeps every entry that still validates and backs up the damaged file', async () => {
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    const text = JSON.stringify({
      formatVersion: 9,
      exercises: { 'p/a': { status: 'passed', attempts: 1, hintsRevealed: 0 }, 'p/b': { status: 'bogus' } },
    });
    await fs.writeFile(store.file, text);
    const result = await store.repair();
    expect(result).toMatchObject({ kept: 1, dropped: 1 });
    expect(existsSync(result.backup!)).toBe(true);
    const state = await store.read();
    expect(state.exercises['p/a'].status).toBe('passed');
    expect(state.exercises['p/b']).toBeUndefined();
  });

  test('repair keeps the built-in packs the workspace was told of, so none is offered again', async () => {
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    await fs.writeFile(store.file, JSON.stringify({ formatVersion: 9, builtinPacksKnown: ['transformer-core', 'training'] }));
    await store.repair();
    expect((await store.read()).builtinPacksKnown).toEqual(['transformer-core', 'training']);
  });
});

describe('modes and things that are not regular files', () => {
  const secret = 'root:$y$j9T$not-a-real-hash:19000:0:99999:7:::';
  const fix = 'run `llm-tutor doctor --repair` to move it aside and start a new progress file';

  test('the state file and its backups are private to their owner', async () => {
    await store.write({ formatVersion: 1, packVersions: {}, packExercises: {}, exercises: {} });
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    await fs.writeFile(store.file, '{"formatVersion": 1,');
    const error = (await store.read().catch((e: unknown) => e)) as CorruptStateError;
    expect(statSync(error.backup).mode & 0o777).toBe(0o600);
  });

  test('a link left at the backup name is not written through: the backup gets a name of its own', async () => {
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    const torn = '{"formatVersion": 1,';
    await fs.writeFile(store.file, torn);
    const hash = createHash('sha256').update(torn).digest('hex').slice(0, 8);
    const target = path.join(dir, 'planted');
    await fs.symlink(target, `${store.file}.corrupt-${hash}`);
    const error = (await store.read().catch((e: unknown) => e)) as CorruptStateError;
    expect(error.backup).toBe(`${store.file}.corrupt-${hash}-1`);
    expect(await fs.readFile(error.backup, 'utf8')).toBe(torn);
    expect(existsSync(target)).toBe(false);
  });

  test('a state file linked to a secret is refused: nothing is copied, nothing quoted, and repair moves the link aside', async () => {
    const secretFile = path.join(dir, 'shadow');
    await fs.writeFile(secretFile, secret);
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    await fs.symlink(secretFile, store.file);
    const error = (await store.read().catch((e: unknown) => e)) as UnsafeFileError;
    expect(error).toBeInstanceOf(UnsafeFileError);
    expect(error.message).toBe(`${store.file} is a symbolic link, which llm-tutor does not follow: ${fix}.`);
    expect(readdirSync(path.dirname(store.file))).toEqual(['state.json']);
    const repaired = await store.repair();
    expect(repaired).toEqual({ kept: 0, dropped: 0, movedAside: expect.stringMatching(/state\.json\.unsafe-[\dT-]+Z$/) });
    expect(lstatSync(repaired.movedAside!).isSymbolicLink()).toBe(true);
    expect(lstatSync(store.file).isFile()).toBe(true);
    expect(await store.read()).toEqual({ formatVersion: 1, packVersions: {}, packExercises: {}, exercises: {} });
    expect(await fs.readFile(secretFile, 'utf8')).toBe(secret);
  });

  test('a FIFO in place of the state file is refused at once, and repair moves it aside', async () => {
    await fs.mkdir(path.dirname(store.file), { recursive: true });
    execFileSync('mkfifo', [store.file]);
    const error = (await store.read().catch((e: unknown) => e)) as UnsafeFileError;
    expect(error.message).toBe(`${store.file} is a FIFO (named pipe), not a regular file: ${fix}.`);
    const repaired = await store.repair();
    expect(lstatSync(repaired.movedAside!).isFIFO()).toBe(true);
    expect(readdirSync(path.dirname(store.file)).sort()).toEqual(['state.json', path.basename(repaired.movedAside!)].sort());
  });

  test('a linked .llm-tutor folder is refused when the store knows its workspace', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    await fs.mkdir(elsewhere);
    await fs.writeFile(path.join(elsewhere, 'state.json'), secret);
    const ws = path.join(dir, 'ws');
    await fs.mkdir(ws);
    await fs.symlink(elsewhere, path.join(ws, '.llm-tutor'));
    const linked = new StateStore(path.join(ws, '.llm-tutor', 'state.json'), ws);
    const error = (await linked.read().catch((e: unknown) => e)) as UnsafeFileError;
    expect(error.message).toBe(`${linked.file} is inside .llm-tutor, a symbolic link, which llm-tutor does not follow: replace the link with the folder itself.`);
    // repair does not move a folder aside: the learner replaces the link.
    await expect(linked.repair()).rejects.toThrow(error.message);
    expect(readdirSync(elsewhere)).toEqual(['state.json']);
  });
});
