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
