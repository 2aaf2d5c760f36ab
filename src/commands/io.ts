/** Where commands write; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  cwd: string;
  /** The terminal's width in columns, when `out` is a terminal. */
  columns?: number;
}

/** The process's own streams and folder. */
export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
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
}
