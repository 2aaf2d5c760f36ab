import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, makeWorkspace, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { hostileCases, newMarker, secretContent, type HostileTree } from '../helpers/hostile-bundling.js';

// Learner files that try to make the bundler read what is not theirs, or choke it (test/helpers/hostile-bundling.ts),
// graded as foundations/softmax by `check` and by `grade` beside an honest classmate.
const names = Object.keys(hostileCases);
const marker = newMarker();
const solution = (id: string) => path.join(repoRoot, 'exercises', 'transformer-core', id, 'solution.ts');

let ws: string;
let secretFile: string;
let classmate: string;

/** A fresh copy of the workspace with an honest matmul, as the learner `name`. */
async function copyOfWorkspace(into: string): Promise<HostileTree> {
  await fs.cp(ws, into, { recursive: true });
  await fs.copyFile(solution('foundations/matmul'), learnerFile(into, 'foundations/matmul'));
  return { learner: learnerFile(into, 'foundations/softmax'), secretFile, classmateFile: learnerFile(classmate, 'foundations/softmax') };
}

beforeAll(async () => {
  ws = await makeWorkspace();
  const outside = tempDir('llm-tutor-secret-');
  secretFile = path.join(outside, 'secret.txt');
  await fs.writeFile(secretFile, secretContent(marker));
  // The honest classmate's softmax holds the marker too: reading it from another submission is a leak as well.
  classmate = path.join(tempDir(), 'class', 'honest');
  await copyOfWorkspace(classmate);
  await fs.writeFile(learnerFile(classmate, 'foundations/softmax'), `// ${marker}\n${await fs.readFile(solution('foundations/softmax'), 'utf8')}`);
});

describe('bundling a hostile learner file', () => {
  test.each(names)('check: %s gets an error verdict in one line, and the secret never shows', { timeout: 60_000 }, async (name) => {
    const tree = await copyOfWorkspace(path.join(tempDir(), 'ws'));
    await hostileCases[name].plant(tree);
    const started = Date.now();
    const r = await runCli(['check', 'softmax', '--workspace', path.dirname(path.dirname(path.dirname(path.dirname(tree.learner)))), '--timeout', '2000', '--json']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain(marker);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.status).toBe('error');
    expect(verdict.summary).not.toContain('\n');
    expect(verdict.summary).toMatch(/^Your file could not be compiled: /);
    expect(verdict.summary).toMatch(hostileCases[name].message);
  });

  test('check: the learner’s own files still import each other, and a hostile tsconfig.json changes nothing', async () => {
    const tree = await copyOfWorkspace(path.join(tempDir(), 'ws'));
    const folder = path.dirname(tree.learner);
    await fs.copyFile(solution('foundations/softmax'), path.join(folder, 'softmax-impl.ts'));
    await fs.writeFile(tree.learner, `import { matmul } from '../foundations/matmul.js';\nexport { softmax } from './softmax-impl';\nexport const uses = matmul;\n`);
    await hostileCases['tsconfig-paths-to-secret'].plant({ ...tree, learner: path.join(folder, 'unused.ts') });
    const r = await runCli(['check', 'softmax', '--workspace', path.dirname(path.dirname(path.dirname(folder))), '--json']);
    expect(r.stdout).not.toContain(marker);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.status).toBe('pass');
    expect(verdict.learnerFiles.sort()).toEqual([tree.learner, path.join(folder, 'matmul.ts'), path.join(folder, 'softmax-impl.ts')].sort());
  });

  test('check: bundling counts in the time limit, and running out of it while bundling is a time-out', async () => {
    const tree = await copyOfWorkspace(path.join(tempDir(), 'ws'));
    await fs.copyFile(solution('foundations/softmax'), tree.learner);
    // No bundle is built in a millisecond: the limit runs out while bundling, whatever the file.
    const r = await runCli(['check', 'softmax', '--workspace', path.dirname(path.dirname(path.dirname(path.dirname(tree.learner)))), '--json', '--timeout', '1']);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.status).toBe('error');
    expect(verdict.summary).toBe('Timed out after 0.0 s while bundling your files: make them smaller or less deeply nested.');
    expect(verdict.error.kind).toBe('timeout');
  });

  test('grade: a class of all of them and an honest classmate is graded to the end, every report written, nothing leaked', { timeout: 300_000 }, async () => {
    const classDir = path.dirname(classmate);
    for (const name of names) await hostileCases[name].plant(await copyOfWorkspace(path.join(classDir, name)));
    const out = tempDir('llm-tutor-reports-');
    const started = Date.now();
    const r = await runCli(
      ['grade', classDir, '--only', 'foundations/matmul,foundations/softmax', '--jobs', '2', '--timeout', '2000', '--seed', '4', '--reporter', `json=${out}/results.json`, '--reporter', `junit=${out}/junit.xml`, '--reporter', 'pretty'],
      { cwd: out },
    );
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(240);
    // The pretty lines (one a submission, with its time) say where a slow or stuck run was.
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toBe('');
    expect(existsSync(path.join(out, 'results.json'))).toBe(true);
    expect(existsSync(path.join(out, 'junit.xml'))).toBe(true);
    const results = await fs.readFile(path.join(out, 'results.json'), 'utf8');
    const junit = await fs.readFile(path.join(out, 'junit.xml'), 'utf8');
    for (const text of [r.stdout, results, junit]) expect(text).not.toContain(marker);
    const submissions = JSON.parse(results).submissions as { id: string; exercises: { id: string; status: string; message?: string }[] }[];
    expect(submissions.map((s) => s.id).sort()).toEqual(['honest', ...names].sort());
    for (const s of submissions) {
      const byId = Object.fromEntries(s.exercises.map((e) => [e.id, e]));
      expect(byId['foundations/matmul'].status, `${s.id}: matmul`).toBe('pass');
      const softmax = byId['foundations/softmax'];
      if (s.id === 'honest') {
        expect(softmax.status).toBe('pass');
        continue;
      }
      expect(softmax.status, s.id).toBe('error');
      expect(softmax.message, s.id).toMatch(hostileCases[s.id].message);
      expect(softmax.message, s.id).not.toContain('\n');
    }
  });
});
