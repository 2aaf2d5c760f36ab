import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { extract, list } from 'tar';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, makeWorkspace, runCli, tempDir } from '../helpers/cli.js';

// `pack build --no-solutions`: a course build, from which learners cannot read the model solutions.
let root: string;
let source: string;

/** The paths a tarball holds, in its order. */
async function entriesOf(file: string): Promise<string[]> {
  const paths: string[] = [];
  await list({ file, onReadEntry: (entry) => void paths.push(entry.path) });
  return paths;
}

/** `pack build` run from `root`. */
const build = (args: string[]) => runCli(['pack', 'build', ...args], { cwd: root });

beforeAll(async () => {
  root = tempDir('llm-tutor-pack-build-');
  source = path.join(root, 'my-course');
  const created = await runCli(['pack', 'new', source]);
  if (created.code !== 0) throw new Error(created.stderr);
  // What an author's folder also holds, and no build should: installed packages and their lock file, git, an earlier build.
  await fs.mkdir(path.join(source, 'node_modules', 'llm-tutor'), { recursive: true });
  await fs.writeFile(path.join(source, 'node_modules', 'llm-tutor', 'index.js'), '');
  await fs.mkdir(path.join(source, '.git'));
  await fs.writeFile(path.join(source, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await fs.writeFile(path.join(source, 'llm-tutor-pack-my-course-0.0.9.tgz'), '');
  await fs.writeFile(path.join(source, 'package-lock.json'), '{}');
}, 60_000);

const packFiles = ['README.md', 'basics/relu/exercise.ts', 'basics/relu/lesson.md', 'basics/relu/solution.ts', 'basics/relu/starter.ts', 'env.d.ts', 'pack.json', 'package.json', 'tsconfig.json'];

describe('pack build', () => {
  test('without --no-solutions: every file of the pack but node_modules, dot-files and earlier builds, named as npm pack names it', async () => {
    const r = await build(['my-course']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Built my-course 0.1.0 with its model solutions: llm-tutor-pack-my-course-0.1.0.tgz, 9 files.\n' +
        'Learners enable it with `llm-tutor pack add llm-tutor-pack-my-course-0.1.0.tgz`; `npm publish llm-tutor-pack-my-course-0.1.0.tgz` publishes it.\n',
    );
    const file = path.join(root, 'llm-tutor-pack-my-course-0.1.0.tgz');
    expect(await entriesOf(file)).toEqual(packFiles.map((f) => `package/${f}`));
    // The same files build to the same bytes.
    const first = readFileSync(file);
    await build(['my-course']);
    expect(readFileSync(file).equals(first)).toBe(true);
  });

  test('--no-solutions leaves out every solution.ts and says so in pack.json', async () => {
    const r = await build(['my-course', '--no-solutions', '--out', 'dist/course.tgz']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Built my-course 0.1.0 without its model solutions (1 solution file left out): dist/course.tgz, 8 files.\n' +
        'Learners enable it with `llm-tutor pack add dist/course.tgz`; `npm publish dist/course.tgz` publishes it.\n',
    );
    const file = path.join(root, 'dist', 'course.tgz');
    expect(await entriesOf(file)).toEqual(packFiles.filter((f) => !f.endsWith('solution.ts')).map((f) => `package/${f}`));
    expect(existsSync(path.join(source, 'basics', 'relu', 'solution.ts'))).toBe(true);
    // No partial file is left beside it.
    expect(readdirSync(path.join(root, 'dist'))).toEqual(['course.tgz']);
  });

  test('a folder that holds no pack is one line', async () => {
    const r = await build([path.join(root, 'nothing-here')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`llm-tutor: Pack folder not found: ${path.join(root, 'nothing-here')}\nCheck the path, or run \`llm-tutor pack list\`.\n`);
  });
});

describe('a course build, validated and installed', () => {
  let course: string;

  beforeAll(async () => {
    const r = await build(['my-course', '--no-solutions', '--out', 'course.tgz']);
    if (r.code !== 0) throw new Error(r.stderr);
    course = path.join(root, 'course.tgz');
  });

  test('validate accepts the built folder without solutions; the source still needs its solution.ts', { timeout: 120_000 }, async () => {
    const unpacked = path.join(root, 'unpacked');
    await fs.mkdir(unpacked);
    await extract({ file: course, cwd: unpacked, strip: 1 });
    const built = await runCli(['pack', 'validate', unpacked]);
    expect(built.stdout).toContain('✓ basics/relu: 2 misconceptions, 2 hints\n');
    expect(built.stdout).toContain('my-course 0.1.0 is valid: 1 exercise; every reference runs, no model solutions (a course build), every starter fails');
    expect(built.code).toBe(0);

    const stripped = path.join(root, 'stripped');
    await fs.cp(source, stripped, { recursive: true });
    await fs.rm(path.join(stripped, 'basics', 'relu', 'solution.ts'));
    const missing = await runCli(['pack', 'validate', stripped, '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).problems).toEqual([{ file: path.join(stripped, 'basics', 'relu', 'solution.ts'), field: 'exercises[0]', message: 'missing solution', fix: 'Add solution.ts to basics/relu/.' }]);
  });

  test('a manifest without solutions beside a solution.ts is valid, with a warning that learners can read it', { timeout: 120_000 }, async () => {
    const leaky = path.join(root, 'leaky');
    await fs.cp(source, leaky, { recursive: true });
    const manifest = path.join(leaky, 'pack.json');
    await fs.writeFile(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), solutions: false }));
    const r = await runCli(['pack', 'validate', 'leaky'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '! leaky/basics/relu/solution.ts: pack.json says "solutions": false, yet this model solution is in the folder: learners who install the pack can read it\n' +
        '    fix: Remove it, or build the pack with `llm-tutor pack build --no-solutions`, which leaves every solution.ts out.\n',
    );
  });

  test('pack add installs no solution; check grades; solution and hint say there is none', { timeout: 120_000 }, async () => {
    const ws = await makeWorkspace();
    const added = await runCli(['pack', 'add', course, '--workspace', ws]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Enabled my-course 0.1.0 (My course): 1 exercise, without model solutions.\n');
    const installed = path.join(ws, '.llm-tutor', 'packs', 'my-course', 'basics', 'relu');
    expect((await fs.readdir(installed)).sort()).toEqual(['exercise.ts', 'lesson.md', 'starter.ts']);

    const file = learnerFile(ws, 'basics/relu', 'my-course');
    await fs.writeFile(file, 'export function relu(x: Vector): Vector {\n  return x.map((v) => Math.max(0, v));\n}\n');
    const checked = await runCli(['check', 'my-course/basics/relu', '--workspace', ws]);
    expect(checked.stdout).toMatch(/^PASS my-course\/basics\/relu/);
    expect(checked.code).toBe(0);

    const line = 'llm-tutor: The pack "my-course" does not ship its model solutions, so there is none to show for basics/relu.\n';
    for (const args of [['solution', 'basics/relu'], ['solution', 'basics/relu', '--force', '--yes']]) {
      const shown = await runCli([...args, '--workspace', ws]);
      expect(shown.stdout).toBe('');
      expect(shown.stderr).toBe(line);
      expect(shown.code).toBe(1);
    }

    // Two hints: the third call reveals none.
    for (let i = 0; i < 2; i++) await runCli(['hint', 'basics/relu', '--workspace', ws]);
    const last = await runCli(['hint', 'basics/relu', '--workspace', ws]);
    expect(last.stdout).toMatch(/\nThat was the last hint\.\n$/);
  });
});
