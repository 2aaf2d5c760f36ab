import { beforeAll, describe, expect, test } from 'vitest';
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
});
