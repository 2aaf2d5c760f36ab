import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import type { ReactElement } from 'react';
import { vi } from 'vitest';

const ansi = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;

/** A frame without colour codes. */
export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(ansi, '');
}

/** Waits until the last frame satisfies `check` (no fixed sleeps); returns it. */
export async function waitForFrame(lastFrame: () => string | undefined, check: (frame: string) => boolean): Promise<string> {
  return vi.waitFor(
    () => {
      const frame = plain(lastFrame());
      if (!check(frame)) throw new Error(`frame not ready:\n${frame}`);
      return frame;
    },
    { timeout: 5000, interval: 5 },
  );
}

/** A terminal of a given size for Ink: records every frame written, and can be resized. */
class SizedStdout extends EventEmitter {
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

class KeyStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string) => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** Renders `tree` in a terminal of `columns` × `rows` (Ink's debug mode: every frame is written whole). */
export function renderSized(tree: ReactElement, columns: number, rows: number) {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new KeyStdin();
  const instance = inkRender(tree, { stdout: stdout as never, stderr: new SizedStdout(columns, rows) as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  return { stdout, stdin, frames: stdout.frames, lastFrame: () => stdout.frames[stdout.frames.length - 1], unmount: () => instance.unmount() };
}
