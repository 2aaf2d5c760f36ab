import { existsSync, mkdtempSync, promises as fs, readdirSync, statSync } from 'node:fs';
import { expect, inject } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { loadDefinition } from '../../src/core/packs/definitions.js';
import { checkMisconceptions, type MisconceptionCheck } from '../../src/core/packs/validate.js';
import { wrongOutputs } from '../../src/core/grading/diagnose.js';
import { toPlainOutput } from '../../src/core/grading/read-back.js';
import type { ExerciseDefinition, ReferenceContext } from '../../src/core/authoring/exercise.js';
import { gradePrepared, prepareExercise, type PreparedExercise } from '../../src/core/grading/grade.js';
import { currentLocale } from '../../src/i18n/i18n.js';
import { exerciseRefs, loadPack, type ExerciseRef } from '../../src/core/packs/packs.js';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { loadTf } from '../../src/reference/backend.js';
import type { Verdict } from '../../src/core/grading/verdict.js';

/** Exercise folders on disk under a pack's folder (a folder holding exercise.ts), as sorted ids like `attention/causal-mask`. */
export function exerciseFolders(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (!statSync(full).isDirectory()) continue;
    if (existsSync(path.join(full, 'exercise.ts'))) out.push(`${prefix}${name}`);
    else out.push(...exerciseFolders(full, `${prefix}${name}/`));
  }
  return out.sort();
}

/** The exercises of a built-in pack. */
export async function builtinExercises(packId = 'transformer-core'): Promise<ExerciseRef[]> {
  return exerciseRefs([await loadPack(path.join(builtinPacksDir, packId), true)]);
}

/**
 * The pack and the exercise of an id that may be qualified by its pack:
 * `training/norms/layer-norm` is `['training', 'norms/layer-norm']`, and
 * `attention/causal-mask` is an exercise of `defaultPack`.
 */
export function splitExerciseId(qualifiedId: string, defaultPack = 'transformer-core'): [packId: string, id: string] {
  const parts = qualifiedId.split('/');
  return parts.length > 2 ? [parts[0], parts.slice(1).join('/')] : [defaultPack, qualifiedId];
}

/**
 * A built-in exercise with its loaded definition and a reference context.
 * `id` is an exercise id of `packId` (`attention/causal-mask`), or one
 * qualified by its pack (`training/norms/layer-norm`), which wins over `packId`.
 */
export async function loadExercise(qualifiedId: string, defaultPack = 'transformer-core'): Promise<{ ref: ExerciseRef; definition: ExerciseDefinition; ctx: ReferenceContext }> {
  const [packId, id] = splitExerciseId(qualifiedId, defaultPack);
  const refs = await builtinExercises(packId);
  let ref = refs.find((r) => r.id === id);
  if (!ref) {
    // An exercise folder not yet listed in pack.json (while a pack is being written).
    const dir = path.join(builtinPacksDir, packId, id);
    if (!existsSync(path.join(dir, 'exercise.ts'))) throw new Error(`no exercise ${id} in ${packId}`);
    ref = { ...refs[0], id, key: `${packId}/${id}`, title: id, dir, number: 0 };
  }
  const { tf } = await loadTf();
  return { ref, definition: await loadDefinition(ref), ctx: { tf, exerciseDir: ref.dir } };
}

/** Runs an exercise's reference on explicit arguments and returns plain data. */
export async function reference(id: string, ...args: unknown[]): Promise<unknown> {
  const { definition, ctx } = await loadExercise(id);
  return toPlainOutput(ctx, () => definition.reference!(ctx, ...args));
}

/** Runs one misconception's wrong variant; returns its first alternative. */
export async function wrong(id: string, misconceptionId: string, ...args: unknown[]): Promise<unknown> {
  return (await wrongAlternatives(id, misconceptionId, ...args))?.[0];
}

/** Runs one misconception's wrong variant; returns every alternative it gives (`anyOf`), in order, or undefined when it throws. */
export async function wrongAlternatives(id: string, misconceptionId: string, ...args: unknown[]): Promise<unknown[] | undefined> {
  const { definition, ctx } = await loadExercise(id);
  const m = definition.misconceptions?.find((x) => x.id === misconceptionId);
  if (!m) throw new Error(`no misconception ${misconceptionId} in ${id}`);
  return wrongOutputs(m, ctx, args);
}

/**
 * For every misconception: does its wrong output fail the reference on some
 * case, and does a learner whose outputs equal it get diagnosed as that
 * misconception (and not another)? Returns the id diagnosed per misconception.
 * Computed once per run for an exercise and seed: the pack-wide test and the
 * exercise's own test ask the same question.
 */
export async function diagnoseEachMisconception(id: string, seed = 7, packId = 'transformer-core'): Promise<MisconceptionCheck[]> {
  const runCache = inject('runCacheDir');
  const file = runCache && path.join(runCache, 'misconceptions', `${packId}/${id}`.replaceAll('/', '--') + `--${seed}--${currentLocale()}.json`);
  if (file && existsSync(file)) return JSON.parse(await fs.readFile(file, 'utf8')) as MisconceptionCheck[];
  const { ref, definition, ctx } = await loadExercise(id, packId);
  // The same simulation `llm-tutor pack validate` runs.
  const checks = await checkMisconceptions(ref, definition, seed, ctx);
  if (file) {
    // Written whole, then renamed: a file running beside this one reads all of it or none.
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(`${file}.${process.pid}`, JSON.stringify(checks));
    await fs.rename(`${file}.${process.pid}`, file);
  }
  return checks;
}

/**
 * Asserts that the exercise (an id as `loadExercise` takes one) has exactly
 * the misconceptions `ids`, and that each fails the reference on some case
 * and is diagnosed as itself on `seed`.
 */
export async function expectMisconceptionsDiagnosed(qualifiedId: string, seed: number, ids: string[]): Promise<void> {
  const [packId, id] = splitExerciseId(qualifiedId);
  const results = await diagnoseEachMisconception(id, seed, packId);
  expect(results.map((r) => r.id).sort()).toEqual([...ids].sort());
  for (const result of results) {
    expect(result.failingCases, result.id).toBeGreaterThan(0);
    expect(result.diagnosed, result.id).toBe(result.id);
  }
}

/**
 * Grades learner source code for a built-in exercise, as `llm-tutor check` would:
 * `files` maps paths relative to the pack's folder in a temporary workspace
 * (e.g. `positions/rope.ts`) to their source, and a learner file of another
 * pack by its path from there (`../transformer-core/attention/multi-head.ts`);
 * the file of exercise `id` is graded.
 */
export async function gradeLearnerSource(id: string, files: Record<string, string>, seed = 7, packId = 'transformer-core'): Promise<Verdict> {
  return (await gradeLearnerSources(id, [files], seed, packId))[0];
}

/** Exercises prepared in this test file, by exercise, seed and language: each computes its reference once. */
const preparations = new Map<string, Promise<PreparedExercise>>();

/**
 * A built-in exercise prepared for grading on `seed`, once per test file, as
 * watch mode prepares it once for every save: gradings against it share the
 * reference's expected outputs and the misconceptions' wrong outputs.
 */
export function preparedExercise(id: string, seed: number, packId = 'transformer-core'): Promise<PreparedExercise> {
  const key = `${packId}/${id}#${seed}#${currentLocale()}`;
  if (!preparations.has(key)) {
    const preparing = loadExercise(id, packId).then(({ ref, definition }) => prepareExercise(ref, definition, seed));
    // A failure is not kept: the next grading tries again and reports it too.
    preparing.catch(() => preparations.delete(key));
    preparations.set(key, preparing);
  }
  return preparations.get(key)!;
}

/**
 * Grades several learners' files for one exercise, each set as
 * {@link gradeLearnerSource} takes it, in a workspace of its own, against one
 * preparation of the exercise (see preparedExercise), as `llm-tutor grade`
 * prepares each exercise once for a class.
 */
export async function gradeLearnerSources(id: string, learners: Record<string, string>[], seed = 7, packId = 'transformer-core'): Promise<Verdict[]> {
  const prepared = await preparedExercise(id, seed, packId);
  const verdicts: Verdict[] = [];
  for (const files of learners) {
    const temp = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-learner-'));
    const root = path.join(temp, 'exercises');
    try {
      for (const [file, source] of Object.entries(files)) {
        const full = path.join(root, packId, file);
        await fs.mkdir(path.dirname(full), { recursive: true });
        await fs.writeFile(full, source);
      }
      verdicts.push(await gradePrepared(prepared, { learnerFile: path.join(root, packId, `${id}.ts`), allowedRoot: root }));
    } finally {
      // Thousands of these over a suite run: nothing reads the files after the verdict.
      await fs.rm(temp, { recursive: true, force: true });
    }
  }
  return verdicts;
}

/**
 * The model solution of a built-in exercise (an id as `loadExercise` takes
 * one) with one mistake put in: each `[from, to]` replaces the text `from`,
 * which must occur in solution.ts.
 */
export async function solutionWith(qualifiedId: string, ...edits: [from: string, to: string][]): Promise<string> {
  let source = await fs.readFile(path.join(builtinPacksDir, ...splitExerciseId(qualifiedId), 'solution.ts'), 'utf8');
  for (const [from, to] of edits) {
    if (!source.includes(from)) throw new Error(`${qualifiedId}/solution.ts has no "${from}"`);
    source = source.replace(from, to);
  }
  return source;
}

/** The greatest |a − b| over two nested number arrays of the same shape; throws when the shapes differ. */
export function maxAbsDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b);
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) throw new Error(`shapes differ: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return a.reduce((worst: number, x, i) => Math.max(worst, maxAbsDiff(x, b[i])), 0);
}
