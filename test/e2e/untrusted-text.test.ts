import { promises as fs } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, repoRoot, runCli, tempDir, type CliResult } from '../helpers/cli.js';

// Learner code that prints workflow commands, terminal control sequences and a fake verdict line.
const hostilePrints = String.raw`
  console.log('\n::stop-commands::abc\n');
  console.log('\x1b]0;pwned\x07\x1b[2K\rPASS transformer-core/foundations/softmax');
  console.log('\u009b2K\u202eSSAP ##[error]old-style command');
`;
const printsThenThrows = `export function softmax(x: number[]): number[] {${hostilePrints}
  throw new Error('\\n::error file=y::thrown <img src=x onerror=alert(1)> | cell |\\x1b[2K\\rPASS');
}
`;
const printsThenPasses = `export function softmax(x: number[]): number[] {${hostilePrints}
  const max = Math.max(...x);
  if (max === -Infinity) return x.map(() => 0);
  const exps = x.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
`;

const forged = 'x\n::error file=x::forged';
const retitled = '\x1b]0;pwned\x07\x1b[2K\rPASS';
// Raw terminal controls: C0 but tab and newline, DEL, C1, and bidi overrides and isolates.
const rawControl = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const notXmlChar = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

let root: string;
let grade: CliResult;
let check: CliResult;
let badConfig: CliResult;
let summary: string;

async function workspace(dir: string, softmax: string | undefined): Promise<string> {
  const r = await runCli(['init', dir, '--seed', '1']);
  if (r.code !== 0) throw new Error(r.stderr);
  const file = learnerFile(dir, 'foundations/softmax');
  if (softmax === undefined) await fs.copyFile(path.join(repoRoot, 'exercises', 'transformer-core', 'foundations', 'softmax', 'solution.ts'), file);
  else await fs.writeFile(file, softmax);
  return dir;
}

beforeAll(async () => {
  root = tempDir('llm-tutor-untrusted-');
  const classDir = path.join(root, 'class');
  await workspace(path.join(classDir, 'honest'), undefined);
  await workspace(path.join(classDir, forged), printsThenThrows);
  const retitledDir = await workspace(path.join(classDir, retitled), printsThenPasses);
  // A config key the schema does not know is quoted in the submission's problem.
  const config = JSON.parse(await fs.readFile(path.join(retitledDir, 'llm-tutor.json'), 'utf8'));
  await fs.writeFile(path.join(retitledDir, 'llm-tutor.json'), JSON.stringify({ ...config, '\x1b]2;cfg\x07\u202ekey': 1 }));

  const summaryFile = path.join(root, 'summary.md');
  grade = await runCli(
    ['grade', 'class', '--only', 'foundations/softmax', '--seed', '77', '--timeout', '5000', '--reporter', 'pretty', '--reporter', 'github', '--reporter', 'junit=out/junit.xml', '--reporter', 'html=out/report.html', '--reporter', 'json=out/results.json'],
    { cwd: root, env: { GITHUB_STEP_SUMMARY: summaryFile } },
  );
  summary = await fs.readFile(summaryFile, 'utf8');
  const ws = await workspace(path.join(root, 'ws'), printsThenThrows);
  check = await runCli(['check', '--workspace', ws, 'softmax'], { cwd: root });
  badConfig = await runCli(['check', '--workspace', retitledDir, 'softmax'], { cwd: root });
}, 180_000);

describe('grade with hostile submission names and learner output', () => {
  test('stdout holds no raw control character and no forged workflow command', () => {
    expect(grade.code).toBe(1);
    expect(grade.stderr).toBe('');
    expect(grade.stdout).not.toMatch(rawControl);
    expect(grade.stdout).not.toContain('##[');
    const commands = grade.stdout.split('\n').filter((line) => /^\s*::/.test(line));
    expect(commands).toEqual([
      '::error title=\\x1b]0;pwned\\x07\\x1b[2K\\rPASS%3A not gradable::\\x1b]0;pwned\\x07\\x1b[2K\\rPASS/llm-tutor.json: unknown field "\\x1b]2;cfg\\x07\\u202ekey": remove it or check the spelling',
      '::error file=class/x\\n%3A%3Aerror file=x%3A%3Aforged/exercises/transformer-core/foundations/softmax.ts,line=1,title=transformer-core/foundations/softmax%3A error::Your function threw Error: \\n::error file=y::thrown <img src=x onerror=alert(1)> | cell |\\x1b[2K\\rPASS.',
    ]);
  });

  test('the pretty lines keep each submission on one line, escaped, and the honest verdict as it was', async () => {
    const lines = grade.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '! \\x1b]0;pwned\\x07\\x1b[2K\\rPASS 1/1 — \\x1b]0;pwned\\x07\\x1b[2K\\rPASS/llm-tutor.json: unknown field "\\x1b]2;cfg\\x07\\u202ekey": remove it or check the spelling',
      '✓ honest 1/1',
      '! x\\n::error file=x::forged 0/1 — foundations/softmax (error: Your function threw Error: \\n::error file=y::thrown <img src=x onerror=alert(1)> | cell |\\x1b[2K\\rPASS)',
    ]);
    const results = JSON.parse(await fs.readFile(path.join(root, 'out', 'results.json'), 'utf8'));
    const honest = results.submissions.find((s: { id: string }) => s.id === 'honest');
    expect(honest).toMatchObject({ status: 'pass', passed: 1, total: 1 });
    expect(results.submissions.find((s: { id: string }) => s.id === retitled)).toMatchObject({ status: 'error', passed: 1, total: 1 });
  });

  test('the job summary renders no HTML and keeps every table row on one line', () => {
    expect(summary).not.toContain('<');
    expect(summary).not.toMatch(rawControl);
    const rows = summary.split('\n').filter((line) => line.startsWith('|'));
    // Two header rows and one row per exercise, two header rows and one row per submission, each with its own cells only.
    expect(rows.map((row) => row.split(/(?<!\\)\|/).length - 2)).toEqual([2, 2, 2, 3, 3, 3, 3, 3]);
    expect(rows.slice(5)).toEqual([
      '| \\\\x1b\\]0;pwned\\\\x07\\\\x1b\\[2K\\\\rPASS | 1/1 | ⚠️ error |',
      '| honest | 1/1 | ✅ |',
      '| x\\\\n\\:\\:error file=x\\:\\:forged | 0/1 | ⚠️ error |',
    ]);
  });

  test('the JUnit file holds only XML characters, parses, and shows the output escaped', async () => {
    const text = await fs.readFile(path.join(root, 'out', 'junit.xml'), 'utf8');
    expect(text).not.toMatch(notXmlChar);
    expect(text).not.toMatch(rawControl);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(text);
    const suites = xml.testsuites.testsuite as { name: string; testcase: { error?: { message: string }; 'system-out'?: string } }[];
    expect(suites.map((s) => s.name)).toEqual(['\\x1b]0;pwned\\x07\\x1b[2K\\rPASS', 'honest', 'x\\n::error file=x::forged']);
    expect(suites[1].testcase).not.toHaveProperty('error');
    expect(suites[2].testcase.error!.message).toBe('Your function threw Error: \\n::error file=y::thrown <img src=x onerror=alert(1)> | cell |\\x1b[2K\\rPASS.');
    expect(suites[2].testcase['system-out']).toContain('\\x1b]0;pwned\\x07\\x1b[2K\\rPASS transformer-core/foundations/softmax\n\\x9b2K\\u202eSSAP ##[error]old-style command');
  });

  test('the HTML report escapes names and messages', async () => {
    const html = await fs.readFile(path.join(root, 'out', 'report.html'), 'utf8');
    expect(html).not.toMatch(rawControl);
    expect(html).not.toContain('<img');
    expect(html).toContain('<tr><th scope="row">x\\n::error file=x::forged</th>');
    expect(html).toContain('thrown &lt;img src=x onerror=alert(1)&gt; | cell |\\x1b[2K\\rPASS');
  });

  test("the HTML report's drill-down shows the thrower's verdict and the printers' output as text", async () => {
    const html = await fs.readFile(path.join(root, 'out', 'report.html'), 'utf8');
    const section = (id: string) => html.slice(html.indexOf(`<section class="verdict" id="${id}"`), html.indexOf('</section>', html.indexOf(`id="${id}"`)));
    // Submissions in name order: the retitled one, honest, the forged name; one exercise. Both hostile files print on every case.
    const printed = '<pre>\n::stop-commands::abc\n\n\\x1b]0;pwned\\x07\\x1b[2K\\rPASS transformer-core/foundations/softmax\n\\x9b2K\\u202eSSAP ##[error]old-style command\n';
    expect(section('v0-0')).toContain(printed);
    expect(section('v0-0')).toContain('<p class="problem">Submission problem: \\x1b]0;pwned\\x07\\x1b[2K\\rPASS/llm-tutor.json: unknown field');
    expect(section('v2-0')).toContain('<h3 id="v2-0h"><span class="error">!</span> x\\n::error file=x::forged · foundations/softmax: error</h3>');
    expect(section('v2-0')).toContain('<p>Your function threw Error: \\n::error file=y::thrown &lt;img src=x onerror=alert(1)&gt; | cell |\\x1b[2K\\rPASS.</p>');
    expect(section('v2-0')).toContain(printed);
    expect(section('v2-0')).toContain('<h4>File</h4><p><code>class/x\\n::error file=x::forged/exercises/transformer-core/foundations/softmax.ts</code></p>');
  });
});

describe('check with hostile learner output', () => {
  test('prints the output escaped, each line behind the gutter', () => {
    expect(check.code).toBe(1);
    expect(check.stdout).not.toMatch(rawControl);
    expect(check.stdout).not.toContain('##[');
    expect(check.stdout.split('\n').filter((line) => /^\s*::/.test(line))).toEqual([]);
    expect(check.stdout).toContain('  Your function threw Error: \\n::error file=y::thrown <img src=x onerror=alert(1)> | cell |\\x1b[2K\\rPASS (softmax.ts:6).');
    expect(check.stdout).toContain("    throw new Error('\\n::error file=y::thrown <img src=x onerror=alert(1)> | cell |\\x1b[2K\\rPASS');");
    expect(check.stdout).toContain(['  │ ', '  │ \\x3a:stop-commands::abc', '  │ ', '  │ \\x1b]0;pwned\\x07\\x1b[2K\\rPASS transformer-core/foundations/softmax', '  │ \\x9b2K\\u202eSSAP ##\\x5berror]old-style command'].join('\n'));
  });

  test('a damaged config is reported with its unknown key escaped', () => {
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).not.toMatch(rawControl);
    expect(badConfig.stderr).toContain('llm-tutor.json: unknown field "\\x1b]2;cfg\\x07\\u202ekey": remove it or check the spelling');
  });
});
