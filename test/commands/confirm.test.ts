import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { run } from '../../src/cli.js';
import { confirm, type Consent } from '../../src/commands/confirm.js';
import type { Io } from '../../src/commands/io.js';
import { InterruptedError, UserError } from '../../src/errors.js';
import { findExercise, readExerciseFile } from '../../src/core/packs/packs.js';
import { initWorkspace, learnerFileOf, type Workspace } from '../../src/core/workspace/workspace.js';

/** An Io whose terminal answers with `replies` in turn (none: no terminal), recording what it prints and asks. */
function scriptedIo(replies?: (string | undefined | Error)[]): Io & { questions: string[]; printed: string[] } {
  const questions: string[] = [];
  const printed: string[] = [];
  const ask = async (question: string) => {
    questions.push(question);
    const reply = replies!.shift();
    if (reply instanceof Error) throw reply;
    return reply;
  };
  return { out: (t) => printed.push(t), err: (t) => printed.push(t), isTTY: replies !== undefined, cwd: os.tmpdir(), ask: replies ? ask : undefined, questions, printed };
}

const consent: Consent = { question: 'Restore the starter?', action: '`llm-tutor reset` would overwrite softmax.ts' };

describe('confirm', () => {
  test.each([
    ['y', true],
    ['YES', true],
    [' yes ', true],
    ['n', false],
    ['no', false],
    ['', false],
    ['sure', false],
    [undefined, false],
  ])('in a terminal, %j answers %s (default no)', async (reply, agreed) => {
    const io = scriptedIo([reply]);
    expect(await confirm(io, consent)).toBe(agreed);
    expect(io.questions).toEqual(['Restore the starter? [y/N] ']);
  });

  test('a question whose default is yes shows [Y/n] and takes an empty reply as yes', async () => {
    const io = scriptedIo(['', 'n']);
    expect(await confirm(io, { ...consent, byDefault: 'yes' })).toBe(true);
    expect(await confirm(io, { ...consent, byDefault: 'yes' })).toBe(false);
    expect(io.questions).toEqual(['Restore the starter? [Y/n] ', 'Restore the starter? [Y/n] ']);
  });

  test('--yes agrees without asking, with or without a terminal', async () => {
    const io = scriptedIo([]);
    expect(await confirm(io, { ...consent, yes: true })).toBe(true);
    expect(io.questions).toEqual([]);
    expect(await confirm(scriptedIo(), { ...consent, yes: true })).toBe(true);
  });

  test('without a terminal and without --yes: a usage error of one line saying to add --yes', async () => {
    const error = await confirm(scriptedIo(), consent).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toBe('`llm-tutor reset` would overwrite softmax.ts, and there is no terminal to ask in: add --yes to confirm.');
    expect((error as UserError).next).toBeUndefined();
  });
});

describe('reset and solution --force, asked in a terminal', () => {
  let workspace: Workspace;
  let file: string;
  let starter: string;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-confirm-'));
    ({ workspace } = await initWorkspace(path.join(dir, 'ws'), ['transformer-core'], 1));
    const ref = findExercise(workspace.exercises, 'softmax');
    file = learnerFileOf(workspace, ref);
    starter = await readExerciseFile(ref, 'starter');
  });

  const cli = (io: Io, ...args: string[]) => run([...args, '--no-color', '--workspace', workspace.dir], io);

  test('reset declined (n, or Enter) changes nothing and exits 1', async () => {
    await fs.writeFile(file, '// my work\n');
    const io = scriptedIo(['n', '']);
    expect(await cli(io, 'reset', 'softmax')).toBe(1);
    expect(await cli(io, 'reset', 'softmax')).toBe(1);
    expect(io.questions).toEqual(Array(2).fill(`Restore the starter of transformer-core/foundations/softmax over ${path.relative(io.cwd, file)}? Your file is backed up first. [y/N] `));
    expect(io.printed).toEqual(['Nothing changed.', 'Nothing changed.']);
    expect(await fs.readFile(file, 'utf8')).toBe('// my work\n');
  });

  test('reset agreed to (y) restores the starter and keeps a backup', async () => {
    await fs.writeFile(file, '// my work\n');
    const io = scriptedIo(['y']);
    expect(await cli(io, 'reset', 'softmax')).toBe(0);
    expect(io.printed[0]).toBe(`Restored the starter of transformer-core/foundations/softmax in ${path.relative(io.cwd, file)}.`);
    expect(await fs.readFile(file, 'utf8')).toBe(starter);
  });

  test('Ctrl-C at the question exits 130 and changes nothing', async () => {
    await fs.writeFile(file, '// my work\n');
    const io = scriptedIo([new InterruptedError()]);
    expect(await cli(io, 'reset', 'softmax')).toBe(130);
    expect(io.printed).toEqual([]);
    expect(await fs.readFile(file, 'utf8')).toBe('// my work\n');
  });

  test('solution --force of an unsolved exercise asks; n shows nothing, y shows the solution', async () => {
    const io = scriptedIo(['n', 'y']);
    expect(await cli(io, 'solution', 'softmax', '--force')).toBe(1);
    expect(io.printed).toEqual(['Not shown.']);
    expect(await cli(io, 'solution', 'softmax', '--force')).toBe(0);
    expect(io.questions).toEqual(Array(2).fill('transformer-core/foundations/softmax does not pass yet. Show the model solution anyway? [y/N] '));
    expect(io.printed[1]).toBe('Model solution of transformer-core/foundations/softmax');
    expect(io.printed[2]).toContain('export function softmax');
  });
});
