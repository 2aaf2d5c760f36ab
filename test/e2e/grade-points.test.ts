import { promises as fs } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { gradescopeResultsSchema } from '../helpers/gradescope.js';

// fixtures/packs/points: leaky-relu is worth 3 points scored by cases passed (the pack's partialCredit), clamp 2 points all or nothing.
const pack = path.join(repoRoot, 'fixtures', 'packs', 'points');
const ids = ['scalar/leaky-relu', 'scalar/clamp'];
let root: string;
let pretty: string;
let results: {
  summary: Record<string, number>;
  exercises: unknown[];
  submissions: { id: string; score: number; maxScore: number; exercises: { id: string; score: number; maxScore: number; casesPassed: number; casesTotal: number }[] }[];
};

/** alice hands in the model solutions; bob's leaky ReLU fails the slope above 1 (3 of 4 cases) and his clamp forgets the upper bound. */
async function makeClass(): Promise<void> {
  const files: Record<string, Record<string, string>> = {
    alice: { 'scalar/leaky-relu': path.join(pack, 'scalar', 'leaky-relu', 'solution.ts'), 'scalar/clamp': path.join(pack, 'scalar', 'clamp', 'solution.ts') },
    bob: { 'scalar/leaky-relu': path.join(repoRoot, 'fixtures', 'learner', 'leaky-relu-max.ts'), 'scalar/clamp': path.join(repoRoot, 'fixtures', 'learner', 'clamp-no-high.ts') },
  };
  for (const [name, byId] of Object.entries(files)) {
    const ws = path.join(root, 'class', name);
    const init = await runCli(['init', ws, '--seed', '1']);
    if (init.code !== 0) throw new Error(init.stderr);
    for (const id of ids) {
      const file = learnerFile(ws, id, 'points');
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.copyFile(byId[id], file);
    }
  }
}

function grade(args: string[]) {
  return runCli(['grade', ...args, '--pack', pack, '--seed', '7'], { cwd: root });
}

beforeAll(async () => {
  root = tempDir('llm-tutor-grade-points-');
  await makeClass();
  const r = await grade(['class', '--reporter', 'json=out/results.json', '--reporter', 'junit=out/junit.xml', '--reporter', 'pretty']);
  if (r.code !== 1) throw new Error(`grade exited ${r.code}: ${r.stderr}`);
  pretty = r.stdout;
  results = JSON.parse(await fs.readFile(path.join(root, 'out', 'results.json'), 'utf8'));
}, 120_000);

describe('grading with points', () => {
  test('each exercise scores its points, by cases passed only where partial credit is on', () => {
    const scores = results.submissions.map((s) => [s.id, s.exercises.map((e) => [e.id, e.casesPassed, e.casesTotal, e.score, e.maxScore])]);
    expect(scores).toEqual([
      ['alice', [['scalar/leaky-relu', 4, 4, 3, 3], ['scalar/clamp', 3, 3, 2, 2]]],
      // 3 × 3/4 = 2.25 with partial credit; clamp's 2 of 3 cases earn nothing (the exercise turns partial credit off).
      ['bob', [['scalar/leaky-relu', 3, 4, 2.25, 3], ['scalar/clamp', 2, 3, 0, 2]]],
    ]);
  });

  test('submissions and the class carry totals, and the exercises their points', () => {
    expect(results.submissions.map((s) => [s.id, s.score, s.maxScore])).toEqual([
      ['alice', 5, 5],
      ['bob', 2.25, 5],
    ]);
    expect(results.summary).toMatchObject({ score: 7.25, maxScore: 10, meanScore: 3.625 });
    expect(results.exercises).toEqual([
      { key: 'points/scalar/leaky-relu', title: 'Leaky ReLU of one number', points: 3, partialCredit: true },
      { key: 'points/scalar/clamp', title: 'Clamp a number into a range', points: 2, partialCredit: false },
    ]);
  });

  test('the pretty lines give each submission its points, and the summary the class total and mean', () => {
    const lines = pretty.split('\n');
    expect(lines.slice(0, 2)).toEqual(['✓ alice 2/2 · 5/5 points', '✗ bob 0/2 · 2.25/5 points — scalar/leaky-relu (the larger of x and slope · x), scalar/clamp (only the lower bound applied)']);
    expect(lines).toContain('Points: 7.25 of 10 points (a submission scores 3.625 of 5 on average).');
  });

  test('JUnit carries score and maxScore on each testsuite and testcase', async () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await fs.readFile(path.join(root, 'out', 'junit.xml'), 'utf8'));
    const props = (node: { properties: { property: { name: string; value: string }[] } }) => Object.fromEntries(node.properties.property.map((p) => [p.name, p.value]));
    const bob = xml.testsuites.testsuite.find((s: { name: string }) => s.name === 'bob');
    expect(props(bob)).toEqual({ score: '2.25', maxScore: '5' });
    expect(bob.testcase.map(props)).toEqual([
      { score: '2.25', maxScore: '3' },
      { score: '0', maxScore: '2' },
    ]);
  });

  test('merging the shards gives the same totals', async () => {
    for (const i of [1, 2]) expect((await grade(['class', '--shard', `${i}/2`, '--reporter', `json=out/shard-${i}.json`])).code).toBeLessThan(2);
    const merged = await runCli(['grade', 'merge', 'out/shard-1.json', 'out/shard-2.json', '--reporter', 'json'], { cwd: root });
    const result = JSON.parse(merged.stdout);
    expect(result.summary).toEqual(results.summary);
    expect(result.submissions.map((s: { id: string; score: number; maxScore: number }) => [s.id, s.score, s.maxScore])).toEqual([
      ['alice', 5, 5],
      ['bob', 2.25, 5],
    ]);
  });

  test("the gradescope reporter writes one submission's results.json in Gradescope's documented shape", async () => {
    const r = await grade([path.join('class', 'bob'), '--reporter', 'gradescope=out/results-bob.json']);
    expect(r.code).toBe(1);
    const file = gradescopeResultsSchema.parse(JSON.parse(await fs.readFile(path.join(root, 'out', 'results-bob.json'), 'utf8')));
    expect(file.score).toBe(2.25);
    expect(file.tests.map((t) => [t.name, t.score, t.max_score, t.status])).toEqual([
      ['points/scalar/leaky-relu: Leaky ReLU of one number', 2.25, 3, 'failed'],
      ['points/scalar/clamp: Clamp a number into a range', 0, 2, 'failed'],
    ]);
    expect(file.tests[0].output).toMatch(/^3 of 4 cases pass/);
    expect(file.tests[0].output).toContain('Likely mistake: the larger of x and slope · x.');
  });

  test('the gradescope reporter refuses a class of several submissions in one line, before grading', async () => {
    const r = await grade(['class', '--reporter', 'gradescope=out/class.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'llm-tutor: The gradescope reporter writes the results of one submission; this run has 2 submissions.\nGrade the one workspace Gradescope gives (/autograder/submission), or use --reporter json for a class.\n',
    );
  });

  test('points below 0 are refused by pack validate in one line naming the field', async () => {
    const bad = path.join(root, 'bad-points');
    await fs.cp(pack, bad, { recursive: true });
    const manifest = JSON.parse(await fs.readFile(path.join(bad, 'pack.json'), 'utf8'));
    manifest.exercises[0].points = -1;
    await fs.writeFile(path.join(bad, 'pack.json'), JSON.stringify(manifest, null, 2));
    const r = await runCli(['pack', 'validate', bad], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ bad-points/pack.json exercises[0].points: must be 0 or more\n');
  });
});
