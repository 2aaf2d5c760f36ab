import { execFileSync } from 'node:child_process';
import { promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot, tempDir } from '../helpers/cli.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the npm package', () => {
  test('npm pack gives a tarball that installs globally and runs llm-tutor from any folder', { timeout: 180_000 }, async () => {
    const out = tempDir('llm-tutor-pack-');
    execFileSync(npm, ['pack', '--pack-destination', out, '--ignore-scripts'], { cwd: repoRoot, stdio: 'pipe' });
    const tarball = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
    const prefix = path.join(out, 'prefix');
    execFileSync(npm, ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(out, tarball)], { stdio: 'pipe' });
    const bin = path.join(prefix, 'bin', 'llm-tutor');
    const elsewhere = tempDir('llm-tutor-anywhere-');
    const env = { ...process.env, NO_COLOR: '1', LLM_TUTOR_CACHE_DIR: path.join(out, 'cache') };
    const run = (...args: string[]) => execFileSync(bin, args, { cwd: elsewhere, env, encoding: 'utf8' });
    expect(run('--version').trim()).toBe(JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')).version);
    expect(run('init', 'ws', '--seed', '9')).toMatch(/^Created an llm-tutor workspace in ws with \d+ exercises/);
    const installed = path.join(prefix, 'lib', 'node_modules', 'llm-tutor');
    await fs.copyFile(path.join(installed, 'exercises', 'transformer-core', 'foundations', 'softmax', 'solution.ts'), path.join(elsewhere, 'ws', 'exercises', 'transformer-core', 'foundations', 'softmax.ts'));
    expect(run('check', 'softmax', '--workspace', 'ws')).toMatch(/^PASS transformer-core\/foundations\/softmax/);
  });
});
