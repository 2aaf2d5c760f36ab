import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { create } from 'tar';
import { beforeAll, describe, expect, test } from 'vitest';
import { builtinPackIds, learnerFile, repoRoot, runCli, tempDir } from '../helpers/cli.js';

// `grade --pack` takes what `pack add` takes: a built-in id, a folder, a .tgz made by `npm pack`, an npm package name.
let root: string;
let tmp: string;
const features = path.join(repoRoot, 'fixtures', 'packs', 'features');

beforeAll(async () => {
  root = tempDir('llm-tutor-grade-packs-');
  // The tarball as `npm pack` lays it out: the pack's files under package/.
  await fs.cp(features, path.join(root, 'src', 'package'), { recursive: true });
  await create({ gzip: true, file: path.join(root, 'features-1.0.0.tgz'), cwd: path.join(root, 'src') }, ['package']);
  const ws = path.join(root, 'class', 'alice');
  const init = await runCli(['init', ws, '--seed', '1']);
  if (init.code !== 0) throw new Error(init.stderr);
  const file = learnerFile(ws, 'stream/total', 'features');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.copyFile(path.join(features, 'stream', 'total', 'solution.ts'), file);
  tmp = path.join(root, 'tmp');
  await fs.mkdir(tmp);
}, 60_000);

/** `grade class --pack PACK` from the class's parent folder, with a temp folder of its own to look into afterwards. */
function gradeWith(pack: string, extra: string[] = [], env: Record<string, string> = {}) {
  return runCli(['grade', 'class', '--pack', pack, '--seed', '7', ...extra], { cwd: root, env: { TMPDIR: tmp, ...env } });
}

describe('grade --pack', () => {
  test('a .tgz made by npm pack is graded against, named as pack add names it, and its unpacked copy is removed', { timeout: 120_000 }, async () => {
    const r = await gradeWith('features-1.0.0.tgz', ['--reporter', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results.packs).toEqual([{ id: 'features', version: '1.0.0' }]);
    expect(results.submissions.map((s: { id: string; status: string; passed: number; total: number }) => [s.id, s.status, s.passed, s.total])).toEqual([['alice', 'pass', 1, 1]]);
    expect(readdirSync(tmp).filter((name) => name.startsWith('llm-tutor-pack-'))).toEqual([]);
  });

  test('a file that is neither a folder nor a .tgz is refused in one line', async () => {
    const r = await gradeWith('./class/alice/llm-tutor.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`llm-tutor: No pack at ${path.join(root, 'class', 'alice', 'llm-tutor.json')}: not a folder or a .tgz file.\nPass a pack folder, a .tgz made by \`npm pack\`, or an npm package name.\n`);
  });

  test('outside a workspace, a name that is no built-in pack is looked up with npm, and no llm-tutor.json is named', async () => {
    // npm offline: the lookup fails at once, without the network.
    const r = await gradeWith('my-course', [], { npm_config_offline: 'true' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^llm-tutor: Could not fetch the pack "my-course" with npm: .+\.\nCheck the package name, or pass a folder or a \.tgz file\.\n$/);
    expect(r.stderr).not.toContain('llm-tutor.json');
    expect(readdirSync(tmp).filter((name) => name.startsWith('llm-tutor-pack-'))).toEqual([]);
  });

  test('init --packs with an unknown pack names no llm-tutor.json that does not exist yet', async () => {
    const dir = path.join(root, 'new-ws');
    const r = await runCli(['init', dir, '--packs', 'my-course']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`llm-tutor: Unknown pack "my-course".\nBuilt-in packs: ${builtinPackIds.join(', ')}. A pack of your own is given by its folder path.\n`);
    expect(existsSync(path.join(dir, 'llm-tutor.json'))).toBe(false);
  });
});
