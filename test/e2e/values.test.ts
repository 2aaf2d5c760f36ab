import { beforeAll, describe, expect, test } from 'vitest';
import { groupedQueryAttention } from '../../exercises/transformer-core/attention/grouped-query/solution.js';
import { makeWorkspace, runCli, useFixture } from '../helpers/cli.js';

// Arguments by name and the reference's intermediate values, as `example --trace` and `check` print them.
let ws: string;

beforeAll(async () => {
  ws = await makeWorkspace();
});

/** The numbers of the grid printed under the title line `title` (rows of "index value value …"). */
function gridAfter(stdout: string, title: string): number[][] {
  const lines = stdout.split('\n');
  const at = lines.indexOf(title);
  if (at < 0) throw new Error(`no line "${title}" in:\n${stdout}`);
  const rows: number[][] = [];
  for (const line of lines.slice(at + 2)) {
    if (!/^\s+\d+\s/.test(line)) break;
    rows.push(line.trim().split(/\s+/).slice(1).map(Number));
  }
  return rows;
}

function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function expectClose(got: number[][], want: number[][]) {
  expect(got.map((row) => row.length)).toEqual(want.map((row) => row.length));
  got.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(x - want[i][j])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want[i][j]))));
}

describe('example', () => {
  test('--trace prints the arguments by name, then the scores and the weights of scaled dot-product attention, then the output', async () => {
    for (const n of ['1', '2']) {
      const json = JSON.parse((await runCli(['example', 'scaled-dot-product', '--case', n, '--json', '--trace', '--workspace', ws])).stdout);
      expect(json.names).toEqual(['q', 'k', 'v']);
      expect(Object.keys(json.trace)).toEqual(['scores', 'weights']);
      const [q, k] = json.args as number[][][];
      // Computed here in float64, independently of the tutor's tfjs reference.
      const scores = q.map((qi) => k.map((kj) => qi.reduce((s, x, t) => s + x * kj[t], 0) / Math.sqrt(qi.length)));
      const r = await runCli(['example', 'scaled-dot-product', '--case', n, '--trace', '--workspace', ws]);
      expect(r.code).toBe(0);
      const titles = r.stdout.split('\n').filter((line) => /^\S+( \S+)?  number\[/.test(line));
      expect(titles).toEqual([`q  number[${q.length}][${q[0].length}]`, `k  number[${k.length}][${k[0].length}]`, expect.stringMatching(/^v  /), `scores  number[${q.length}][${k.length}]`, `weights  number[${q.length}][${k.length}]`, expect.stringMatching(/^expected output  /)]);
      expect(r.stdout).toContain('\nInside the reference, in order:\n');
      expectClose(gridAfter(r.stdout, `scores  number[${q.length}][${k.length}]`), scores);
      expectClose(gridAfter(r.stdout, `weights  number[${q.length}][${k.length}]`), scores.map(softmax));
      expectClose(gridAfter(r.stdout, `q  number[${q.length}][${q[0].length}]`), q);
    }
  });

  test('without --trace no intermediate values, and a hint that --trace shows them; an exercise without a trace says so', async () => {
    const r = await runCli(['example', 'scaled-dot-product', '--workspace', ws]);
    expect(r.stdout).not.toContain('scores  number');
    expect(r.stdout).toContain('--trace shows the values the reference computes on the way.');
    const none = await runCli(['example', 'matmul', '--trace', '--workspace', ws]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('\nThis exercise names no intermediate values.\n');
    expect(none.stdout).not.toContain('Inside the reference');
  });
});

describe('check', () => {
  test('the first failing case shows the mask by name as a grid of ■ and □, and the reference inside it after the diff', async () => {
    await useFixture(ws, 'attention/padding-mask', 'padding-mask-no-max.ts');
    const r = await runCli(['check', 'padding-mask', '--workspace', ws]);
    expect(r.code).toBe(1);
    const fromCase = r.stdout.slice(r.stdout.indexOf('\nCase "large scores'));
    expect(fromCase).toContain(['  mask  boolean[2][3]', '      0 1 2', '    0 ■ ■ □', '    1 ■ □ ■'].join('\n'));
    expect(fromCase).toContain(['  q  number[2][4]', '        0   1   2   3', '    0  32  32  32  32', '    1 -32 -32 -32 -32'].join('\n'));
    expect(r.stdout).not.toContain('input: ');
    const inside = fromCase.slice(fromCase.indexOf('  Inside the reference, on these arguments:'));
    expect(inside).toContain(['  masked  number[2][3]', '              0         1         2', '    0      1000      1001 -Infinity', '    1     -1000 -Infinity     -1008'].join('\n'));
    expect(fromCase.indexOf('Mismatched elements')).toBeLessThan(fromCase.indexOf('Inside the reference'));
  });

  test('a [H][n][dv] output wrong in head 1 shows the slice [1, :, :], its rows only, aligned, at one precision, without −0', async () => {
    await useFixture(ws, 'attention/grouped-query', 'grouped-query-head-1-unscaled.ts');
    const r = await runCli(['check', 'grouped-query', '--workspace', ws]);
    expect(r.code).toBe(1);
    // The lesson example passes (head 1's scale makes no difference there); the second case is the first to fail.
    const example = JSON.parse((await runCli(['example', 'grouped-query', '--case', '2', '--json', '--workspace', ws])).stdout);
    expect(r.stdout).toContain(`\nCase "${example.name}"\n`);
    const lines = r.stdout.split('\n');
    const grid = (title: string) => {
      const at = lines.indexOf(title);
      expect(at, `no line "${title}" in:\n${r.stdout}`).toBeGreaterThan(0);
      const header = lines[at + 1];
      const after = lines.slice(at + 2);
      const rows = after.slice(0, after.findIndex((l) => !/^\s+\d+\s/.test(l)));
      return { header, rows, values: rows.map((row) => row.trim().split(/\s+/).slice(1)), labels: rows.map((row) => Number(row.trim().split(/\s+/)[0])) };
    };
    const expected = grid('  expected [1, :, :]');
    const got = grid('  got [1, :, :]');
    // Head 1 of the model solution on this case's arguments, computed here in float64.
    const want = groupedQueryAttention(...(example.args as [number[][][], number[][][], number[][][]]))[1];
    expect(expected.labels.length).toBeGreaterThan(1);
    expect(got.labels).toEqual(expected.labels);
    expected.values.forEach((row, i) => row.forEach((text, j) => expect(Math.abs(Number(text) - want[expected.labels[i]][j])).toBeLessThan(1e-4)));
    const texts = [...expected.values.flat(), ...got.values.flat()];
    const decimals = new Set(texts.map((t) => t.split('.')[1]?.length ?? 0));
    expect(decimals.size, texts.join(' ')).toBe(1);
    expect(texts.filter((t) => /^-0(\.0*)?$/.test(t))).toEqual([]);
    const ends = (row: string) => [...row.matchAll(/\S+/g)].map((m) => m.index + m[0].length);
    for (const { header, rows } of [expected, got]) for (const row of rows) expect(ends(row).slice(1), row).toEqual(ends(header));
  });
});
