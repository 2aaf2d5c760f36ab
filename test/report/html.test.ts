import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ClassResult, ExerciseResult } from '../../src/core/class/results.js';
import { renderHtml } from '../../src/report/html.js';
import { rateLabel } from '../../src/report/html-chart.js';
import { elide, outputLimits } from '../../src/report/html-verdict.js';
import { tempDir } from '../helpers/cli.js';
import { classResult, failingSoftmax, thrown } from '../helpers/class-results.js';
import { dumpDom, probeInChromium, screenshot } from '../helpers/chromium.js';
import { needs } from '../helpers/tools.js';

const softmax = 'transformer-core/foundations/softmax';
const matmul = 'transformer-core/foundations/matmul';

/** alice passes both; bob fails softmax as no-max-subtraction; carol's matmul throws and prints. */
const small = classResult(['alice', 'bob', 'carol'], [softmax, matmul], (student, key) =>
  student === 'bob' && key === softmax ? failingSoftmax(key) : student === 'carol' && key === matmul ? { ...thrown('shapes [2, 3] and [2, 3]'), output: { stdout: 'a.shape [2, 3]\n', stderr: 'warning: slow\n', truncated: false } } : {},
);

/** The verdict panel `id` of an HTML report, as text. */
function panel(html: string, id: string): string {
  const start = html.indexOf(`<section class="verdict" id="${id}"`);
  expect(start, `no verdict ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

/** Every string of a results object passed through `f`, but the enums the report uses as class names and the non-finite numbers of a diff. */
function mapStrings(value: unknown, f: (s: string) => string, key = ''): unknown {
  if (typeof value === 'string') return ['status', 'kind', 'confidence', 'unit'].includes(key) || ['NaN', 'Infinity', '-Infinity'].includes(value) ? value : f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f, k)]));
  return value;
}

const tags = (html: string) => [...html.matchAll(/<\/?[a-z][a-z0-9]*|<!/gi)].map((m) => m[0]);
const hostile = (s: string) => `${s}</script><script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">'"&\u202e\x1b[2K<!--`;

async function written(result: ClassResult): Promise<string> {
  const file = path.join(tempDir('llm-tutor-html-'), 'report.html');
  await fs.writeFile(file, renderHtml(result));
  return file;
}

describe('the class report', () => {
  test('has a legend for the marks and the bar colours, and labels every bar with its rate', () => {
    const html = renderHtml(small);
    expect(html).toContain('<span class="mark pass">✓</span> passes every case · <span class="mark fail">✗</span> fails: a wrong value or shape · <span class="mark error">!</span> error:');
    expect(html).toContain('<p class="legend" id="chart-legend">Bars: <span class="swatch good"></span> 80% or more');
    expect([...html.matchAll(/<td class="rate">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(['67% (2/3)', '67% (2/3)']);
    expect(rateLabel({ key: 'k', passed: 2, total: 4 })).toBe('50% (2/4)');
    expect(rateLabel({ key: 'k', passed: 0, total: 0 })).toBe('0% (0/0)');
  });

  test("gives each student's points, each exercise's worth, and the class's mean score", () => {
    const scored = classResult(['alice', 'bob'], [softmax, matmul], (student, key) =>
      key === softmax ? { maxScore: 3, ...(student === 'bob' ? { ...failingSoftmax(key), score: 2 } : { score: 3 }) } : {},
    );
    scored.exercises[0] = { ...scored.exercises[0], points: 3, partialCredit: true };
    const html = renderHtml(scored);
    expect(html).toContain('<th>submission</th><th>passed</th><th>points</th><th title="The exercise transformer-core/foundations/softmax">foundations/softmax<br><span class="meta">3 points, partial</span></th><th title="The exercise transformer-core/foundations/matmul">foundations/matmul<br><span class="meta">1 point</span></th>');
    expect([...html.matchAll(/<td class="points">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(['4/4', '3/4']);
    expect(html).toContain(' · mean score 3.5 of 4 points · ');
  });

  test('every ✗ and ! and every ✓ that printed links to its verdict, and the verdict back to its cell', () => {
    const printed = classResult(['dora'], [softmax], () => ({ output: { stdout: 'hello\n', stderr: '', truncated: false } }));
    const html = renderHtml(small);
    expect([...html.matchAll(/<td class="(\w+)"><a id="(c[\d-]+)" href="#(v[\d-]+)"/g)].map((m) => m.slice(1))).toEqual([
      ['fail', 'c1-0', 'v1-0'],
      ['error', 'c2-1', 'v2-1'],
    ]);
    expect((html.match(/<td class="pass">✓<\/td>/g) ?? []).length).toBe(4);
    for (const [cell, verdict] of [['c1-0', 'v1-0'], ['c2-1', 'v2-1']]) expect(panel(html, verdict)).toContain(`<a class="close" href="#${cell}">Close</a>`);
    expect([...html.matchAll(/<section class="verdict" id="([\w-]+)"/g)].map((m) => m[1])).toEqual(['v1-0', 'v2-1']);
    expect(renderHtml(printed)).toContain('<td class="pass"><a id="c0-0" href="#v0-0" title="All 9 cases pass.">✓</a></td>');
    // A misconception's students link to their verdicts too.
    expect(html).toContain('<td><a href="#v1-0">bob</a></td>');
  });

  test("a failure's verdict holds its cases, first failure, expected vs got, diagnosis, file and output", () => {
    const bob = panel(renderHtml(small), 'v1-0');
    expect(bob).toContain('<h3 id="v1-0h"><span class="fail">✗</span> bob · foundations/softmax: fails</h3>');
    expect(bob).toContain(
      '<ul class="cases"><li><span class="pass">✓</span> 6 of 9 cases pass</li><li><span class="fail">✗</span> “large logits (±1000)”: the first case that did not pass (fails)</li><li>2 more cases did not pass (the results keep the first one\'s details)</li></ul>',
    );
    // The case's message is in the result's, said once; the comparison's says more.
    expect(bob).toContain('<dl><dt>input</dt><dd><code>[1000, 1001.5, -1000, 999]</code></dd></dl><p>Mismatched elements: 3 / 4 (75.0%). Largest difference at [1]: expected 0.6285, got NaN.</p>');
    expect(bob).toContain('<tr><th scope="row">[1]</th><td>0.6285</td><td class="bad">NaN</td></tr><tr><th scope="row">[2]</th><td>0.0000</td><td>0.0000</td></tr>');
    expect(bob).toContain('<p><strong>exponentiating without subtracting the max</strong> (matches all 3 failing cases)</p><p>exp(1000) overflows to Infinity.</p>');
    expect(bob).toContain('<h4>File</h4><p><code>class/bob/exercises/transformer-core/foundations/softmax.ts</code></p>');
    expect(bob).toContain('<h5>stdout</h5><pre>logits of transformer-core/foundations/softmax\n</pre>');
  });

  test('a verdict from results that keep every case lists each with its mark and name, the first failure pointed out', () => {
    const cases = [
      { name: 'the lesson example', status: 'pass' as const },
      { name: 'large logits (±1000)', status: 'fail' as const },
      { name: 'a <b>hostile</b> name', status: 'error' as const },
      { name: 'random [3, 7]', status: 'not-run' as const },
    ];
    const withCases = classResult(['bob'], [softmax], () => ({ ...failingSoftmax(softmax), casesPassed: 1, casesTotal: 4, cases }));
    expect(panel(renderHtml(withCases), 'v0-0')).toContain(
      '<p>1 of 4 cases pass:</p><ul class="cases"><li><span class="pass">✓</span> the lesson example</li><li><span class="fail">✗</span> large logits (±1000) <em>(the first that did not pass: below)</em></li><li><span class="error">!</span> a &lt;b&gt;hostile&lt;/b&gt; name</li><li><span class="not-run">–</span> random [3, 7]</li></ul>',
    );
  });

  test('non-finite values show in expected vs got whether in memory (grade) or read back from JSON (grade merge)', () => {
    const inMemory = structuredClone(failingSoftmax(softmax)) as { diff: { diff: { window: { got: unknown[][]; expected: unknown[][] } } } };
    inMemory.diff.diff.window.got = [[NaN, Infinity, 0, -Infinity]];
    const html = renderHtml(classResult(['ivy'], [softmax], () => inMemory as Partial<ExerciseResult>));
    expect(panel(html, 'v0-0')).toContain('<td>0.2312</td><td class="bad">NaN</td></tr><tr><th scope="row">[1]</th><td>0.6285</td><td class="bad">Infinity</td></tr>');
    expect(panel(html, 'v0-0')).toContain('<td>0.1403</td><td class="bad">-Infinity</td></tr>');
  });

  test("an error's verdict points to the line and shows both streams", () => {
    const carol = panel(renderHtml(small), 'v2-1');
    expect(carol).toContain('<p>Your function threw Error: shapes [2, 3] and [2, 3].</p>');
    expect(carol).toContain('<ul class="cases"><li>0 of 9 cases pass</li><li><span class="error">!</span> “the lesson example [1, 2, 3]”: the first case that did not pass (error)</li>');
    expect(carol).toContain('<dl><dt>input</dt><dd><code>[1, 2, 3]</code></dd></dl>');
    const other = renderHtml(classResult(['jo'], [matmul], () => ({ ...thrown('x'), failingCase: { name: 'c', status: 'error', message: 'Timed out on case "c".' } })));
    expect(panel(other, 'v0-0')).toContain('<dl><dt>message</dt><dd>Timed out on case &quot;c&quot;.</dd></dl>');
    expect(carol).toContain('<h4>Error location</h4><p><code>class/carol/exercises/transformer-core/foundations/matmul.ts:6</code></p>');
    expect(carol).toContain('<h5>stdout</h5><pre>a.shape [2, 3]\n</pre><h5>stderr</h5><pre>warning: slow\n</pre>');
  });

  test('a diagnosis says how many of the failing cases it explains', () => {
    const diagnosed = (matched: number, failing: number, confidence: 'full' | 'partial') => ({ status: 'fail' as const, diagnosis: { misconceptionId: 'm', title: 'T', message: 'M', confidence, matched, failing } });
    const html = renderHtml(classResult(['hal'], ['p/a', 'p/b', 'p/c'], (_, key) => (key === 'p/a' ? diagnosed(1, 1, 'full') : key === 'p/b' ? diagnosed(3, 3, 'full') : diagnosed(2, 5, 'partial'))));
    expect(['v0-0', 'v0-1', 'v0-2'].map((id) => /<strong>T<\/strong> \(([^)]*)\)/.exec(panel(html, id))![1])).toEqual(['matches the failing case', 'matches all 3 failing cases', 'matches 2 of 5 failing cases']);
  });

  test('expected vs got for sequences, types and shapes, and a diff the report cannot read shows its message alone', () => {
    const diffs: Record<string, unknown> = {
      sequence: { kind: 'sequence', path: '', message: 'The tokens differ at item 2.', diff: { unit: 'items', index: 2, expectedLength: 4, gotLength: 4, expectedContext: '… 5, 9, 2', gotContext: '… 5, 7, 2' } },
      type: { kind: 'type', path: '', message: 'Expected a number[], got a string.', expected: 'a number[]', got: 'a string' },
      shape: { kind: 'shape', path: '', message: 'Expected shape [2, 3], got [3, 2].', expected: [2, 3], got: [3, 2] },
      damaged: { kind: 'values', message: 'Mismatched elements: 1 / 4.', diff: { window: 'not a window' } },
      nothing: 42,
    };
    const keys = Object.keys(diffs).map((k) => `p/${k}`);
    const html = renderHtml(classResult(['eve'], keys, (_, key) => ({ status: 'fail', casesPassed: 8, diff: diffs[key.slice(2)] })));
    expect(panel(html, 'v0-0')).toContain('<p>The tokens differ at item 2.</p><dl class="expected-got"><dt>expected</dt><dd><code>… 5, 9, 2</code></dd><dt>got</dt><dd><code class="got">… 5, 7, 2</code></dd></dl>');
    expect(panel(html, 'v0-1')).toContain('<dd><code>a number[]</code></dd><dt>got</dt><dd><code class="got">a string</code></dd>');
    expect(panel(html, 'v0-2')).toContain('<dd><code>[2, 3]</code></dd><dt>got</dt><dd><code class="got">[3, 2]</code></dd>');
    expect(panel(html, 'v0-3')).toContain('<h4>First failure</h4><p>Mismatched elements: 1 / 4.</p>\n');
    expect(panel(html, 'v0-4')).not.toContain('First failure');
  });

  test("a schedule exercise's plan is drawn as a grid with the violating cells marked", () => {
    const plan = { rowTitle: 'rank', colTitle: 'step', rows: ['0', '1'], cols: ['0', '1', '2'], cells: [['F0', 'B0', ''], ['', 'F0', '<b>']], marks: [[1, 2]] as [number, number][] };
    const html = renderHtml(classResult(['gus'], ['p/pipeline'], () => ({ status: 'fail', casesPassed: 2, failingCase: { name: 'two ranks', status: 'fail', plan } })));
    expect(panel(html, 'v0-0')).toContain('<pre class="plan">rank\\step 0   1   2\n0         F0  B0  ·  \n1         ·   F0  <mark>&lt;b&gt;</mark></pre>');
  });

  test('console output is cut to its first lines and characters, saying how much is left out', () => {
    expect(outputLimits).toEqual({ chars: 500, lines: 10 });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    expect(elide(lines)).toEqual({ shown: Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n'), left: lines.length - 69 });
    expect(elide('x'.repeat(2000))).toEqual({ shown: 'x'.repeat(500), left: 1500 });
    expect(elide('short\n')).toEqual({ shown: 'short\n', left: 0 });
    expect(elide(`${'x'.repeat(499)}😀`)).toEqual({ shown: 'x'.repeat(499), left: 2 });
    const html = renderHtml(classResult(['fay'], [softmax], () => ({ status: 'fail', output: { stdout: 'x'.repeat(2000), stderr: '', truncated: true } })));
    expect(panel(html, 'v0-0')).toContain(`<pre>${'x'.repeat(500)}</pre><p class="meta">1500 more characters not shown here; the JSON results keep up to 2000.</p><p class="meta">The grader kept only the start of this output.</p>`);
  });

  test('text from submissions in every field is escaped: the markup is the same as with plain text', () => {
    const hostileHtml = renderHtml(mapStrings(small, hostile) as ClassResult);
    expect(tags(hostileHtml)).toEqual(tags(renderHtml(mapStrings(small, (s) => `${s}plain`) as ClassResult)));
    expect(hostileHtml).not.toMatch(/<(script|img)|<!--|\x1b|\u202e/i);
    expect(panel(hostileHtml, 'v2-1')).toContain(
      "<pre>a.shape [2, 3]\n&lt;/script&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=&quot;document.title='pwned'&quot;&gt;'&quot;&amp;\\u202e\\x1b[2K&lt;!--</pre>",
    );
  });

  test('a class of 100 students × 26 exercises stays a few megabytes, even when every result fails with full output', () => {
    const keys = Array.from({ length: 26 }, (_, i) => `transformer-core/unit-${i}/exercise-${i}`);
    const students = Array.from({ length: 100 }, (_, i) => `student-${String(i).padStart(3, '0')}`);
    // Seven passes in ten, two failures, one error, spread over the class.
    const typical = classResult(students, keys, (s, key) => {
      const n = (students.indexOf(s) * 26 + keys.indexOf(key)) % 10;
      return n < 7 ? {} : n < 9 ? failingSoftmax(key) : thrown('boom');
    });
    const full = { stdout: `${'x'.repeat(59)}\n`.repeat(34).slice(0, 2000), stderr: 'y'.repeat(2000), truncated: true };
    const worst = classResult(students, keys, (_, key) => ({ ...failingSoftmax(key), output: full }) as Partial<ExerciseResult>);
    const bytes = (r: ClassResult) => Buffer.byteLength(renderHtml(r));
    expect(bytes(classResult(students, keys))).toBeLessThan(150_000);
    expect(bytes(typical)).toBeLessThan(1_500_000);
    expect(bytes(worst)).toBeLessThan(8_500_000);
  });
});

describe('the class report in Chromium', () => {
  interface Layout {
    viewport: number;
    page: number;
    chart: { left: number; right: number };
    labels: { text: string; left: number; right: number; cellRight: number }[];
    legends: string[];
  }
  // Each label's text box (a Range around it, which is not clipped by its cell) lies inside the chart's box, and the chart inside the 1280 px window.
  const layoutProbe = `
    const box = (e) => e.getBoundingClientRect();
    const range = (e) => { const r = document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect(); };
    const chart = box(document.getElementById('pass-rate-chart'));
    return {
      viewport: innerWidth, page: document.documentElement.scrollWidth, chart: { left: chart.left, right: chart.right },
      labels: [...document.querySelectorAll('#pass-rate-chart td.rate')].map((td) => ({ text: td.textContent, left: range(td).left, right: range(td).right, cellRight: box(td).right })),
      legends: [...document.querySelectorAll('.legend')].filter((e) => getComputedStyle(e).display !== 'none' && box(e).height > 0).map((e) => e.id),
    };`;
  // Which verdicts show, the one the URL targets, whether it lies in the window, and its text.
  const verdictProbe = `
    const shown = [...document.querySelectorAll('.verdict')].filter((v) => getComputedStyle(v).display !== 'none');
    const target = document.querySelector(':target');
    const r = target ? target.getBoundingClientRect() : undefined;
    return { shown: shown.map((v) => v.id), target: target && target.id, inView: !!r && r.top >= 0 && r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight, text: target ? target.innerText : '' };`;

  test('labels of the widest rates and longest names lie inside the chart and the window; both legends show', needs('chromium'), async () => {
    const keys = [`p/${'a-long-exercise-name/'.repeat(3)}end`, 'p/half', 'p/none'];
    const students = Array.from({ length: 100 }, (_, i) => `s${i}`);
    const file = await written(classResult(students, keys, (s, key) => (key === 'p/none' || (key === 'p/half' && students.indexOf(s) % 2) ? { status: 'fail' } : {})));
    const layout = await probeInChromium<Layout>(file, layoutProbe);
    expect(layout.labels.map((l) => l.text)).toEqual(['100% (100/100)', '50% (50/100)', '0% (0/100)']);
    for (const label of layout.labels) {
      expect(label.left).toBeGreaterThanOrEqual(layout.chart.left);
      expect(label.right).toBeLessThanOrEqual(layout.chart.right);
      expect(label.right).toBeLessThanOrEqual(label.cellRight);
    }
    expect(layout.chart.right).toBeLessThanOrEqual(layout.viewport);
    expect(layout.page).toBeLessThanOrEqual(layout.viewport);
    expect(layout.legends).toEqual(['chart-legend', 'legend']);
    const png = path.join(path.dirname(file), 'report.png');
    screenshot(file, png);
    expect((await fs.stat(png)).size).toBeGreaterThan(10_000);
  });

  test('a cell opens its verdict and only it, in the window; Close hides it', needs('chromium'), async () => {
    const file = await written(small);
    const closed = await probeInChromium<{ shown: string[] }>(file, verdictProbe);
    expect(closed.shown).toEqual([]);
    const open = await probeInChromium<{ shown: string[]; target: string; inView: boolean; text: string }>(file, verdictProbe, '#v1-0');
    expect(open).toMatchObject({ shown: ['v1-0'], target: 'v1-0', inView: true });
    for (const part of ['bob · foundations/softmax: fails', '“large logits (±1000)”: the first case that did not pass', 'exponentiating without subtracting the max', 'class/bob/exercises/transformer-core/foundations/softmax.ts', 'logits of transformer-core/foundations/softmax'])
      expect(open.text).toContain(part);
    // Following the cell's link and then Close, as a keyboard user's Enter does.
    const clicked = await probeInChromium<{ opened: string[]; closed: string[] }>(
      file,
      `const shown = () => [...document.querySelectorAll('.verdict')].filter((v) => getComputedStyle(v).display !== 'none').map((v) => v.id);
       document.getElementById('c2-1').click(); const opened = shown();
       document.querySelector('#v2-1 .close').click(); return { opened, closed: shown() };`,
    );
    expect(clicked).toEqual({ opened: ['v2-1'], closed: [] });
    const png = path.join(path.dirname(file), 'verdict.png');
    screenshot(file, png, '#v1-0');
    expect((await fs.stat(png)).size).toBeGreaterThan(10_000);
  });

  test("a student's name and output holding </script> and <img onerror> run nothing in the drill-down, with or without the CSP", needs('chromium'), async () => {
    const file = await written(mapStrings(small, hostile) as ClassResult);
    const dom = dumpDom(file, '#v2-1');
    expect(dom).not.toMatch(/<img|<title>pwned/);
    expect((dom.match(/<script/g) ?? []).length).toBe(0);
    const page = await probeInChromium<{ title: string; images: number; scripts: number; shown: string[]; text: string }>(
      file,
      `const v = document.getElementById('v2-1');
       return { title: document.title, images: document.images.length, scripts: document.scripts.length, shown: [...document.querySelectorAll('.verdict')].filter((e) => getComputedStyle(e).display !== 'none').map((e) => e.id), text: v.innerText };`,
      '#v2-1',
    );
    // The probe's own script is the one script; the verdict shows the text as text.
    expect(page).toMatchObject({ title: 'llm-tutor class report', images: 0, scripts: 1, shown: ['v2-1'] });
    expect(page.text).toContain(`carol</script><script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">`);
  });
});
