import { spawn, spawnSync } from 'node:child_process';

/** Editors that open their own window: started in the background instead of taking over the terminal. */
const windowed = /(^|[/\\])(code|code-insiders|codium|cursor|subl|sublime_text|atom|gedit|kate|zed|idea|webstorm|mate|bbedit|open)(\.exe|\.cmd)?$/i;

export type EditorResult = { kind: 'terminal' | 'window'; command: string } | { kind: 'none' } | { kind: 'failed'; command: string; message: string };

/** How a terminal editor is handed the terminal, and how it is taken back. */
export interface TerminalHandover {
  beforeTerminal?: () => void;
  afterTerminal?: () => void;
}

/** Opens a file in the learner's editor; {@link openInEditor}, or a fake in tests. */
export type EditorLauncher = (file: string, hooks?: TerminalHandover) => EditorResult;

/** Splits an $EDITOR value such as `code --wait` or `"my editor" -n` into words. */
export function splitCommand(value: string): string[] {
  const words: string[] = [];
  for (const match of value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]);
  return words;
}

/**
 * Opens `file` in $VISUAL or $EDITOR. A terminal editor runs in this terminal
 * and is waited for (call `beforeTerminal` / `afterTerminal` to hand the
 * terminal over); a windowed editor is started in the background.
 */
export function openInEditor(file: string, hooks: TerminalHandover = {}, env = process.env): EditorResult {
  const value = env.VISUAL || env.EDITOR;
  if (!value) return { kind: 'none' };
  const [command, ...args] = splitCommand(value);
  if (windowed.test(command)) {
    const child = spawn(command, [...args.filter((a) => a !== '--wait' && a !== '-w'), file], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
    return { kind: 'window', command };
  }
  hooks.beforeTerminal?.();
  try {
    const result = spawnSync(command, [...args, file], { stdio: 'inherit' });
    if (result.error) return { kind: 'failed', command, message: result.error.message };
    return { kind: 'terminal', command };
  } finally {
    hooks.afterTerminal?.();
  }
}
