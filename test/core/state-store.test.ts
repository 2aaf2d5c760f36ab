import { existsSync, mkdtempSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { CorruptStateError, StateStore } from '../../src/core/state-store.js';

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
      s.exercises['p/a'] = { status: 'passed', attempts: 2, hintsRevealed: 1, firstPassedAt: '2026-01-01T00:00:00.000Z' };
    });
    const again = await store.read();
    expect(again.exercises['p/a'].status).toBe('passed');
    expect(readdirSync(path.dirname(store.file))).toEqual(['state.json']);
  });

  test('concurrent updates never leave a torn file', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.write({ formatVersion: 1, packVersions: {}, packExercises: {}, exercises: { [`p/e${i}`]: { status: 'pending', attempts: i, hintsRevealed: 0 } } }),
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
});
