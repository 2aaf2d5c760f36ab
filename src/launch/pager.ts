import { spawn } from 'node:child_process';
import { splitCommand } from './editor.js';

/** A pager to start: the program, its arguments and the environment it runs in. */
export interface Pager {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The pager for a long text, chosen as git chooses one: none when stdout is
 * not a terminal or paging is off (`--no-pager`); otherwise LLM_TUTOR_PAGER,
 * else PAGER, else `less`, and none when that is empty or `cat`. `less` reads
 * its options from LESS, set to `FRX` (quit when the text fits one screen,
 * keep colours, leave the text on screen) unless the learner set it.
 */
export function choosePager(options: { isTTY: boolean; paging: boolean }, env: NodeJS.ProcessEnv = process.env): Pager | undefined {
  if (!options.isTTY || !options.paging) return undefined;
  const value = (env.LLM_TUTOR_PAGER ?? env.PAGER ?? 'less').trim();
  if (value === '' || value === 'cat') return undefined;
  const [command, ...args] = splitCommand(value);
  return { command, args, env: { ...env, LESS: env.LESS ?? 'FRX', LV: env.LV ?? '-c' } };
}

/**
 * Shows `text` in `pager` on this terminal and waits until the learner quits
 * it. Resolves to false when the pager could not be started, so that the
 * caller prints the text instead.
 */
export function showInPager(text: string, pager: Pager): Promise<boolean> {
  return new Promise((resolve) => {
    // Ctrl-C goes to the whole terminal; the pager decides what it means, and the tutor waits for it to quit.
    const keepRunning = () => {};
    process.on('SIGINT', keepRunning);
    const finish = (started: boolean) => {
      process.off('SIGINT', keepRunning);
      resolve(started);
    };
    const child = spawn(pager.command, pager.args, { stdio: ['pipe', 'inherit', 'inherit'], env: pager.env });
    child.once('error', () => finish(false));
    child.once('close', () => finish(true));
    // The learner may quit before the pager has read everything.
    child.stdin.on('error', () => {});
    child.stdin.end(text.endsWith('\n') ? text : `${text}\n`);
  });
}
