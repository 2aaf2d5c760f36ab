import { stripVTControlCharacters } from 'node:util';

/** A terminal stream that remembers whether the last text written to it ended a line. */
export interface LineTrackingStdout {
  /** What Ink writes to: `target` with its writes observed, everything else forwarded. */
  stream: NodeJS.WriteStream;
  /** Whether the cursor is at the start of a line after everything written so far (escape codes aside). */
  atLineStart: () => boolean;
}

/**
 * Wraps a terminal stream so that its writes are observed. Ink leaves the
 * newline off a frame as tall as the terminal (so the screen does not scroll),
 * so after such a frame the cursor sits at the end of the key bar; the screen
 * needs to know that to end the line before the shell prompt comes back.
 */
export function trackLineStart(target: NodeJS.WriteStream): LineTrackingStdout {
  let atLineStart = true;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = stripVTControlCharacters(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '');
    if (text !== '') atLineStart = text.endsWith('\n');
    return (target.write as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  const stream = new Proxy(target, {
    get(object, property) {
      if (property === 'write') return write;
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
  return { stream, atLineStart: () => atLineStart };
}
