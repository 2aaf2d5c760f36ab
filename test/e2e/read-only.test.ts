import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { bin, makeWorkspace } from '../helpers/cli.js';

/**
 * Runs llm-tutor commands where the workspace's folder is mounted read-only (in a mount
 * namespace of this test's own, so it works as root, whom file permissions do not stop).
 */
function inReadOnly(folder: string, commands: string[][]): { code: number; stdout: string; stderr: string }[] {
  const script = [
    `mount --bind ${JSON.stringify(folder)} ${JSON.stringify(folder)}`,
    `mount -o remount,bind,ro ${JSON.stringify(folder)}`,
    ...commands.map((args, i) => `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} ${args.map((a) => JSON.stringify(a)).join(' ')} >out-${i} 2>err-${i}; echo $? >code-${i}`),
  ].join(' && ');
  // Outputs go to a writable temp folder, read back after the namespace is gone.
  const outDir = path.join(path.dirname(folder), `out-${Date.now()}`);
  fs.mkdirSync(outDir, { recursive: true });
  const run = spawnSync('unshare', ['--mount', '--map-root-user', 'sh', '-c', script], { cwd: outDir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LLM_TUTOR_COMMAND: 'llm-tutor' } });
  if (run.status !== 0) throw new Error(run.stderr);
  return commands.map((_, i) => ({
    code: Number(fs.readFileSync(path.join(outDir, `code-${i}`), 'utf8')),
    stdout: fs.readFileSync(path.join(outDir, `out-${i}`), 'utf8'),
    stderr: fs.readFileSync(path.join(outDir, `err-${i}`), 'utf8'),
  }));
}

describe('a workspace on a read-only folder', () => {
  test('each command gets one clear line and the right exit code, and check still shows its verdict', async () => {
    const ws = await makeWorkspace();
    const [init, check, hint, list] = inReadOnly(ws, [['init', path.join(ws, 'inner')], ['check', 'softmax', '--workspace', ws], ['hint', 'softmax', '--workspace', ws], ['list', '--workspace', ws]]);
    expect(init.code, `${init.stdout}${init.stderr}`).toBe(1);
    expect(init.stderr).toBe(`llm-tutor: Cannot create a workspace in ${path.join(ws, 'inner')}: the file system is read-only.\nChoose a folder you can write to: \`llm-tutor init <dir>\`.\n`);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^ERROR transformer-core\/foundations\/softmax/);
    expect(check.stdout).toContain(`Note: Cannot save progress to ${path.join(ws, '.llm-tutor', 'state.json')}: the file system is read-only.`);
    expect(hint.code).toBe(1);
    expect(hint.stderr).toMatch(/^llm-tutor: Cannot save progress to .*: the file system is read-only\.\n/);
    expect(list.code).toBe(0);
  });
});
