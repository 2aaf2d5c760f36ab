import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

/**
 * The SHA-256 (hex) of a pack folder's content: every regular file's path
 * (relative, `/`-separated, sorted) and bytes. Two installs of one version
 * with different digests are two different packs under one version.
 */
export async function packDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await filesUnder(dir)) {
    hash.update(`${file}\0`);
    hash.update(await fs.readFile(path.join(dir, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The regular files under `dir`, relative and sorted; links are not followed. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await filesUnder(dir, relative)));
    else if (entry.isFile()) found.push(relative);
  }
  return found.sort();
}
