import { execFileSync } from 'node:child_process';
import { lstatSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { makeWorkspace, regularFilesUnder, runCli, tempDir } from '../helpers/cli.js';

const stateFix = 'run `llm-tutor doctor --repair` to move it aside and start a new progress file.';

describe('workspace files that are not regular files', () => {
  test('a FIFO in place of state.json: list answers at once with one line and exit 1', async () => {
    const ws = await makeWorkspace();
    const stateFile = path.join(ws, '.llm-tutor', 'state.json');
    await fs.rm(stateFile);
    execFileSync('mkfifo', [stateFile]);
    const r = await runCli(['list', '--workspace', ws]);
    expect(r.stderr).toBe(`llm-tutor: ${stateFile} is a FIFO (named pipe), not a regular file: ${stateFix}\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
    expect(lstatSync(stateFile).isFIFO()).toBe(true);
  });

  test('state.json linked to a secret: nothing prints or copies it, and doctor --repair moves the link aside', async () => {
    const ws = await makeWorkspace();
    const secret = `secret-${Math.random().toString(36).slice(2)}-do-not-copy`;
    const secretFile = path.join(tempDir(), 'shadow');
    await fs.writeFile(secretFile, `${secret}\n`, { mode: 0o600 });
    const stateFile = path.join(ws, '.llm-tutor', 'state.json');
    await fs.rm(stateFile);
    await fs.symlink(secretFile, stateFile);

    const line = `${stateFile} is a symbolic link, which llm-tutor does not follow: ${stateFix}`;
    const list = await runCli(['list', '--workspace', ws]);
    expect(list.stderr).toBe(`llm-tutor: ${line}\n`);
    expect(list.code).toBe(1);
    const hint = await runCli(['hint', 'softmax', '--workspace', ws]);
    expect(hint.stderr).toBe(`llm-tutor: ${line}\n`);
    const doctor = await runCli(['doctor', '--workspace', ws]);
    expect(doctor.stdout).toContain(`✗ progress          ${line}\n`);
    expect(await fs.readdir(path.dirname(stateFile))).toEqual(['state.json']);

    const repaired = await runCli(['doctor', '--repair', '--workspace', ws]);
    expect(repaired.stdout).toMatch(/✓ progress +repaired: what was in place of the progress file is moved, unread, to .*state\.json\.unsafe-[\dT-]+Z; progress starts afresh\n/);
    const after = await runCli(['list', '--workspace', ws]);
    expect(after.code).toBe(0);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    for (const r of [list, hint, doctor, repaired, after]) expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
    for (const file of await regularFilesUnder(ws)) expect(await fs.readFile(file, 'utf8')).not.toContain(secret);
    expect(await fs.readFile(secretFile, 'utf8')).toBe(`${secret}\n`);
  });

  test('llm-tutor.json as a link or a folder: one line naming it and the fix', async () => {
    const ws = await makeWorkspace();
    const config = path.join(ws, 'llm-tutor.json');
    const fix = 'remove it, then run `llm-tutor init` in the workspace folder to write a new one (your exercise files are kept).';
    const real = path.join(tempDir(), 'llm-tutor.json');
    await fs.rename(config, real);
    await fs.symlink(real, config);
    const linked = await runCli(['list'], { cwd: ws });
    expect(linked.stderr).toBe(`llm-tutor: ${config} is a symbolic link, which llm-tutor does not follow: ${fix}\n`);
    expect(linked.code).toBe(1);
    await fs.rm(config);
    await fs.mkdir(config);
    const folder = await runCli(['list'], { cwd: ws });
    expect(folder.stderr).toBe(`llm-tutor: ${config} is a folder, not a regular file: ${fix}\n`);
  });
});
