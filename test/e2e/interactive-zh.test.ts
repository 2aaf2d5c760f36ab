import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { bin, coreExerciseCount, learnerFile, makeWorkspace, repoRoot } from '../helpers/cli.js';
import { needs } from '../helpers/tools.js';
import { screen, stopTerminal, tmux, waitForScreen } from '../helpers/tmux.js';
import { displayWidth } from '../../src/report/text-width.js';

/**
 * The interactive screen in Simplified Chinese, in a real terminal at 80×24
 * and 120×40: CJK characters take two columns, so every row must still fit,
 * the progress bar's count must end at the right edge, the diff's columns and
 * the diagnosis box's borders must line up, and the key bar must fit.
 */
const transposed = `export function matmul(a: Matrix, b: Matrix): Matrix {
  return b[0].map((_, j) => a.map((row) => row.reduce((s, x, p) => s + x * b[p][j], 0)));
}
`;

/** The screen's rows without the empty ones below the last output. */
const rowsOf = (shown: string) => shown.trimEnd().split('\n');

/** The display column where each run of non-spaces ends in a row (a CJK character counts two). */
function tokenEnds(row: string): number[] {
  const ends: number[] = [];
  let column = 0;
  const chars = [...row];
  chars.forEach((ch, i) => {
    column += displayWidth(ch);
    if (ch !== ' ' && (chars[i + 1] === undefined || chars[i + 1] === ' ')) ends.push(column);
  });
  return ends;
}

/** What must hold of every whole frame (its key bar drawn): returns the problems found. */
function frameProblems(shown: string, columns: number, lines: number): string[] {
  const rows = rowsOf(shown);
  const problems: string[] = [];
  if (rows.length > lines - 1) problems.push(`${rows.length} rows on a screen of ${lines}`);
  for (const row of rows) if (displayWidth(row) > columns - 1) problems.push(`wider than ${columns - 1}: ${row}`);
  // The header: the pack's title, the bar, and the count ending at the right edge (the screen leaves the last column free, as in English).
  if (!/^Transformer 核心\s+[█░]+ 已完成 \d+\/\d+$/.test(rows[0])) problems.push(`header: ${rows[0]}`);
  else if (displayWidth(rows[0]) !== columns - 1) problems.push(`the header ends at column ${displayWidth(rows[0])}, not ${columns - 1}`);
  if (!/^\d+\. \S/.test(rows[1])) problems.push(`exercise line: ${rows[1]}`);
  // A box's borders line up: every row of it as wide as its top.
  const top = rows.findIndex((row) => row.startsWith('╭'));
  if (top >= 0) {
    const bottom = rows.findIndex((row, i) => i > top && row.startsWith('╰'));
    for (const row of rows.slice(top + 1, bottom < 0 ? rows.length - 1 : bottom)) {
      if (row.startsWith('│') && displayWidth(row) !== displayWidth(rows[top])) problems.push(`box row of width ${displayWidth(row)}, the box's ${displayWidth(rows[top])}: ${row}`);
    }
  }
  return problems;
}

async function waitChecked(target: string, texts: (string | RegExp)[], columns: number, lines: number, frames: string[]): Promise<string> {
  return vi.waitFor(
    () => {
      const shown = screen(target);
      const rows = rowsOf(shown);
      if (rows.at(-1)?.startsWith('h 提示')) {
        frames.push(shown);
        expect(frameProblems(shown, columns, lines), shown).toEqual([]);
      }
      const missing = texts.filter((text) => (typeof text === 'string' ? !shown.includes(text) : !text.test(shown)));
      if (missing.length) throw new Error(`waiting for ${missing.map(String).join(', ')}; screen:\n${shown}`);
      return shown;
    },
    { timeout: 30_000, interval: 50 },
  );
}

describe('the screen in zh-CN', needs('tmux'), () => {
  const sizes: [columns: number, lines: number, how: 'env' | 'config'][] = [
    [80, 24, 'env'],
    [120, 40, 'config'],
  ];

  test.each(sizes)('at %i×%i (chosen by %s): Chinese throughout, and the layout lines up', { timeout: 120_000 }, async (columns, lines, how) => {
    const ws = await makeWorkspace(['transformer-core']);
    let env = 'LLM_TUTOR_LANG=zh-CN';
    if (how === 'config') {
      // The workspace's "lang", with a system locale that would say English.
      const file = path.join(ws, 'llm-tutor.json');
      await fs.writeFile(file, JSON.stringify({ ...JSON.parse(await fs.readFile(file, 'utf8')), lang: 'zh-CN' }, null, 2));
      env = 'LLM_TUTOR_LANG= LANG=en_US.UTF-8';
    }
    const target = `llm-tutor-zh-${process.pid}-${columns}`;
    const frames: string[] = [];
    tmux('new-session', '-d', '-s', target, '-x', String(columns), '-y', String(lines), `cd ${JSON.stringify(ws)} && NO_COLOR=1 ${env} ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} next; echo "[exit $?]"; sleep 30`);
    try {
      const first = await waitChecked(target, ['1. 矩阵乘法 (foundations/matmul)', `已完成 0/${coreExerciseCount}`, /^ 出错  0\/\d+ 个用例通过/m, 'h 提示  n 下一个'], columns, lines, frames);
      // The lesson's idea, from lesson.zh-CN.md.
      expect(first).toContain('一个 [n, k] 矩阵乘以一个 [k, m] 矩阵');

      await fs.writeFile(learnerFile(ws, 'foundations/matmul'), transposed);
      const failing = await waitChecked(target, ['很可能的错误：结果被转置了（[m, n] 而不是 [n, m]）', /^ 未通过  3\/17 个用例通过/m, '期望', '实际'], columns, lines, frames);
      // The diff's grids: each row's numbers end in the columns of its header row of indices.
      const rows = rowsOf(failing);
      for (const label of ['期望', '实际']) {
        const at = rows.indexOf(label);
        expect(at, failing).toBeGreaterThan(0);
        const header = tokenEnds(rows[at + 1]);
        expect(header.length).toBe(2);
        for (const row of rows.slice(at + 2, at + 4)) expect(tokenEnds(row).slice(1), `${label}: ${row}`).toEqual(header);
      }

      tmux('send-keys', '-t', target, 'h');
      await waitChecked(target, ['针对「结果被转置了（[m, n] 而不是 [n, m]）」的提示'], columns, lines, frames);

      await fs.copyFile(path.join(repoRoot, 'exercises', 'transformer-core', 'foundations', 'matmul', 'solution.ts'), learnerFile(ws, 'foundations/matmul'));
      await waitChecked(target, ['通过了！按 n 进入下一个练习', /^ 通过  17\/17 个用例通过/m], columns, lines, frames);
      tmux('send-keys', '-t', target, 'n');
      await waitChecked(target, ['2. 数值稳定的 softmax (foundations/softmax)', `已完成 1/${coreExerciseCount}`], columns, lines, frames);
      tmux('send-keys', '-t', target, 'q');
      await waitForScreen(target, ['[exit 0]']);
      expect(frames.length).toBeGreaterThan(3);
      expect(frames.some((f) => f.includes('╭'))).toBe(true);
    } finally {
      stopTerminal(target);
    }
  });
});
