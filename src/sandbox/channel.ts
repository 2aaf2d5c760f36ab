/**
 * The framing of messages between the tutor and a sandbox child, used on
 * both sides: each message is a 4-byte big-endian length, then the message
 * in V8's serialization format. Two pipes carry them, one each way (file
 * descriptor 3 from the child, 4 to it), instead of Node's IPC channel: the
 * reading side caps every frame, so a child that writes a huge or malformed
 * frame is stopped instead of filling the tutor's memory.
 */
import { deserialize, serialize } from 'node:v8';

/** The largest message a child may send: a result of the harness's 4 million elements fits with room. */
export const maxFrameBytes = 96 * 1024 * 1024;

/** File descriptor of the child's end of the pipe it writes to. */
export const childWriteFd = 3;
/** File descriptor of the child's end of the pipe it reads from. */
export const childReadFd = 4;

/** One message as a frame's two parts: the 4-byte length, then the body (sent one after the other, the body not copied). */
export function encodeFrameParts(message: unknown): [head: Buffer, body: Buffer] {
  const body = serialize(message);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return [head, body];
}

/** Why a stream of frames was given up. */
export type FrameViolation = { kind: 'too-large'; bytes: number } | { kind: 'malformed'; message: string };

/**
 * Cuts a byte stream into messages. A frame longer than `limit`, or one that
 * does not deserialize, is a violation: the reader stops and reports it once,
 * and everything after it is ignored.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stopped = false;

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly onViolation: (violation: FrameViolation) => void,
    private readonly limit = maxFrameBytes,
    private readonly deserializer: (bytes: Buffer) => unknown = deserialize,
  ) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.stopped && this.buffered >= 4) {
      const head = this.peek(4);
      const size = head.readUInt32BE(0);
      if (size > this.limit) return this.stop({ kind: 'too-large', bytes: size });
      if (this.buffered < 4 + size) return;
      const frame = this.take(4 + size).subarray(4);
      let message: unknown;
      try {
        message = this.deserializer(frame);
      } catch (error) {
        return this.stop({ kind: 'malformed', message: (error as Error).message });
      }
      this.onMessage(message);
    }
  }

  private stop(violation: FrameViolation): void {
    this.stopped = true;
    this.chunks = [];
    this.buffered = 0;
    this.onViolation(violation);
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const joined = this.peek(n);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered -= n;
    return out;
  }
}
