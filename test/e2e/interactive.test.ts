import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { bin, coreExerciseCount, learnerFile, makeWorkspace, repoRoot, tempDir } from '../helpers/cli.js';
import { needs, runsHere } from '../helpers/tools.js';
import { screen as screenOf, tmux, waitForScreen as waitForTerminal } from '../helpers/tmux.js';

const session = `llm-tutor-e2e-${process.pid}`;
// CI installs tmux (.ci/run) and must run this test; a machine without tmux skips it.
const runs = runsHere('tmux');
let ws: string;

function screen(target = session): string {
  return screenOf(target);
}

/**
 * Waits until the terminal shows every one of `texts` at once (polling the real screen, no fixed
 * sleeps). Asking for all of them together matters: a capture can land while a frame is half drawn.
 */
async function waitForScreen(texts: (string | RegExp)[], timeout = 20_000, target = session): Promise<string> {
  return waitForTerminal(target, texts, timeout);
}

const transposed = `export function matmul(a: Matrix, b: Matrix): Matrix {
  return b[0].map((_, j) => a.map((row) => row.reduce((s, x, p) => s + x * b[p][j], 0)));
}
`;

beforeAll(async () => {
  if (!runs) return;
  ws = await makeWorkspace();
  // CI=true as a dev container or a CI runner sets it: the screen must still draw every frame.
  const command = `cd ${JSON.stringify(ws)} && NO_COLOR=1 CI=true ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} next; echo "EXITED $?"; sleep 30`;
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '60', command);
});

afterAll(() => {
  if (!runs) return;
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
});

describe('llm-tutor next in a real terminal', needs('tmux'), () => {
  test('save a wrong file, take a hint, save the right one, move on, quit', { timeout: 90_000 }, async () => {
    await waitForScreen([
      'Not implemented yet',
      '1. Matrix multiplication (foundations/matmul)',
      /Transformer core\s+░+ 0\/\d+ solved/,
      'h hint  n next  l list  r re-run  s solution  o open in editor  q quit',
    ]);

    await fs.writeFile(learnerFile(ws, 'foundations/matmul'), transposed);
    await waitForScreen([
      'Likely mistake: the result is transposed',
      ' FAIL ',
      // expected over got, or side by side when the screen is short of rows.
      /expected\n\s+0\s+1\n\s+0\s+58\s+64\n\s+1\s+139\s+154\ngot\n\s+0\s+1\n\s+0\s+58\s+139|expected\s+got\n\s+0\s+1\s+0\s+1\n\s+0\s+58\s+64\s+0\s+58\s+139\n\s+1\s+139\s+154\s+1\s+64\s+154/,
    ]);

    // The hint for the diagnosed mistake comes before the tiered ones.
    tmux('send-keys', '-t', session, 'h');
    await waitForScreen(['Hint for “the result is transposed']);

    await fs.copyFile(path.join(repoRoot, 'exercises', 'transformer-core', 'foundations', 'matmul', 'solution.ts'), learnerFile(ws, 'foundations/matmul'));
    // The hint revealed before stays on screen after the pass.
    await waitForScreen(['Solved! Press n for the next exercise', ' PASS  17/17 cases pass', 'Hint for “the result is transposed']);

    tmux('send-keys', '-t', session, 'n');
    await waitForScreen(['2. A numerically stable softmax (foundations/softmax)', /█*░+ 1\/\d+ solved/]);

    tmux('send-keys', '-t', session, 'q');
    await waitForScreen(['EXITED 0']);

    const state = JSON.parse(await fs.readFile(path.join(ws, '.llm-tutor', 'state.json'), 'utf8'));
    expect(state.exercises['transformer-core/foundations/matmul']).toMatchObject({ status: 'passed', revealedHints: ['mistake:transposed-result'] });
  });
});

/** The screen's lines without the empty ones below the last output. */
function lines(shown: string): string[] {
  return shown.trimEnd().split('\n');
}

describe('leaving the screen', needs('tmux'), () => {
  const keyBar = 'h hint  n next  l list  r re-run  s solution  o open in editor  q quit';

  /** Starts `next` in a terminal of `rows` rows, with the shell's view of its exit code after it; returns the session's name. */
  async function start(name: string, rows: number): Promise<string> {
    const target = `${session}-${name}`;
    const command = `cd ${JSON.stringify(ws)} && NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} next; echo "[exit $?]"; sleep 30`;
    tmux('new-session', '-d', '-s', target, '-x', '80', '-y', String(rows), command);
    await waitForScreen([keyBar, /not implemented/i], 20_000, target);
    return target;
  }

  function stop(target: string): void {
    try {
      tmux('kill-session', '-t', target);
    } catch {
      // already gone
    }
  }

  // 12 rows: the frame fills the terminal, and Ink leaves the newline off such a frame.
  test('q in a full terminal shows the cursor again and leaves the prompt on a line of its own', { timeout: 60_000 }, async () => {
    const target = await start('quit', 12);
    try {
      expect(tmux('display-message', '-p', '-t', target, '#{cursor_flag}').trim()).toBe('0');
      tmux('send-keys', '-t', target, 'q');
      const shown = await waitForScreen(['[exit 0]'], 20_000, target);
      expect(lines(shown).slice(-2)).toEqual([keyBar, '[exit 0]']);
      expect(tmux('display-message', '-p', '-t', target, '#{cursor_flag}').trim()).toBe('1');
    } finally {
      stop(target);
    }
  });

  test('Ctrl-C, even from the exercise list, leaves the same way and exits 130', { timeout: 60_000 }, async () => {
    const target = await start('interrupt', 24);
    try {
      tmux('send-keys', '-t', target, 'l');
      await waitForScreen(['↑↓/jk move'], 20_000, target);
      tmux('send-keys', '-t', target, 'C-c');
      const shown = await waitForScreen(['[exit 130]'], 20_000, target);
      expect(lines(shown).at(-1)).toBe('[exit 130]');
      expect(tmux('display-message', '-p', '-t', target, '#{cursor_flag}').trim()).toBe('1');
    } finally {
      stop(target);
    }
  });
});

describe('the screen at 80×24, through the first five exercises', needs('tmux'), () => {
  const target = `${session}-five`;
  const frames: string[] = [];

  /**
   * Waits for `texts` as waitForScreen does, and checks every capture taken meanwhile: a whole frame (its key bar
   * drawn) has the pack's header on its first row, the exercise on its second, fits 23 rows, and shows the verdict
   * line whenever a verdict is on screen.
   */
  async function waitChecked(texts: (string | RegExp)[]): Promise<string> {
    return vi.waitFor(
      () => {
        const shown = screen(target);
        const rows = lines(shown);
        if (rows.at(-1)?.startsWith('h hint')) {
          frames.push(shown);
          expect(rows.length, shown).toBeLessThanOrEqual(23);
          expect(rows[0], shown).toMatch(new RegExp(`^Transformer core\\s+[█░]+ \\d+/${coreExerciseCount} solved$`));
          expect(rows[1], shown).toMatch(/^\d\. /);
          if (rows.some((row) => /^(Case “|\d+ of \d+ cases pass|Likely mistake)/.test(row))) expect(shown).toMatch(/^ (PASS|FAIL|ERROR)  \d+\/\d+ cases pass/m);
        }
        const missing = texts.filter((text) => (typeof text === 'string' ? !shown.includes(text) : !text.test(shown)));
        if (missing.length) throw new Error(`waiting for ${missing.map(String).join(', ')}; screen:\n${shown}`);
        return shown;
      },
      { timeout: 30_000, interval: 50 },
    );
  }

  const solution = (id: string) => path.join(repoRoot, 'exercises', 'transformer-core', ...id.split('/'), 'solution.ts');
  const fixture = (name: string) => path.join(repoRoot, 'fixtures', 'learner', name);

  test('each exercise fails with its mistake, then passes; header and verdict line stay in view', { timeout: 240_000 }, async () => {
    const five = await makeWorkspace();
    const scaledByD = (await fs.readFile(solution('attention/scaled-dot-product'), 'utf8')).replace('1 / Math.sqrt(d)', '1 / d');
    const mistakes: [string, string, string | RegExp][] = [
      ['foundations/matmul', transposed, 'Likely mistake: the result is transposed'],
      ['foundations/softmax', await fs.readFile(fixture('softmax-no-max.ts'), 'utf8'), /Likely mistake: .*max/],
      ['foundations/cross-entropy', await fs.readFile(path.join(five, 'exercises', 'transformer-core', 'foundations', 'cross-entropy.ts'), 'utf8'), /Not implemented yet|not implemented/i],
      ['attention/scaled-dot-product', scaledByD, /mistake: .*d/],
      ['attention/causal-mask', await fs.readFile(fixture('causal-diagonal-excluded.ts'), 'utf8'), /mistake: /],
    ];
    tmux('new-session', '-d', '-s', target, '-x', '80', '-y', '24', `cd ${JSON.stringify(five)} && NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} next; echo "[exit $?]"; sleep 30`);
    try {
      for (const [index, [id, wrong, diagnosis]] of mistakes.entries()) {
        await waitChecked([`${index + 1}. `, ` (${id})`, /^ (FAIL|ERROR)  /m]);
        await fs.writeFile(learnerFile(five, id), wrong);
        await waitChecked([diagnosis, /^ (FAIL|ERROR)  /m]);
        await fs.copyFile(solution(id), learnerFile(five, id));
        await waitChecked(['Solved! Press n', / PASS  (\d+)\/\1 cases pass/]);
        tmux('send-keys', '-t', target, 'n');
      }
      await waitChecked(['6. ', new RegExp(`5/${coreExerciseCount} solved`)]);
      tmux('send-keys', '-t', target, 'q');
      await waitForScreen(['[exit 0]'], 20_000, target);
      // Many frames were checked, failing and passing ones among them.
      expect(frames.length).toBeGreaterThan(10);
      expect(frames.some((f) => f.includes(' FAIL ') && f.includes('mistake'))).toBe(true);
    } finally {
      try {
        tmux('kill-session', '-t', target);
      } catch {
        // already gone
      }
    }
  });
});

describe('reading a lesson in a terminal', needs('tmux'), () => {
  /** Runs `lesson softmax` in an 80×24 terminal with `env` (PAGER, LESS and LLM_TUTOR_PAGER unset otherwise); returns the session's name. */
  function startLesson(name: string, env: string, args = ''): string {
    const target = `${session}-${name}`;
    const command = `cd ${JSON.stringify(ws)} && env -u PAGER -u LESS -u LLM_TUTOR_PAGER NO_COLOR=1 LLM_TUTOR_COMMAND=llm-tutor ${env} ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} lesson softmax ${args}; echo "[exit $?]"; sleep 30`;
    tmux('new-session', '-d', '-s', target, '-x', '80', '-y', '24', command);
    return target;
  }

  function stop(target: string): void {
    try {
      tmux('kill-session', '-t', target);
    } catch {
      // already gone
    }
  }

  const firstLines = ['A numerically stable softmax', '', 'The idea. Softmax turns a vector of real scores (logits) into a probability'];

  test('lesson pages its first screenful in less; q returns to the shell', { timeout: 60_000 }, async () => {
    const target = startLesson('pager', '');
    try {
      const shown = await waitForScreen([firstLines[2], /\n:\s*$/], 20_000, target);
      expect(lines(shown).slice(0, 3)).toEqual(firstLines);
      expect(shown).not.toContain('Your file:');
      expect(shown).not.toContain('[exit');
      tmux('send-keys', '-t', target, 'q');
      await waitForScreen(['[exit 0]'], 20_000, target);
    } finally {
      stop(target);
    }
  });

  test('Ctrl-C leaves less in charge; once it quits, the tutor exits 130', { timeout: 60_000 }, async () => {
    const target = startLesson('pager-interrupt', '');
    try {
      await waitForScreen([firstLines[2], /\n:\s*$/], 20_000, target);
      tmux('send-keys', '-t', target, 'C-c');
      // less throws away keys typed before it has handled the interrupt: G is sent again until it is taken.
      let end = '';
      for (let attempt = 0; attempt < 8 && !end; attempt++) {
        tmux('send-keys', '-t', target, 'G');
        end = await waitForScreen(['Check it:  llm-tutor check foundations/softmax', '(END)'], 2500, target).catch(() => '');
      }
      expect(end).toContain('(END)');
      expect(end).not.toContain('[exit');
      tmux('send-keys', '-t', target, 'q');
      const shown = await waitForScreen(['[exit 130]'], 20_000, target);
      expect(lines(shown).at(-1)).toBe('[exit 130]');
    } finally {
      stop(target);
    }
  });

  test('without a pager that starts, or with --no-pager, the lesson is printed whole', { timeout: 60_000 }, async () => {
    for (const [name, env, args] of [
      ['missing-pager', 'PAGER=llm-tutor-no-such-pager', ''],
      ['no-pager', '', '--no-pager'],
    ]) {
      const target = startLesson(name, env, args);
      try {
        const shown = await waitForScreen(['[exit 0]'], 20_000, target);
        expect(lines(shown).slice(-3)).toEqual(['Your file: exercises/transformer-core/foundations/softmax.ts', 'Check it:  llm-tutor check foundations/softmax', '[exit 0]']);
      } finally {
        stop(target);
      }
    }
  });
});

describe('next from a folder with no workspace, as npm start in a clone runs it', needs('tmux'), () => {
  test('the screen says where the files are and how to run the other commands from here', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const target = `${session}-fresh`;
    tmux('new-session', '-d', '-s', target, '-x', '100', '-y', '24', `cd ${JSON.stringify(dir)} && env -u LLM_TUTOR_COMMAND NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} next; echo "[exit $?]"; sleep 30`);
    try {
      const shown = await waitForScreen(['1. Matrix multiplication', /^ ERROR  0\/\d+ cases pass/m, 'Your files: ./llm-tutor-workspace/exercises.'], 30_000, target);
      // The command as it runs from this folder (llm-tutor is not on the PATH here), on the screen itself: the lines printed before it scroll away.
      const notice = shown.slice(shown.indexOf('Your files:')).replace(/\n/g, ' ');
      const command = notice.match(/Other commands: `node (\S+) <command>` from this folder/)!;
      expect(path.resolve(dir, command[1])).toBe(bin);
      expect(lines(shown).length).toBeLessThanOrEqual(23);
      tmux('send-keys', '-t', target, 'q');
      await waitForScreen(['[exit 0]'], 20_000, target);
    } finally {
      try {
        tmux('kill-session', '-t', target);
      } catch {
        // already gone
      }
    }
  });
});
