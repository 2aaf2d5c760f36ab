import { execFileSync } from 'node:child_process';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { beforeEach, describe, expect, test } from 'vitest';
import { parseJsonWith, readJsonFile } from '../../src/core/common/json-file.js';
import { findExercise } from '../../src/core/packs/packs.js';
import { resetExercise } from '../../src/core/workspace/reset.js';
import { checkRegularFile, readRegularFile, readRegularFileBytes, UnsafeFileError } from '../../src/core/common/safe-read.js';
import { initWorkspace, learnerFileOf } from '../../src/core/workspace/workspace.js';

let dir: string;
const secret = 'root:$y$j9T$not-a-real-hash:19000:0:99999:7:::';
const options = { maxBytes: 1024, fix: 'remove it' };

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-safe-read-'));
});

/** The error a read rejects with (the test fails if it resolves). */
async function refusal(read: Promise<unknown>): Promise<UnsafeFileError> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnsafeFileError);
  return error as UnsafeFileError;
}

describe('readRegularFile', () => {
  test('reads a regular file, and gives undefined for a missing one', async () => {
    const file = path.join(dir, 'a.json');
    await fs.writeFile(file, '{"a": 1}\n');
    expect(await readRegularFile(file, options)).toBe('{"a": 1}\n');
    expect(await readRegularFileBytes(file, options)).toEqual(Buffer.from('{"a": 1}\n'));
    expect(await readRegularFile(path.join(dir, 'none.json'), options)).toBeUndefined();
    expect(await readRegularFile(path.join(dir, 'none', 'a.json'), { ...options, within: dir })).toBeUndefined();
  });

  test('a file of exactly the limit is read; one byte more is refused with the sizes', async () => {
    const file = path.join(dir, 'big.json');
    await fs.writeFile(file, 'x'.repeat(1024));
    expect(await readRegularFile(file, options)).toHaveLength(1024);
    await fs.writeFile(file, 'x'.repeat(1536));
    const error = await refusal(readRegularFile(file, options));
    expect(error.reason).toBe('too-large');
    expect(error.message).toBe(`${file} is 1.5 KiB, over the 1 KiB limit for this file: remove it.`);
    expect(error.exitCode).toBe(1);
  });

  test('sizes in MiB are rounded up, so an oversized file never reads as the limit', async () => {
    const file = path.join(dir, 'state.json');
    const handle = await fs.open(file, 'w');
    await handle.truncate(16 * 1024 * 1024 + 1);
    await handle.close();
    const error = await refusal(readRegularFile(file, { maxBytes: 16 * 1024 * 1024, fix: 'move it aside', label: 'state.json' }));
    expect(error.message).toBe('state.json is 16.1 MiB, over the 16 MiB limit for this file: move it aside.');
  });

  test('a FIFO is refused at once, without waiting for a writer', async () => {
    const fifo = path.join(dir, 'state.json');
    execFileSync('mkfifo', [fifo]);
    const error = await refusal(readRegularFile(fifo, options));
    expect(error.reason).toBe('fifo');
    expect(error.file).toBe(fifo);
    expect(error.message).toBe(`${fifo} is a FIFO (named pipe), not a regular file: remove it.`);
    expect((await refusal(checkRegularFile(fifo, options))).message).toBe(error.message);
  });

  test('a symbolic link is refused, whether it points to a file, a missing file or a folder, and its target is never read', async () => {
    const target = path.join(dir, 'secret.txt');
    await fs.writeFile(target, secret);
    const link = path.join(dir, 'state.json');
    for (const to of [target, path.join(dir, 'nowhere'), dir]) {
      await fs.rm(link, { force: true });
      await fs.symlink(to, link);
      const error = await refusal(readRegularFile(link, { ...options, label: '.llm-tutor/state.json' }));
      expect(error.reason).toBe('symlink');
      expect(error.message).toBe('.llm-tutor/state.json is a symbolic link, which llm-tutor does not follow: remove it.');
    }
  });

  test('a folder is refused', async () => {
    const folder = path.join(dir, 'llm-tutor.json');
    await fs.mkdir(folder);
    const error = await refusal(readRegularFile(folder, options));
    expect(error.reason).toBe('folder');
    expect(error.message).toBe(`${folder} is a folder, not a regular file: remove it.`);
  });

  test('a device is refused without being read', async () => {
    const error = await refusal(readRegularFile('/dev/zero', { ...options, label: 'zero' }));
    expect(error.reason).toBe('device');
    expect(error.message).toBe('zero is a device, not a regular file: remove it.');
  });

  test('a linked folder between `within` and the file is refused with its own fix', async () => {
    const real = path.join(dir, 'elsewhere');
    await fs.mkdir(real);
    await fs.writeFile(path.join(real, 'state.json'), secret);
    const ws = path.join(dir, 'ws');
    await fs.mkdir(ws);
    await fs.symlink(real, path.join(ws, '.llm-tutor'));
    const file = path.join(ws, '.llm-tutor', 'state.json');
    const error = await refusal(readRegularFile(file, { ...options, within: ws, label: 'ws/.llm-tutor/state.json' }));
    expect(error.reason).toBe('linked-folder');
    expect(error.message).toBe('ws/.llm-tutor/state.json is inside .llm-tutor, a symbolic link, which llm-tutor does not follow: replace the link with the folder itself.');
    // Without `within` only the last component is checked.
    expect(await readRegularFile(file, options)).toBe(secret);
  });

  test('a label with line breaks stays on one line', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const error = await refusal(readRegularFile(fifo, { ...options, label: 'evil\nname/llm-tutor.json' }));
    expect(error.message).toBe('evil name/llm-tutor.json is a FIFO (named pipe), not a regular file: remove it.');
  });
});

describe('JSON files', () => {
  const schema = z.object({ a: z.number() });

  test('readJsonFile goes through the same checks', async () => {
    const fifo = path.join(dir, 'llm-tutor.json');
    execFileSync('mkfifo', [fifo]);
    const error = await refusal(readJsonFile(fifo, schema, { fix: 'remove it' }));
    expect(error.message).toBe(`${fifo} is a FIFO (named pipe), not a regular file: remove it.`);
  });

  test('a bad character is located by line and column, and the text around it is never quoted', () => {
    expect(() => parseJsonWith(`{\n  "a": ${secret}\n}`, schema, 'f.json')).toThrow(/^f\.json: invalid JSON at line 2, column 8$/);
    expect(() => parseJsonWith('{"a": 1} tail', schema, 'f.json')).toThrow(/^f\.json: invalid JSON at line 1, column 10$/);
    expect(() => parseJsonWith('{"a": [1, 2', schema, 'f.json')).toThrow(/^f\.json: invalid JSON at line 1, column 12$/);
  });
});

describe('reset', () => {
  test('a FIFO in place of the learner file is refused, and nothing is changed', async () => {
    const { workspace } = await initWorkspace(path.join(dir, 'ws'), ['transformer-core'], 1);
    const ref = findExercise(workspace.exercises, 'softmax');
    const file = learnerFileOf(workspace, ref);
    await fs.rm(file);
    execFileSync('mkfifo', [file]);
    const error = await refusal(resetExercise(workspace, ref));
    expect(error.message).toBe(`${file} is a FIFO (named pipe), not a regular file: move it out of the workspace, then run \`llm-tutor reset foundations/softmax\` again.`);
    expect(await fs.readdir(path.join(workspace.dir, '.llm-tutor'))).toEqual(['state.json']);
  });

  test('the backup of a regular learner file holds its bytes, private to the learner', async () => {
    const { workspace } = await initWorkspace(path.join(dir, 'ws'), ['transformer-core'], 1);
    const ref = findExercise(workspace.exercises, 'softmax');
    await fs.writeFile(learnerFileOf(workspace, ref), 'export const mine = 1;\n');
    const backup = await resetExercise(workspace, ref);
    expect(await fs.readFile(backup!, 'utf8')).toBe('export const mine = 1;\n');
    expect((await fs.stat(backup!)).mode & 0o777).toBe(0o600);
  });
});
