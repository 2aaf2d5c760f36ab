import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildBundle, bundleLearnerFile } from '../../src/sandbox/bundle.js';
import { honestSoftmax, hostileCases, newMarker, ownImports, secretContent, type HostileTree } from '../helpers/hostile-bundling.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bundle-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const marker = newMarker();

let trees = 0;
/** A workspace with an honest softmax.ts, a secret beside it and a classmate's workspace. */
async function newTree(): Promise<HostileTree & { root: string; out: string }> {
  const dir = path.join(base, `t${trees++}`);
  const root = path.join(dir, 'ws', 'exercises');
  const learner = path.join(root, 'transformer-core', 'foundations', 'softmax.ts');
  await fs.mkdir(path.dirname(learner), { recursive: true });
  await fs.writeFile(learner, honestSoftmax);
  const secretFile = path.join(dir, 'secret.txt');
  await fs.writeFile(secretFile, secretContent(marker));
  const classmateFile = path.join(dir, 'classmate', 'exercises', 'transformer-core', 'foundations', 'softmax.ts');
  await fs.mkdir(path.dirname(classmateFile), { recursive: true });
  await fs.writeFile(classmateFile, `// ${marker}\n${honestSoftmax}`);
  return { learner, secretFile, classmateFile, root, out: path.join(dir, 'out', 'bundle.mjs') };
}

/** The learner files an inline source map names, as absolute paths. */
function sourcesOf(bundle: string): string[] {
  const code = readFileSync(bundle, 'utf8');
  const encoded = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(code)![1];
  const map = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { sources: string[] };
  return map.sources.map((s) => path.resolve(path.dirname(bundle), s));
}

/** The esbuild processes this test process started. */
function esbuildChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const match = /^\d+ \((.*)\) (\S+) (\d+)/.exec(stat);
      if (match && match[1] === 'esbuild' && match[2] !== 'Z' && Number(match[3]) === process.pid) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Kills this process's esbuild children every few ms until stopped; returns how many it killed. */
function killEsbuildRepeatedly(): { stop(): number } {
  let killed = 0;
  const timer = setInterval(() => {
    for (const pid of esbuildChildren()) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // Already gone.
      }
    }
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return killed;
    },
  };
}

/** A learner file esbuild takes a while on (about a second on a quiet machine) that passes every check. */
async function slowTree(): Promise<HostileTree & { root: string; out: string }> {
  const tree = await newTree();
  const statements = 'total += 1;\n'.repeat(80_000);
  for (let i = 0; i < 3; i++) await fs.writeFile(path.join(path.dirname(tree.learner), `slow-${i}.ts`), `let total = 0;\n${statements}export { total };\n`);
  await fs.writeFile(tree.learner, `${[0, 1, 2].map((i) => `import './slow-${i}.js';`).join('\n')}\n${honestSoftmax}`);
  return tree;
}

describe('what a learner file may import', () => {
  test.each(Object.keys(hostileCases))('%s: refused in one line that names the file, never showing the secret', { timeout: 60_000 }, async (name) => {
    const tree = await newTree();
    await hostileCases[name].plant(tree);
    const result = await bundleLearnerFile(tree.learner, tree.root, tree.out, { timeoutMs: 20_000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.timedOut).toBeUndefined();
    expect(result.problem.message).toMatch(hostileCases[name].message);
    expect(result.problem.message).not.toContain('\n');
    expect(JSON.stringify(result)).not.toContain(marker);
    expect(JSON.stringify(result)).not.toContain('root:$6$');
    expect(existsSync(tree.out)).toBe(false);
  });

  test('a refused module given to a class bundle is named as the file to leave out', async () => {
    const tree = await newTree();
    await hostileCases['links-to-secret'].plant(tree);
    const other = path.join(path.dirname(tree.learner), 'matmul.ts');
    await fs.writeFile(other, 'export const matmul = 1;\n');
    const result = await buildBundle({ m0: other, m1: tree.learner }, tree.root, tree.out);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.file).toBe(tree.learner);
      expect(result.problem.line).toBeUndefined();
    }
  });

  test.each(Object.keys(ownImports))('the learner’s own files: %s', async (name) => {
    const tree = await newTree();
    await ownImports[name](tree);
    const result = await bundleLearnerFile(tree.learner, tree.root, tree.out);
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.inputs[0]).toBe(tree.learner);
    expect(result.inputs.length).toBeGreaterThan(1);
    for (const input of result.inputs) expect(input.startsWith(tree.root + path.sep)).toBe(true);
    expect(sourcesOf(tree.out)).toEqual(expect.arrayContaining(result.inputs));
  });

  test('a link to a file of the exercises folder is named by the file it points to', async () => {
    const tree = await newTree();
    await ownImports['a file of another folder, and a link within the exercises folder'](tree);
    const result = await bundleLearnerFile(tree.learner, tree.root, tree.out);
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.inputs.sort()).toEqual([tree.learner, path.join(tree.root, 'transformer-core', 'attention', 'helper.ts')].sort());
  });

  test('each file bundled comes with the SHA-256 of the bytes read, by the path the bundle names it by', async () => {
    const tree = await newTree();
    await ownImports['a file of another folder, and a link within the exercises folder'](tree);
    const result = await bundleLearnerFile(tree.learner, tree.root, tree.out);
    if (!result.ok) throw new Error(result.problem.message);
    const sha = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');
    expect(result.digests).toEqual(Object.fromEntries(await Promise.all(result.inputs.map(async (file) => [file, await sha(file)]))));
    expect(Object.keys(result.digests)).toHaveLength(2);
  });

  test('no tsconfig.json or package.json in the learner’s folders is opened (each is a named pipe here, which would hang a reader)', { timeout: 30_000 }, async () => {
    const tree = await newTree();
    const folders = [path.dirname(tree.learner), path.dirname(path.dirname(tree.learner)), tree.root, path.dirname(tree.root)];
    for (const folder of folders) {
      for (const name of ['tsconfig.json', 'package.json', 'jsconfig.json']) execFileSync('mkfifo', [path.join(folder, name)]);
    }
    await fs.writeFile(path.join(path.dirname(tree.learner), 'impl.ts'), `export class Scale { factor = 2; }\n${honestSoftmax}`);
    await fs.writeFile(tree.learner, `export { softmax, Scale } from './impl.js';\n`);
    const result = await bundleLearnerFile(tree.learner, tree.root, tree.out, { timeoutMs: 15_000 });
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.inputs).toHaveLength(2);
  });

  test('a file named outside the exercises folder (check --file) bundles when it is a plain file, but imports nothing beside it', async () => {
    const tree = await newTree();
    const scratch = path.join(path.dirname(path.dirname(tree.root)), 'scratch');
    await fs.mkdir(scratch);
    await fs.writeFile(path.join(scratch, 'try.ts'), honestSoftmax);
    const plain = await bundleLearnerFile(path.join(scratch, 'try.ts'), tree.root, tree.out);
    expect(plain.ok && plain.inputs).toEqual([path.join(scratch, 'try.ts')]);

    await fs.symlink(tree.secretFile, path.join(scratch, 'link.ts'));
    const link = await bundleLearnerFile(path.join(scratch, 'link.ts'), tree.root, tree.out);
    expect(!link.ok && link.problem.message).toMatch(/scratch\/link\.ts is a link: name the file itself, or put it in your exercises folder$/);

    await fs.writeFile(path.join(scratch, 'importer.ts'), `export { softmax } from './try.js';\n`);
    const importer = await bundleLearnerFile(path.join(scratch, 'importer.ts'), tree.root, tree.out);
    expect(!importer.ok && importer.problem.message).toMatch(/^imports "\.\/try\.js", which is outside your exercises folder/);
  });

  test('an exercises folder that is a link to another folder is refused', async () => {
    const tree = await newTree();
    const elsewhere = path.join(path.dirname(path.dirname(tree.root)), 'elsewhere');
    await fs.rename(tree.root, elsewhere);
    await fs.symlink(elsewhere, tree.root);
    const result = await bundleLearnerFile(tree.learner, tree.root, tree.out);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(/^exercises\/ is a link to .*elsewhere: your exercises must be a real folder/);
  });

  test('a syntax error names the learner’s line; a megabyte-long line is cut to 200 characters', async () => {
    const tree = await newTree();
    await fs.writeFile(tree.learner, `${honestSoftmax}export const broken = [${'1, '.repeat(300_000)};\n`);
    const result = await bundleLearnerFile(tree.learner, tree.root, tree.out);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.file).toBe(tree.learner);
    expect(result.problem.line).toBe(8);
    expect(result.problem.lineText!.length).toBeLessThanOrEqual(201);
    expect(result.problem.message).not.toContain('llm-tutor-learner');
  });
});

describe('the esbuild process', () => {
  test('a build past its time limit is reported as a time-out and left to finish: the builds beside it and esbuild’s process are not disturbed', { timeout: 60_000 }, async () => {
    const slow = await slowTree();
    const honest = await newTree();
    await bundleLearnerFile(honest.learner, honest.root, honest.out);
    const before = esbuildChildren();
    const [timedOut, beside] = await Promise.all([
      bundleLearnerFile(slow.learner, slow.root, slow.out, { timeoutMs: 50 }),
      bundleLearnerFile(honest.learner, honest.root, honest.out, { timeoutMs: 20_000 }),
    ]);
    expect(timedOut.ok).toBe(false);
    if (!timedOut.ok) expect(timedOut.timedOut).toBe(true);
    expect(beside.ok).toBe(true);
    // The abandoned build finishes on the same process, which later builds go on using.
    const after = await bundleLearnerFile(slow.learner, slow.root, slow.out);
    expect(after.ok).toBe(true);
    expect(esbuildChildren()).toEqual(before);
  });

  test('a build still running long past its limit is a runaway: its esbuild process is stopped, and the next build works', { timeout: 60_000 }, async () => {
    const slow = await slowTree();
    const honest = await newTree();
    await bundleLearnerFile(honest.learner, honest.root, honest.out);
    const [before] = esbuildChildren();
    const [timedOut, beside] = await Promise.all([
      bundleLearnerFile(slow.learner, slow.root, slow.out, { timeoutMs: 50, runawayMs: 100 }),
      // Started together: if it is still on the process when that is stopped, it is run again.
      bundleLearnerFile(honest.learner, honest.root, honest.out, { timeoutMs: 20_000 }),
    ]);
    expect(timedOut.ok).toBe(false);
    if (!timedOut.ok) {
      expect(timedOut.timedOut).toBe(true);
      expect(timedOut.problem.message).toBe('bundling your files took longer than 0.1 s, the time limit: make them smaller or less deeply nested');
    }
    expect(beside.ok).toBe(true);
    // The watchdog stops the runaway's process (within the test's time limit, however loaded the machine).
    while (esbuildChildren().includes(before)) await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await bundleLearnerFile(honest.learner, honest.root, honest.out);
    expect(after.ok).toBe(true);
    expect(esbuildChildren()).toHaveLength(1);
    expect(esbuildChildren()).not.toContain(before);
  });

  test('when esbuild’s process dies under a build, the build is run again and succeeds', { timeout: 60_000 }, async () => {
    const slow = await slowTree();
    const honest = await newTree();
    await bundleLearnerFile(honest.learner, honest.root, honest.out);
    const [before] = esbuildChildren();
    const building = Promise.all([bundleLearnerFile(slow.learner, slow.root, slow.out), bundleLearnerFile(honest.learner, honest.root, honest.out)]);
    process.kill(before, 'SIGKILL');
    const [slowResult, honestResult] = await building;
    expect(slowResult.ok).toBe(true);
    expect(honestResult.ok).toBe(true);
    expect(esbuildChildren()).not.toContain(before);
  });

  test('a build under which esbuild dies every time gets a crash failure, and later builds start a new esbuild', { timeout: 60_000 }, async () => {
    const slow = await slowTree();
    const honest = await newTree();
    const killer = killEsbuildRepeatedly();
    let result;
    try {
      result = await bundleLearnerFile(slow.learner, slow.root, slow.out);
    } finally {
      expect(killer.stop()).toBeGreaterThanOrEqual(2);
    }
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.timedOut).toBeUndefined();
      expect(result.problem.message).toBe('the bundler (esbuild) crashed on your files: a file is likely nested too deeply; split long expressions into smaller statements');
    }
    const after = await bundleLearnerFile(honest.learner, honest.root, honest.out);
    expect(after.ok).toBe(true);
  });
});
