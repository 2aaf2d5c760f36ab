import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { readJsonFile } from '../common/json-file.js';
import { builtinPacksDir } from '../common/paths.js';
import { readLimits, readRegularFile } from '../common/safe-read.js';
import { localisedManifest, packManifestSchema, type PackManifest } from '../common/schemas.js';
import { defaultLocale, localeFallbacks } from '../authoring/localised.js';
import { currentLocale, t } from '../../i18n/i18n.js';

/** A pack on disk: its folder and validated manifest. */
export interface Pack {
  dir: string;
  manifest: PackManifest;
  builtin: boolean;
}

/** One exercise of a pack, located on disk; loading its definition is a separate, heavier step. */
export interface ExerciseRef {
  packId: string;
  /** Id inside the pack, e.g. `attention/causal-mask`. */
  id: string;
  /** `<pack-id>/<exercise-id>`: the key in state and reports. */
  key: string;
  title: string;
  /** Folder holding lesson.md, starter.ts, solution.ts and exercise.ts. */
  dir: string;
  /** 1-based position across all enabled packs, as `list` numbers them. */
  number: number;
  pack: Pack;
  /** What the exercise is worth in a class's scores (pack.json; 1 when not given). */
  points: number;
  /** Whether it scores points × cases passed / cases rather than all or nothing. */
  partialCredit: boolean;
}

/** The files every exercise folder holds. */
export const exerciseFiles = {
  lesson: 'lesson.md',
  starter: 'starter.ts',
  solution: 'solution.ts',
  definition: 'exercise.ts',
} as const;

/** The file name of a lesson translated into `locale`: `lesson.zh-CN.md` beside `lesson.md`. */
export function translatedLessonName(locale: string): string {
  return `lesson.${locale}.md`;
}

/** Tells a translated lesson's file name apart: the tag of `lesson.<tag>.md` (not checked), else undefined. */
export function lessonNameLocale(name: string): string | undefined {
  return /^lesson\.(.+)\.md$/.exec(name)?.[1];
}

/**
 * The lesson file to show in `locale`: `lesson.<locale>.md` when the exercise
 * folder has it, else the lesson of its language (`lesson.zh.md` for zh-CN),
 * else `lesson.md`. Returns an absolute path.
 */
export function lessonFileFor(ref: ExerciseRef, locale: string = defaultLocale): string {
  for (const tag of localeFallbacks(locale)) {
    if (tag === defaultLocale) break;
    const file = path.join(ref.dir, translatedLessonName(tag));
    if (existsSync(file)) return file;
  }
  return path.join(ref.dir, exerciseFiles.lesson);
}

/**
 * The built-in packs in the order a learner takes them, each building on
 * those before it. A pack not yet shipped is simply absent; a built-in pack
 * not named here comes after these.
 */
export const syllabusOrder: readonly string[] = ['transformer-core', 'training', 'scaling', 'inference', 'alignment-multimodal', 'mini-gpt'];

/** `ids` sorted as the syllabus orders them; ids it does not name come after, sorted by id. */
export function inSyllabusOrder(ids: readonly string[]): string[] {
  const rank = (id: string) => (syllabusOrder.includes(id) ? syllabusOrder.indexOf(id) : syllabusOrder.length);
  return [...ids].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Ids of the packs that ship with llm-tutor, in syllabus order ({@link inSyllabusOrder}). */
export async function listBuiltinPackIds(): Promise<string[]> {
  const entries = await fs.readdir(builtinPacksDir, { withFileTypes: true });
  return inSyllabusOrder(entries.filter((e) => e.isDirectory() && existsSync(path.join(builtinPacksDir, e.name, 'pack.json'))).map((e) => e.name));
}

/**
 * `packs` in their given order, except that a pack comes after every enabled
 * pack it requires (a stable topological order): the order the learner meets
 * their exercises in. A required pack that is not among `packs` is ignored here.
 */
export function orderByRequires(packs: readonly Pack[]): Pack[] {
  const ids = new Set(packs.map((p) => p.manifest.id));
  const placed = new Set<string>();
  const ordered: Pack[] = [];
  const ready = (pack: Pack) => pack.manifest.requires.packs.every((id) => placed.has(id) || !ids.has(id));
  while (ordered.length < packs.length) {
    // A cycle of requires cannot be ordered: what is left keeps its given order.
    const next = packs.find((p) => !placed.has(p.manifest.id) && ready(p)) ?? packs.find((p) => !placed.has(p.manifest.id))!;
    placed.add(next.manifest.id);
    ordered.push(next);
  }
  return ordered;
}

/** The track of an exercise: the first segment of its id (`attention` for `attention/causal-mask`); undefined for an id of one segment. */
export function trackOf(exerciseId: string): string | undefined {
  const slash = exerciseId.indexOf('/');
  return slash > 0 ? exerciseId.slice(0, slash) : undefined;
}

/** Reads and validates a pack folder's manifest. */
export async function loadPack(dir: string, builtin = false): Promise<Pack> {
  const manifestFile = path.join(dir, 'pack.json');
  if (!existsSync(dir)) throw new UserError(t`Pack folder not found: ${dir}`, { next: t('Check the path, or run `llm-tutor pack list`.') });
  const file = await readJsonFile(manifestFile, packManifestSchema, { next: t('Fix the manifest, then run `llm-tutor pack validate` on its folder.'), fix: t('a pack keeps its manifest as a regular file; replace it with the file itself') });
  // Titles in the run's language: the rest of the tutor sees one title each.
  const manifest = localisedManifest(file, currentLocale());
  if (builtin && manifest.id !== path.basename(dir)) {
    throw new UserError(t`${manifestFile}: id "${manifest.id}" does not match its folder name "${path.basename(dir)}".`);
  }
  return { dir, manifest, builtin };
}

/**
 * Resolves a workspace's pack entry: a built-in pack id, or a folder path
 * (absolute, or relative to the workspace).
 */
export async function resolvePack(entry: string, workspaceDir: string): Promise<Pack> {
  const looksLikePath = entry.includes('/') || entry.includes('\\') || entry.startsWith('.');
  if (!looksLikePath) {
    const dir = path.join(builtinPacksDir, entry);
    if (!existsSync(path.join(dir, 'pack.json'))) {
      const known = await listBuiltinPackIds();
      // Named only when it exists: `init --packs` checks the packs before it writes the file.
      const config = path.join(workspaceDir, 'llm-tutor.json');
      const unknown = existsSync(config) ? t`Unknown pack "${entry}" in ${config}.` : t`Unknown pack "${entry}".`;
      throw new UserError(unknown, { next: t`Built-in packs: ${known.join(', ')}. A pack of your own is given by its folder path.` });
    }
    return loadPack(dir, true);
  }
  return loadPack(path.resolve(workspaceDir, entry));
}

/** Lists the exercises of the given packs in order, numbered from 1. */
export function exerciseRefs(packs: Pack[]): ExerciseRef[] {
  const refs: ExerciseRef[] = [];
  for (const pack of packs) {
    for (const exercise of pack.manifest.exercises) {
      refs.push({
        packId: pack.manifest.id,
        id: exercise.id,
        key: `${pack.manifest.id}/${exercise.id}`,
        title: exercise.title,
        dir: path.join(pack.dir, ...exercise.id.split('/')),
        number: refs.length + 1,
        pack,
        points: exercise.points ?? 1,
        partialCredit: exercise.partialCredit ?? pack.manifest.partialCredit ?? false,
      });
    }
  }
  return refs;
}

/**
 * Reads one of an exercise's text files (a regular file of at most 4 MiB; a
 * pack may live inside a workspace), with a clear error naming it when it is
 * missing or refused. The lesson is read in `locale` ({@link lessonFileFor}).
 */
export async function readExerciseFile(ref: ExerciseRef, which: keyof typeof exerciseFiles, locale: string = currentLocale()): Promise<string> {
  const file = which === 'lesson' ? lessonFileFor(ref, locale) : path.join(ref.dir, exerciseFiles[which]);
  const text = await readRegularFile(file, { maxBytes: readLimits.exerciseText, fix: t`the pack in ${ref.pack.dir} needs it as a regular file; tell its author` });
  if (text === undefined) {
    throw new UserError(t`${file}: missing (every exercise folder needs ${Object.values(exerciseFiles).join(', ')}).`, { next: t`The pack in ${ref.pack.dir} is incomplete; tell its author.` });
  }
  return text;
}

/**
 * Why the model solution of `ref` cannot be shown, whatever the learner's
 * progress: its pack is a course build without solutions (`"solutions": false`
 * in pack.json). Undefined when the pack ships them.
 */
export function withheldSolution(ref: Pick<ExerciseRef, 'id' | 'pack'>): string | undefined {
  const { id, solutions } = ref.pack.manifest;
  return solutions !== false ? undefined : t`The pack "${id}" does not ship its model solutions, so there is none to show for ${ref.id}.`;
}

/**
 * Finds an exercise by full key (`transformer-core/attention/causal-mask`), id
 * (`attention/causal-mask`), unique suffix (`causal-mask`) or list number (`5`).
 */
export function findExercise(refs: ExerciseRef[], query: string): ExerciseRef {
  const trimmed = query.trim().replace(/\.ts$/, '');
  if (/^\d+$/.test(trimmed)) {
    const byNumber = refs.find((r) => r.number === Number(trimmed));
    if (byNumber) return byNumber;
    throw new UserError(t`No exercise number ${trimmed}: there are ${refs.length}.`, { next: t('Run `llm-tutor list` to see them.') });
  }
  const exact = refs.filter((r) => r.key === trimmed || r.id === trimmed);
  if (exact.length === 1) return exact[0];
  const suffix = refs.filter((r) => r.key.endsWith(`/${trimmed}`) || r.id === trimmed);
  if (suffix.length === 1) return suffix[0];
  if (suffix.length > 1 || exact.length > 1) {
    const options = (exact.length > 1 ? exact : suffix).map((r) => r.key).join(', ');
    throw new UserError(t`"${query}" matches several exercises: ${options}.`, { next: t('Give more of the id.') });
  }
  const near = refs.filter((r) => r.key.includes(trimmed)).slice(0, 3).map((r) => r.id);
  throw new UserError(t`Unknown exercise "${query}".`, { next: near.length ? t`Did you mean ${near.join(', ')}? Run \`llm-tutor list\` for all.` : t('Run `llm-tutor list` to see the exercise ids.') });
}
