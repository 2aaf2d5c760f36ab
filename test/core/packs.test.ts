import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { FileError, UserError } from '../../src/errors.js';
import { exerciseRefs, findExercise, inSyllabusOrder, loadPack, orderByRequires, trackOf, type Pack } from '../../src/core/packs/packs.js';

let dir: string;
const valid = {
  formatVersion: 1,
  id: 'my-pack',
  title: 'Mine',
  version: '1.0.0',
  exercises: [
    { id: 'basics/relu', title: 'ReLU' },
    { id: 'basics/gelu', title: 'GELU' },
  ],
};

async function writeManifest(content: unknown): Promise<string> {
  await fs.writeFile(path.join(dir, 'pack.json'), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path.join(dir, 'pack.json');
}

async function loadError(content: unknown): Promise<FileError> {
  await writeManifest(content);
  const error = await loadPack(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FileError);
  return error as FileError;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-pack-'));
});

describe('pack.json schema errors name the file and the field', () => {
  test('a valid manifest loads with defaults filled in', async () => {
    await writeManifest(valid);
    const pack = await loadPack(dir);
    expect(pack.manifest.requires).toEqual({ packs: [] });
    expect(pack.manifest.description).toBe('');
  });

  test('bad JSON gives the line and column', async () => {
    const error = await loadError('{\n  "id": "x",\n  oops\n}');
    expect(error.file).toBe(path.join(dir, 'pack.json'));
    expect(error.message).toMatch(/invalid JSON at line 3, column 3/);
  });

  test('an unknown field is named with the fix', async () => {
    const error = await loadError({ ...valid, autor: 'me' });
    expect(error.issues).toEqual([{ path: '', message: 'unknown field "autor": remove it or check the spelling' }]);
  });

  test('a missing field is named', async () => {
    const { title: _title, ...rest } = valid;
    const error = await loadError(rest);
    expect(error.issues[0].path).toBe('title');
    expect(error.issues[0].message).toMatch(/missing/);
  });

  test('a duplicate exercise id is reported at its index', async () => {
    const error = await loadError({ ...valid, exercises: [...valid.exercises, { id: 'basics/relu', title: 'again' }] });
    expect(error.issues).toEqual([{ path: 'exercises[2].id', message: 'duplicate exercise id "basics/relu"' }]);
  });

  test('a bad id, version and formatVersion are each reported', async () => {
    const error = await loadError({ ...valid, formatVersion: 2, version: 'one', exercises: [{ id: 'Basics/ReLU', title: 'x' }] });
    const paths = error.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['exercises[0].id', 'formatVersion', 'version']);
    expect(error.message.startsWith(`${path.join(dir, 'pack.json')}: `)).toBe(true);
  });
});

describe('finding exercises', () => {
  test('by full key, id, unique suffix or number; ambiguous and unknown ids are user errors', async () => {
    await writeManifest(valid);
    const refs = exerciseRefs([await loadPack(dir)]);
    expect(findExercise(refs, 'my-pack/basics/gelu').id).toBe('basics/gelu');
    expect(findExercise(refs, 'basics/relu').id).toBe('basics/relu');
    expect(findExercise(refs, 'gelu').id).toBe('basics/gelu');
    expect(findExercise(refs, '2').id).toBe('basics/gelu');
    expect(() => findExercise(refs, '3')).toThrow(/No exercise number 3: there are 2/);
    expect(() => findExercise(refs, 'basics')).toThrow(UserError);
    expect(() => findExercise(refs, 'softmax')).toThrow(/Unknown exercise "softmax"/);
  });
});

describe('the order of packs', () => {
  const pack = (id: string, requires: string[] = []) => ({ dir: `/p/${id}`, builtin: true, manifest: { id, requires: { packs: requires } } }) as unknown as Pack;
  const ids = (packs: Pack[]) => packs.map((p) => p.manifest.id);

  test('built-in packs sort in syllabus order, those it does not name after them by id', () => {
    expect(inSyllabusOrder(['zeta', 'mini-gpt', 'training', 'alpha', 'transformer-core', 'inference'])).toEqual(['transformer-core', 'training', 'inference', 'mini-gpt', 'alpha', 'zeta']);
  });

  test('a pack comes after the enabled packs it requires, the others keeping their order', () => {
    expect(ids(orderByRequires([pack('training', ['transformer-core']), pack('course'), pack('transformer-core')]))).toEqual(['course', 'transformer-core', 'training']);
    expect(ids(orderByRequires([pack('a'), pack('b', ['missing'])]))).toEqual(['a', 'b']);
  });

  test('packs that require each other keep their given order', () => {
    expect(ids(orderByRequires([pack('x', ['y']), pack('y', ['x'])]))).toEqual(['x', 'y']);
  });

  test("an exercise's track is its id's first segment", () => {
    expect(trackOf('attention/causal-mask')).toBe('attention');
    expect(trackOf('a/b/c')).toBe('a');
    expect(trackOf('matmul')).toBeUndefined();
  });
});
