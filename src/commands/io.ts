import { createInterface } from 'node:readline';
import { InterruptedError } from '../errors.js';
import { displayWidth } from '../report/text-width.js';

/** Where commands write, and where they ask; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  /** The terminal's width in columns, when stdout is a terminal that reports it. */
  columns?: number;
  cwd: string;
  /**
   * Asks the learner `question` and resolves with their reply (undefined when
   * the input ends first); Ctrl-C rejects with {@link InterruptedError}.
   * Absent when there is no terminal to ask in.
   */
  ask?: (question: string) => Promise<string | undefined>;
}

/** Asks on the process's terminal: one line of reply. */
function askInTerminal(question: string): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return new Promise<string | undefined>((resolve, reject) => {
    rl.once('SIGINT', () => {
      process.stdout.write('\n');
      reject(new InterruptedError());
      rl.close();
    });
    // Ctrl-D: the input ends without a reply (resolving after an answer changes nothing).
    rl.once('close', () => resolve(undefined));
    rl.question(question, (reply) => {
      resolve(reply);
      rl.close();
    });
  });
}

/** The process's own streams and folder. */
export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
  ask: process.stdin.isTTY && process.stdout.isTTY ? askInTerminal : undefined,
  // Read when asked: the terminal may have been resized since the start.
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};

/** The width to lay text out to: the terminal's, or 100 columns in a file or a pipe. */
export function outputWidth(io: Io): number {
  return io.columns ?? 100;
}

/** Options every command accepts. */
export interface GlobalOptions {
  workspace?: string;
  pack?: string;
  backend?: string;
  seed?: number;
  color?: boolean;
  isolation?: 'bwrap' | 'permission' | 'auto';
  /** --lang, as given (the run's locale is resolved from it before the command runs). */
  lang?: string;
}

/** `text` padded with spaces to `width` columns as a terminal draws it (a CJK character takes two); as `padEnd` for ASCII. */
export function padColumns(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
