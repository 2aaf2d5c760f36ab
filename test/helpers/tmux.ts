import { execFileSync } from 'node:child_process';
import { vi } from 'vitest';
import { bin } from './cli.js';

export function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

/** What the terminal of the tmux session `target` shows now. */
export function screen(target: string): string {
  return tmux('capture-pane', '-p', '-t', target);
}

/**
 * Waits until the terminal of `target` shows every one of `texts` at once
 * (polling the real screen, no fixed sleeps); returns the screen.
 */
export async function waitForScreen(target: string, texts: (string | RegExp)[], timeout = 20_000): Promise<string> {
  return vi.waitFor(
    () => {
      const shown = screen(target);
      const missing = texts.filter((text) => (typeof text === 'string' ? !shown.includes(text) : !text.test(shown)));
      if (missing.length) throw new Error(`waiting for ${missing.map(String).join(', ')}; screen:\n${shown}`);
      return shown;
    },
    { timeout, interval: 50 },
  );
}

/**
 * Starts `llm-tutor <args>` in `cwd` in a new tmux session named `target`
 * (200×50, so that lines do not wrap; plain output), followed by a `[exit N]` line with its exit code.
 */
export function startInTerminal(target: string, cwd: string, args: string[]): void {
  const command = `cd ${JSON.stringify(cwd)} && NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} ${args.join(' ')}; echo "[exit $?]"; sleep 60`;
  tmux('new-session', '-d', '-s', target, '-x', '200', '-y', '50', command);
}

/** Ends the tmux session `target`, if it is still there. */
export function stopTerminal(target: string): void {
  try {
    tmux('kill-session', '-t', target);
  } catch {
    // already gone
  }
}
