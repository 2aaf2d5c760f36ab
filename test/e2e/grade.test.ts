import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, regularFilesUnder, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { dumpDom, probeInChromium, screenshot } from '../helpers/chromium.js';
import { needs } from '../helpers/tools.js';

const only = 'foundations/matmul,foundations/softmax,attention/causal-mask';
const ids = only.split(',');
let root: string;
let classDir: string;

/** A class of submissions built from the model solutions and fixture learner files. */
async function makeClass(): Promise<void> {
  const solution = (id: string) => path.join(repoRoot, 'exercises', 'transformer-core', id, 'solution.ts');
  const fixture = (name: string) => path.join(repoRoot, 'fixtures', 'learner', name);
  const students: Record<string, Record<string, string>> = {
    correct: {},
    'partly-wrong': { 'foundations/softmax': fixture('softmax-no-max.ts') },
    'causal-diagonal': { 'attention/causal-mask': fixture('causal-diagonal-excluded.ts') },
    'matmul-transposed': { 'foundations/matmul': fixture('matmul-transposed.ts') },
    crashes: { 'foundations/softmax': fixture('softmax-exit.ts') },
    'times-out': { 'foundations/softmax': fixture('softmax-infinite-loop.ts') },
    cheats: { 'foundations/softmax': fixture('softmax-prints-passed.ts'), 'foundations/matmul': fixture('softmax-writes-file.ts') },
  };
  for (const [name, overrides] of Object.entries(students)) {
    const ws = path.join(classDir, name);
    const r = await runCli(['init', ws, '--seed', '1']);
    if (r.code !== 0) throw new Error(r.stderr);
    for (const id of ids) await fs.copyFile(overrides[id] ?? solution(id), learnerFile(ws, id));
  }
  // A folder that is not a workspace at all is graded as a broken submission.
  await fs.mkdir(path.join(classDir, 'empty-folder'));
}

function grade(args: string[]) {
  return runCli(['grade', classDir, '--only', only, '--seed', '77', '--timeout', '1500', ...args], { cwd: root });
}

/** The results without what varies from run to run: timings. */
function stable(json: string): unknown {
  return JSON.parse(json, (key, value) => (key === 'durationMs' || key === 'startedAt' ? 0 : value));
}

let allToFiles: { stdout: string; stderr: string };
let results: { status: string; summary: Record<string, number>; submissions: { id: string; status: string; passed: number; total: number; problem?: string; exercises: { key: string; status: string; message: string; diagnosis?: { misconceptionId: string } }[] }[] };
let jsonText: string;

beforeAll(async () => {
  root = tempDir('llm-tutor-class-');
  classDir = path.join(root, 'class');
  await makeClass();
  const r = await grade(['--jobs', '2', '--reporter', 'json=out/results.json', '--reporter', 'junit=out/junit.xml', '--reporter', 'html=out/report.html', '--reporter', 'github=out/github.txt']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  allToFiles = r;
  jsonText = await fs.readFile(path.join(root, 'out', 'results.json'), 'utf8');
  results = JSON.parse(jsonText);
}, 180_000);

describe('grading a class', () => {
  test('the JSON report says exactly what happened to each submission', () => {
    const view = results.submissions.map((s) => ({
      id: s.id,
      status: s.status,
      passed: `${s.passed}/${s.total}`,
      notPassing: Object.fromEntries(s.exercises.filter((e) => e.status !== 'pass').map((e) => [e.key.replace('transformer-core/', ''), `${e.status}${e.diagnosis ? `: ${e.diagnosis.misconceptionId}` : ''}`])),
    }));
    expect(view).toEqual([
      { id: 'causal-diagonal', status: 'fail', passed: '2/3', notPassing: { 'attention/causal-mask': 'fail: diagonal-excluded' } },
      { id: 'cheats', status: 'error', passed: '1/3', notPassing: { 'foundations/matmul': 'error', 'foundations/softmax': 'fail' } },
      { id: 'correct', status: 'pass', passed: '3/3', notPassing: {} },
      { id: 'crashes', status: 'error', passed: '2/3', notPassing: { 'foundations/softmax': 'error' } },
      { id: 'empty-folder', status: 'error', passed: '0/3', notPassing: { 'foundations/matmul': 'error', 'foundations/softmax': 'error', 'attention/causal-mask': 'error' } },
      { id: 'matmul-transposed', status: 'fail', passed: '2/3', notPassing: { 'foundations/matmul': 'fail: transposed-result' } },
      { id: 'partly-wrong', status: 'fail', passed: '2/3', notPassing: { 'foundations/softmax': 'fail: no-max-subtraction' } },
      { id: 'times-out', status: 'error', passed: '2/3', notPassing: { 'foundations/softmax': 'error' } },
    ]);
    expect(results.status).toBe('error');
    expect(results.summary).toEqual({ submissions: 8, submissionsPassed: 1, results: 24, passed: 14, failed: 4, errored: 6, score: 14, maxScore: 24, meanScore: 1.75 });
    const message = (id: string, key: string) => results.submissions.find((s) => s.id === id)!.exercises.find((e) => e.key === `transformer-core/${key}`)!.message;
    expect(message('crashes', 'foundations/softmax')).toBe('The process running your code ended during case "the lesson example [1, 2, 3]" (exit code 0): did your code call process.exit() or kill itself?');
    expect(message('times-out', 'foundations/softmax')).toBe('Timed out after 1.5 s on case "the lesson example [1, 2, 3]" (an infinite loop, or far too much work).');
    expect(message('cheats', 'foundations/matmul')).toMatch(/^Loading your file|Your file does not export a function named matmul/);
    expect(message('empty-folder', 'foundations/matmul')).toBe('The file exercises/transformer-core/foundations/matmul.ts is missing.');
    expect(results.submissions.find((s) => s.id === 'empty-folder')!.problem).toMatch(/no llm-tutor\.json/);
    // A result that did not pass keeps every case with its status (the HTML report's verdict lists them); a pass does not.
    const exercise = (id: string, key: string) => results.submissions.find((s) => s.id === id)!.exercises.find((e) => e.key === `transformer-core/${key}`) as unknown as { cases?: { name: string; status: string }[]; casesPassed: number; casesTotal: number };
    const partly = exercise('partly-wrong', 'foundations/softmax');
    expect(partly.cases).toHaveLength(partly.casesTotal);
    expect(partly.cases!.filter((c) => c.status === 'pass')).toHaveLength(partly.casesPassed);
    expect(partly.cases!.some((c) => c.status === 'fail')).toBe(true);
    expect(exercise('correct', 'foundations/softmax').cases).toBeUndefined();
  });

  test('the cheating submission wrote nothing and its fake pass lines are only output', () => {
    expect(existsSync(path.join(root, 'llm-tutor-e2e-written.txt'))).toBe(false);
    const softmax = results.submissions.find((s) => s.id === 'cheats')!.exercises.find((e) => e.key.endsWith('softmax')) as unknown as { output: { stdout: string } };
    expect(softmax.output.stdout).toContain('PASS transformer-core/foundations/softmax');
  });

  test('the JUnit file parses as XML with the right counts', async () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await fs.readFile(path.join(root, 'out', 'junit.xml'), 'utf8'));
    const suites = xml.testsuites;
    expect(suites).toMatchObject({ tests: '24', failures: '4', errors: '6' });
    expect(suites.testsuite).toHaveLength(8);
    const partly = suites.testsuite.find((s: { name: string }) => s.name === 'partly-wrong');
    expect(partly).toMatchObject({ tests: '3', failures: '1', errors: '0' });
    const failing = partly.testcase.find((t: { name: string }) => t.name === 'transformer-core/foundations/softmax');
    expect(failing.failure.message).toMatch(/^10 of 13 cases pass/);
    expect(failing.file).toBe('class/partly-wrong/exercises/transformer-core/foundations/softmax.ts');
  });

  test('the github reporter writes well-formed annotations on the learner files', async () => {
    const lines = (await fs.readFile(path.join(root, 'out', 'github.txt'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(10 + 1);
    for (const line of lines) expect(line).toMatch(/^::error (file=[^,:]+,line=\d+,)?title=[^:]+::[^\n\r]+$/);
    expect(lines.some((l) => l.startsWith('::error file=class/partly-wrong/exercises/transformer-core/foundations/softmax.ts,line=1,title=transformer-core/foundations/softmax%3A fails (exponentiating without subtracting the max)::'))).toBe(true);
  });

  test('GITHUB_STEP_SUMMARY gets a Markdown summary', async () => {
    const summary = path.join(root, 'summary.md');
    const r = await runCli(['grade', classDir, '--only', 'foundations/matmul', '--seed', '77', '--reporter', 'github'], { cwd: root, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const text = await fs.readFile(summary, 'utf8');
    expect(text).toContain('## llm-tutor: 5 of 8 submissions pass every exercise');
    expect(text).toContain('| transformer-core/foundations/matmul | 63% (5/8) |');
  });

  test('shards 1/3, 2/3 and 3/3, merged, give the same result as one run', async () => {
    for (const i of [1, 2, 3]) {
      const r = await grade(['--shard', `${i}/3`, '--reporter', `json=out/shard-${i}.json`]);
      expect([0, 1]).toContain(r.code);
    }
    const shard1 = JSON.parse(await fs.readFile(path.join(root, 'out', 'shard-1.json'), 'utf8'));
    expect(shard1.shard).toEqual({ index: 1, count: 3 });
    expect(shard1.submissions.map((s: { id: string }) => s.id)).toEqual(['causal-diagonal', 'crashes', 'partly-wrong']);
    const merged = await runCli(['grade', 'merge', 'out/shard-1.json', 'out/shard-2.json', 'out/shard-3.json', '--reporter', 'json=out/merged.json'], { cwd: root });
    expect(merged.code).toBe(1);
    expect(stable(await fs.readFile(path.join(root, 'out', 'merged.json'), 'utf8'))).toEqual(stable(jsonText));
  });

  test('the same seed gives byte-identical JSON apart from timings; the pretty lines, with --jobs 2, come in folder order with the reason of each error', async () => {
    const again = await grade(['--jobs', '2', '--reporter', 'json=out/again.json', '--reporter', 'pretty']);
    const strip = (text: string) => text.replace(/"(durationMs|startedAt)": [^,\n]+/g, '"$1": 0');
    expect(strip(await fs.readFile(path.join(root, 'out', 'again.json'), 'utf8'))).toBe(strip(jsonText));
    expect(again.stdout.split('\n').slice(0, 9)).toEqual([
      '✗ causal-diagonal 2/3 — attention/causal-mask (a query does not see its own position (< where <= belongs))',
      expect.stringMatching(/^! cheats 1\/3 — foundations\/matmul \(error: (Loading your file|Your file does not export a function named matmul)[^\n]*\), foundations\/softmax$/),
      '✓ correct 3/3',
      '! crashes 2/3 — foundations/softmax (error: The process running your code ended during case "the lesson example [1, 2, 3]" (exit code 0): did your code call process.exit() or kill itself?)',
      expect.stringMatching(/^! empty-folder 0\/3 — no llm-tutor\.json/),
      '✗ matmul-transposed 2/3 — foundations/matmul (the result is transposed ([m, n] instead of [n, m]))',
      '✗ partly-wrong 2/3 — foundations/softmax (exponentiating without subtracting the max)',
      '! times-out 2/3 — foundations/softmax (error: Timed out after 1.5 s on case "the lesson example [1, 2, 3]" (an infinite loop, or far too much work))',
      '',
    ]);
  });

  test('with every reporter writing to a file, stdout has the counts and the files written; --quiet leaves it empty', async () => {
    expect(allToFiles.stdout).toBe(
      [
        'ERROR 1 of 8 submissions pass every exercise; 14 passed, 4 failed, 6 errors.',
        'wrote json report: out/results.json',
        'wrote junit report: out/junit.xml',
        'wrote html report: out/report.html',
        'wrote github report: out/github.txt',
        '',
      ].join('\n'),
    );
    const quiet = await runCli(['grade', 'merge', 'out/results.json', '--reporter', 'html=out/quiet.html', '--quiet'], { cwd: root });
    expect(quiet).toEqual({ code: 1, stdout: '', stderr: '' });
    expect(existsSync(path.join(root, 'out', 'quiet.html'))).toBe(true);
    // A reporter on stdout prints only what it always has.
    const json = await runCli(['grade', 'merge', 'out/results.json', '--reporter', 'json', '--reporter', 'html=out/json.html'], { cwd: root });
    expect(stable(json.stdout)).toEqual(stable(jsonText));
  });

  test('usage errors exit 2 with one clear line', async () => {
    const bad = await runCli(['grade', classDir, '--shard', '4/3'], { cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard must look like 2/5');
    const reporter = await runCli(['grade', classDir, '--reporter', 'xml'], { cwd: root });
    expect(reporter.code).toBe(2);
    expect(reporter.stderr).toContain('Unknown reporter "xml".');
    const missing = await runCli(['grade', path.join(root, 'nowhere')], { cwd: root });
    expect(missing.code).toBe(2);
  });
});

describe('the HTML class report', () => {
  // CI installs chromium (.ci/run) and must run this test; a machine without it skips it.
  test('opens in headless Chromium with the chart, the legends, the tables, and a verdict behind each failing mark', needs('chromium'), async () => {
    const html = path.join(root, 'out', 'report.html');
    const text = await fs.readFile(html, 'utf8');
    expect(text).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
    expect(text).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`);
    const dom = dumpDom(html);
    expect(dom).toContain('<table id="pass-rate-chart" class="chart">');
    expect([...dom.matchAll(/<td class="rate">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(['63% (5/8)', '38% (3/8)', '75% (6/8)']);
    expect(dom).toContain('<p class="legend" id="legend">');
    expect(dom).toContain('exponentiating without subtracting the max');
    // One row per submission, each named in a row header; one link per result that is not a pass.
    expect([...dom.matchAll(/<tr><th scope="row">([^<]*)<\/th><td>\d\/3<\/td>/g)].map((m) => m[1])).toEqual(results.submissions.map((s) => s.id));
    expect((dom.match(/<section class="verdict"/g) ?? []).length).toBe(4 + 6);
    // partly-wrong is the 7th submission; softmax the 2nd exercise.
    const verdict = await probeInChromium<{ shown: string[]; text: string }>(
      html,
      `return { shown: [...document.querySelectorAll('.verdict')].filter((v) => getComputedStyle(v).display !== 'none').map((v) => v.id), text: document.querySelector(':target').innerText };`,
      '#v6-1',
    );
    expect(verdict.shown).toEqual(['v6-1']);
    expect(verdict.text).toContain('partly-wrong · foundations/softmax: fails');
    expect(verdict.text).toContain('exponentiating without subtracting the max');
    expect(verdict.text).toContain('class/partly-wrong/exercises/transformer-core/foundations/softmax.ts');
    // Expected vs got around the worst element, with the learner's NaN marked.
    expect(text).toMatch(/<table class="diff"><thead><tr><th>index<\/th><th>expected<\/th><th>got<\/th><\/tr><\/thead><tbody><tr><th scope="row">\[0\]<\/th><td>[\d.]+<\/td><td class="bad">NaN<\/td>/);
    const png = path.join(root, 'out', 'report.png');
    screenshot(html, png, '#v6-1');
    expect(statSync(png).size).toBeGreaterThan(10_000);
  });
});

describe('entries of a class folder that are not what they seem', () => {
  test('a linked submission, a FIFO and a linked state file are each reported; the honest one passes; nothing reads the secret', async () => {
    const base = tempDir('llm-tutor-hostile-class-');
    const hostile = path.join(base, 'class');
    const secret = `secret-${Math.random().toString(36).slice(2)}-do-not-copy`;
    const secretFile = path.join(base, 'shadow');
    await fs.writeFile(secretFile, `${secret}\n`, { mode: 0o600 });
    for (const name of ['honest', 'fifo-state', 'linked-state']) {
      const ws = path.join(hostile, name);
      const r = await runCli(['init', ws, '--seed', '1']);
      expect(r.code).toBe(0);
      await fs.copyFile(path.join(repoRoot, 'exercises', 'transformer-core', 'foundations', 'matmul', 'solution.ts'), learnerFile(ws, 'foundations/matmul'));
    }
    const fifoState = path.join(hostile, 'fifo-state', '.llm-tutor', 'state.json');
    await fs.rm(fifoState);
    execFileSync('mkfifo', [fifoState]);
    const linkedState = path.join(hostile, 'linked-state', '.llm-tutor', 'state.json');
    await fs.rm(linkedState);
    await fs.symlink(secretFile, linkedState);
    // A link to another student's folder would grade that student's work as this one's.
    await fs.symlink(path.join(hostile, 'honest'), path.join(hostile, 'linked'));

    const r = await runCli(['grade', 'class', '--only', 'foundations/matmul', '--seed', '77', '--reporter', 'json=out/results.json', '--reporter', 'github=out/github.txt', '--reporter', 'pretty'], { cwd: base });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(await fs.readFile(path.join(base, 'out', 'results.json'), 'utf8')) as typeof results;
    const stateFix = 'run `llm-tutor doctor --repair` to move it aside and start a new progress file.';
    const linkedProblem = 'linked is a symbolic link, which llm-tutor does not follow: put the submission itself there, not a link to it.';
    expect(report.submissions.map((s) => ({ id: s.id, status: s.status, problem: s.problem, exercises: s.exercises.map((e) => `${e.status}: ${e.message}`) }))).toEqual([
      { id: 'fifo-state', status: 'error', problem: `fifo-state/.llm-tutor/state.json is a FIFO (named pipe), not a regular file: ${stateFix}`, exercises: ['pass: All 17 cases pass.'] },
      { id: 'honest', status: 'pass', problem: undefined, exercises: ['pass: All 17 cases pass.'] },
      { id: 'linked', status: 'error', problem: linkedProblem, exercises: [`error: Not graded: ${linkedProblem}`] },
      { id: 'linked-state', status: 'error', problem: `linked-state/.llm-tutor/state.json is a symbolic link, which llm-tutor does not follow: ${stateFix}`, exercises: ['pass: All 17 cases pass.'] },
    ]);
    expect(r.stdout.split('\n').filter((l) => / linked /.test(l))).toEqual([`! linked 0/1 — ${linkedProblem}`]);
    // The secret is in no output and in no file of the class or the reports; the FIFO and the links are left as they were.
    for (const text of [r.stdout, r.stderr]) expect(text).not.toContain(secret);
    for (const file of [...(await regularFilesUnder(hostile)), ...(await regularFilesUnder(path.join(base, 'out')))]) expect(await fs.readFile(file, 'utf8')).not.toContain(secret);
    expect(lstatSync(fifoState).isFIFO()).toBe(true);
    expect(await fs.readlink(linkedState)).toBe(secretFile);
    expect(await fs.readdir(path.dirname(linkedState))).toEqual(['state.json']);
  }, 120_000);
});
