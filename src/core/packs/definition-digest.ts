/**
 * Which version of an exercise a grading was about: the SHA-256 of its
 * definition (exercise.ts, the data files beside it, and the pack's modules
 * that exercise.ts imports). A pass recorded under another digest is about an
 * exercise that has changed since. Reading files only, never running the
 * definition: `list` compares digests without loading tfjs.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { contentDigest } from '../common/digest.js';
import { posixRelative } from '../common/paths.js';
import { readRegularFileBytes } from '../common/safe-read.js';
import { exerciseFiles, lessonNameLocale, type ExerciseRef } from './packs.js';

/** A data file beside a definition may be large (weights); this is the most a digest reads of one file. */
const maxDefinitionFileBytes = 256 * 1024 * 1024;

/** What the learner reads or writes, not what grades them: changing these leaves a pass standing. */
const learnerFacing = (name: string) => name === exerciseFiles.lesson || name === exerciseFiles.starter || name === exerciseFiles.solution || lessonNameLocale(name) !== undefined;

/** Relative module specifiers in a source text: `from '../attention-math.js'`, `import('./data.js')`. */
const relativeImports = (source: string) => [...source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);

const isSource = (file: string) => /\.(ts|mts|js|mjs)$/.test(file);

/** The files of an exercise folder that define it, recursively; a sub-folder that is an exercise of its own is left out. */
async function folderFiles(dir: string, top = true): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  if (!top && entries.some((e) => e.name === exerciseFiles.definition)) return [];
  const files = await Promise.all(
    entries.map(async (e) => {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) return folderFiles(file, false);
      return e.isFile() && !(top && learnerFacing(e.name)) ? [file] : [];
    }),
  );
  return files.flat();
}

/** The source file a relative specifier names: `./x.js` is written as `./x.ts` in a pack. */
async function resolveSource(from: string, specifier: string): Promise<string> {
  const named = path.resolve(path.dirname(from), specifier);
  const asTs = named.replace(/\.(m?)js$/, '.$1ts');
  return asTs !== named && (await fs.stat(asTs).catch(() => undefined))?.isFile() ? asTs : named;
}

/**
 * The SHA-256 (hex) of an exercise's definition: each defining file's path
 * under the pack folder and its content. Modules outside the pack folder (the
 * llm-tutor pack API) are not part of it. Undefined when the exercise has no
 * readable exercise.ts.
 */
export async function definitionDigest(ref: Pick<ExerciseRef, 'dir' | 'pack'>): Promise<string | undefined> {
  const packDir = ref.pack.dir;
  const digests = new Map<string, string>();
  const pending = await folderFiles(ref.dir);
  while (pending.length) {
    const file = pending.pop()!;
    const relative = posixRelative(packDir, file);
    if (digests.has(relative) || relative.startsWith('../')) continue;
    const bytes = await readRegularFileBytes(file, { maxBytes: maxDefinitionFileBytes, fix: '', within: packDir }).catch(() => undefined);
    digests.set(relative, bytes ? contentDigest(bytes) : 'unreadable');
    if (bytes && isSource(file)) pending.push(...(await Promise.all(relativeImports(bytes.toString('utf8')).map((s) => resolveSource(file, s)))));
  }
  if (!digests.has(posixRelative(packDir, path.join(ref.dir, exerciseFiles.definition)))) return undefined;
  const listing = [...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, digest]) => `${file}\0${digest}\n`);
  return contentDigest(Buffer.from(listing.join('')));
}

/** The definition digest of each of `refs`, by exercise key (none for an exercise without a readable exercise.ts). */
export async function definitionDigests(refs: readonly ExerciseRef[]): Promise<Map<string, string | undefined>> {
  return new Map(await Promise.all(refs.map(async (ref) => [ref.key, await definitionDigest(ref)] as const)));
}
