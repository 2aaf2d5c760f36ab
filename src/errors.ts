/**
 * Errors a user can fix: a message saying what is wrong and what to do next.
 * The top-level handler prints them without a stack trace. Anything else that
 * reaches that handler is a bug in llm-tutor and is shown with its stack.
 */
export class UserError extends Error {
  /** 1 for a failed operation, 2 for a usage or configuration error. */
  readonly exitCode: 1 | 2;
  /** What to run or change next, shown after the message. */
  readonly next?: string;

  constructor(message: string, options: { next?: string; exitCode?: 1 | 2 } = {}) {
    super(message);
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 2;
    this.next = options.next;
  }
}

/** A problem in a file the tool reads: names the file, the field and the fix. */
export class FileError extends UserError {
  readonly file: string;
  readonly issues: { path: string; message: string }[];

  constructor(file: string, issues: { path: string; message: string }[], next?: string) {
    // One line, whatever the values quoted in the messages hold.
    const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
    const lines = issues.map((i) => flat(i.path ? `${i.path}: ${i.message}` : i.message));
    super(`${file}: ${lines.join('; ')}`, { next, exitCode: 2 });
    this.name = 'FileError';
    this.file = file;
    this.issues = issues;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Turns a zod issue path such as ['exercises', 2, 'id'] into `exercises[2].id`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** The learner pressed Ctrl-C at a question: the command stops, and the shell gets exit code 130 as for any Ctrl-C. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}
