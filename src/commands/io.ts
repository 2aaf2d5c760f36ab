/** Where commands write; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  /** The terminal's width in columns, when stdout is a terminal that reports it. */
  columns?: number;
  cwd: string;
}

/** The process's own streams and folder. */
export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTTY: Boolean(process.stdout.isTTY),
  columns: process.stdout.columns,
  cwd: process.cwd(),
};

/** Options every command accepts. */
export interface GlobalOptions {
  workspace?: string;
  pack?: string;
  backend?: string;
  seed?: number;
  color?: boolean;
  isolation?: 'bwrap' | 'permission' | 'auto';
}
