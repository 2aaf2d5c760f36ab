import { createHash } from 'node:crypto';

/** The SHA-256 of a file's bytes, in hex: how progress names the content a grading read. */
export function contentDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
