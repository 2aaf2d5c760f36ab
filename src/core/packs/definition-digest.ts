/**
 * Which version of an exercise a grading was about: the SHA-256 of its
 * definition (exercise.ts, the data files beside it, and the pack's modules
 * that exercise.ts imports). A pass recorded under another digest is about an
 * exercise that has changed since. Reading files only, never running the
 * definition: `list` compares digests without loading tfjs.
 */
import { mkdirSync, promises as fs, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { contentDigest } from '../common/digest.js';
import { cacheDir, posixRelative } from '../common/paths.js';
import { readRegularFileBytes } from '../common/safe-read.js';
import { exerciseFiles, lessonNameLocale, type ExerciseRef } from './packs.js';

/** A data file beside a definition may be large (weights); this is the most a digest reads of one file. */
const maxDefinitionFileBytes = 256 * 1024 * 1024;

/** What the learner reads or writes, not what grades them: changing these leaves a pass standing. */
const learnerFacing = (name: string) => name === exerciseFiles.lesson || name === exerciseFiles.starter || name === exerciseFiles.solution || lessonNameLocale(name) !== undefined;

/** Relative module specifiers in a source text: `from '../attention-math.js'`, `import('./data.js')`. */
const relativeImports = (source: string) => [...source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);

const isSource = (file: string) => /\.(ts|mts|js|mjs)$/.test(file);

/** The files of an exercise folder that define it, recursively, sorted; a sub-folder that is an exercise of its own is left out. */
function folderFiles(dir: string, top = true): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  if (!top && entries.some((e) => e.name === exerciseFiles.definition)) return [];
  const files = entries.flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return folderFiles(file, false);
    return e.isFile() && !(top && learnerFacing(e.name)) ? [file] : [];
  });
  return top ? files.sort() : files;
}

/** The source file a relative specifier names: `./x.js` is written as `./x.ts` in a pack. */
async function resolveSource(from: string, specifier: string): Promise<string> {
  const named = path.resolve(path.dirname(from), specifier);
  const asTs = named.replace(/\.(m?)js$/, '.$1ts');
  return asTs !== named && (await fs.stat(asTs).catch(() => undefined))?.isFile() ? asTs : named;
}

/**
 * A digest and what it was computed from: the folder's files, and each file
 * read with its size and status-change time (-1 when unreadable). The change
 * time, not the modification time: an npm install writes every file with the
 * same old modification time, while any write or new file gets a new ctime.
 */
interface DigestRecord {
  digest: string | undefined;
  folder: string[];
  files: [file: string, size: number, ctimeMs: number][];
}

/**
 * The SHA-256 (hex) of an exercise's definition: each defining file's path
 * under the pack folder and its content. Modules outside the pack folder (the
 * llm-tutor pack API) are not part of it. Undefined when the exercise has no
 * readable exercise.ts.
 */
export async function definitionDigest(ref: Pick<ExerciseRef, 'dir' | 'pack'>): Promise<string | undefined> {
  return (await computeDigest(ref)).digest;
}

async function computeDigest(ref: Pick<ExerciseRef, 'dir' | 'pack'>): Promise<DigestRecord> {
  const packDir = ref.pack.dir;
  const digests = new Map<string, string>();
  const folder = folderFiles(ref.dir);
  const files: DigestRecord['files'] = [];
  const pending = [...folder];
  while (pending.length) {
    const file = pending.pop()!;
    const relative = posixRelative(packDir, file);
    if (digests.has(relative) || relative.startsWith('../')) continue;
    // Looked at before the read: a file changed after it has another size or time next time, and is read again.
    const stat = await fs.stat(file).catch(() => undefined);
    const bytes = await readRegularFileBytes(file, { maxBytes: maxDefinitionFileBytes, fix: '', within: packDir }).catch(() => undefined);
    files.push([file, bytes && stat ? stat.size : -1, bytes && stat ? stat.ctimeMs : -1]);
    digests.set(relative, bytes ? contentDigest(bytes) : 'unreadable');
    if (bytes && isSource(file)) pending.push(...(await Promise.all(relativeImports(bytes.toString('utf8')).map((s) => resolveSource(file, s)))));
  }
  if (!digests.has(posixRelative(packDir, path.join(ref.dir, exerciseFiles.definition)))) return { digest: undefined, folder, files };
  const listing = [...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, digest]) => `${file}\0${digest}\n`);
  return { digest: contentDigest(Buffer.from(listing.join(''))), folder, files };
}

/**
 * Whether a recorded digest still holds: the folder has the same files, and
 * every file it read has the same size and change time (looked at
 * synchronously: a few calls per exercise, for every pass, on every command).
 */
function stillHolds(ref: Pick<ExerciseRef, 'dir'>, record: DigestRecord): boolean {
  const folder = folderFiles(ref.dir);
  if (folder.length !== record.folder.length || folder.some((f, i) => f !== record.folder[i])) return false;
  return record.files.every(([file, size, ctimeMs]) => {
    try {
      const stat = statSync(file);
      return stat.size === size && stat.ctimeMs === ctimeMs;
    } catch {
      return size === -1;
    }
  });
}

const digestCacheFile = () => path.join(cacheDir(), 'definition-digests.json');
const digestCacheFormat = 1;
/** Records kept at most; past it, only the ones of the exercises just looked at. */
const maxCachedDigests = 2000;

const isRecord = (value: unknown): value is DigestRecord => {
  const r = value as DigestRecord;
  return (
    typeof r === 'object' && r !== null && (r.digest === undefined || typeof r.digest === 'string') && Array.isArray(r.folder) && r.folder.every((f) => typeof f === 'string') &&
    Array.isArray(r.files) && r.files.every((f) => Array.isArray(f) && f.length === 3 && typeof f[0] === 'string' && typeof f[1] === 'number' && typeof f[2] === 'number')
  );
};

/** The recorded digests by exercise folder; a missing or damaged cache is an empty one. */
function readDigestCache(): Map<string, DigestRecord> {
  try {
    const raw = JSON.parse(readFileSync(digestCacheFile(), 'utf8')) as { format?: unknown; records?: unknown };
    if (raw.format !== digestCacheFormat || typeof raw.records !== 'object' || raw.records === null) return new Map();
    return new Map(Object.entries(raw.records as Record<string, unknown>).filter((entry): entry is [string, DigestRecord] => isRecord(entry[1])));
  } catch {
    return new Map();
  }
}

/** Writes the records atomically (a reader sees a whole file or the old one); a cache that cannot be written is no error. */
function writeDigestCache(records: Map<string, DigestRecord>, current: ReadonlySet<string>): void {
  const kept = records.size > maxCachedDigests ? [...records].filter(([dir]) => current.has(dir)) : [...records];
  const file = digestCacheFile();
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, JSON.stringify({ format: digestCacheFormat, records: Object.fromEntries(kept) }), { flag: 'wx', mode: 0o600 });
    renameSync(temp, file);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing was written.
    }
  }
}

/**
 * The definition digest of each of `refs`, by exercise key (none for an
 * exercise without a readable exercise.ts). Every command computes them for
 * every pass (is it about the exercise as it is now?), so each is kept in the
 * cache folder with what it was computed from, and computed again only when
 * one of those files changed: for a learner with a hundred passes that is
 * about a hundred stat calls instead of reading and hashing several hundred
 * files (about 90 ms).
 */
export async function definitionDigests(refs: readonly ExerciseRef[]): Promise<Map<string, string | undefined>> {
  const records = readDigestCache();
  let computed = false;
  const out = new Map<string, string | undefined>();
  await Promise.all(
    refs.map(async (ref) => {
      const known = records.get(ref.dir);
      if (known && stillHolds(ref, known)) return void out.set(ref.key, known.digest);
      const record = await computeDigest(ref);
      records.set(ref.dir, record);
      computed = true;
      out.set(ref.key, record.digest);
    }),
  );
  if (computed) writeDigestCache(records, new Set(refs.map((r) => r.dir)));
  return out;
}
