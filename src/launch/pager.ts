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
 * Holds SIGINT back while the pager has the terminal: Ctrl-C reaches the pager
 * too, which decides what it means, and the tutor must not end under it.
 * Returns the function that gives the handlers back and, as git does, raises
 * again a SIGINT that came meanwhile (the tutor then exits 130).
 */
function deferInterrupts(): () => void {
  const handlers = process.listeners('SIGINT');
  let interrupted = false;
  const remember = () => {
    interrupted = true;
  };
  process.removeAllListeners('SIGINT');
  process.on('SIGINT', remember);
  return () => {
    process.off('SIGINT', remember);
    for (const handler of handlers) process.on('SIGINT', handler);
    if (!interrupted) return;
    // At once, before the command returns and the tutor ends as if nothing had happened.
    if (handlers.length > 0) process.emit('SIGINT', 'SIGINT');
    else process.kill(process.pid, 'SIGINT');
  };
}

/**
 * Shows `text` in `pager` on this terminal and waits until the learner quits
 * it. Resolves to false when the pager could not be started, so that the
 * caller prints the text instead.
 */
export function showInPager(text: string, pager: Pager): Promise<boolean> {
  return new Promise((resolve) => {
    const resumeInterrupts = deferInterrupts();
    let finished = false;
    // A pager that cannot start reports an error and may close afterwards: the first of the two counts.
    const finish = (started: boolean) => {
      if (finished) return;
      finished = true;
      resumeInterrupts();
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
