import { existsSync, promises as fs, realpathSync } from 'node:fs';
import { builtinPacksDir } from '../common/paths.js';
import path from 'node:path';
import semver from 'semver';
import { FileError, UserError } from '../../errors.js';
import type { BackendName } from '../../reference/backend.js';
import { compareOutputs } from '../grading/compare.js';
import { loadDefinition } from './definitions.js';
import { expectedFor } from '../grading/prepare.js';
import { contextFor, defaultTolerance, hintText, type ExerciseDefinition, type ReferenceContext } from '../authoring/exercise.js';
import { buildCases, computeExpected } from '../grading/grade.js';
import { exerciseFiles, exerciseRefs, lessonNameLocale, type Pack } from './packs.js';
import { checkKind, checkMisconceptions, checkSignature, checkTrace, duplicateCaseName, gradeOwnFile, misconceptionProblem, misconceptionWarning, pinnedProblems, starterProblem, wrongExport } from './validate-exercise.js';
import { defaultLocale, isLocaleTag, localesOf } from '../authoring/localised.js';
import { lessonPictureProblems } from '../authoring/lesson-pictures.js';
import { titleFindings, translationFindings } from './validate-translations.js';
import { localisedManifest, packManifestSchema } from '../common/schemas.js';
import { describeJsonError, describeZodIssues } from '../common/json-file.js';
import { version } from '../common/version.js';
import { plural } from '../common/words.js';
import { readLimits, readRegularFile, UnsafeFileError } from '../common/safe-read.js';
import { t } from '../../i18n/i18n.js';

export { checkMisconceptions, type MisconceptionCheck } from './validate-exercise.js';

/** One thing wrong with a pack: where, what, and how to fix it. */
export interface PackProblem {
  file: string;
  /** The field or part of the file, e.g. `exercises[2].id` or `misconceptions[1]`; empty for the whole file. */
  field: string;
  message: string;
  fix: string;
}

/** What validation found, and what it checked. */
export interface PackReport {
  dir: string;
  packId?: string;
  version?: string;
  /** false for a course build (`"solutions": false`): its exercises need no solution.ts. */
  solutions: boolean;
  exercises: number;
  problems: PackProblem[];
  /** What an author should look at, though learners are not harmed by it (a wrong() that throws on some cases). */
  warnings: PackProblem[];
  /** One line per exercise that was fully checked. */
  checked: string[];
  /** Every locale the pack's lessons, hints and misconceptions are written in: `en` first, then the others sorted. */
  locales: string[];
}

/**
 * Checks a pack folder the way `llm-tutor pack validate` reports it: the
 * manifest; every exercise's files and definition; that every reference runs
 * on its own cases (and gives the same output twice); that every model
 * solution passes and every starter fails; that every misconception is
 * reachable, diagnosed as itself and distinct; that hints exist. Every
 * problem is collected, not only the first.
 */
export async function validatePack(dir: string, options: { seeds?: number[]; backend?: BackendName; onProgress?: (line: string) => void; builtin?: boolean } = {}): Promise<PackReport> {
  const seeds = options.seeds ?? [1, 2];
  // Stacks of what the definitions throw then point into exercise.ts (they are bundled with a source map).
  process.setSourceMapsEnabled(true);
  const manifestFile = path.join(dir, 'pack.json');
  const report: PackReport = { dir, solutions: true, exercises: 0, problems: [], warnings: [], checked: [], locales: [defaultLocale] };
  const locales = new Set<string>();
  const problem = (file: string, field: string, message: string, fix: string) => report.problems.push({ file, field, message, fix });

  if (!existsSync(dir)) {
    problem(dir, '', t('folder not found'), t('Check the path, or create a pack with `llm-tutor pack new <dir>`.'));
    return report;
  }
  let text: string;
  try {
    text = await fs.readFile(manifestFile, 'utf8');
  } catch {
    problem(manifestFile, '', t('missing'), t('Every pack needs a pack.json manifest; `llm-tutor pack new` writes one.'));
    return report;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    problem(manifestFile, '', describeJsonError(text, error as Error), t('Fix the syntax: a JSON object with formatVersion, id, title, version, exercises.'));
    return report;
  }
  const parsed = packManifestSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of describeZodIssues(parsed.error.issues)) problem(manifestFile, issue.path, issue.message, t('See schemas/pack.schema.json for the fields of pack.json.'));
    return report;
  }
  const manifest = localisedManifest(parsed.data, defaultLocale);
  for (const text of [manifest.titles.pack, ...manifest.titles.exercises]) for (const locale of localesOf(text)) locales.add(locale);
  report.packId = manifest.id;
  report.version = manifest.version;
  report.solutions = manifest.solutions;
  if (manifest.requires.llmTutor && !semver.validRange(manifest.requires.llmTutor)) {
    problem(manifestFile, 'requires.llmTutor', t`"${manifest.requires.llmTutor}" is not a version range`, t('Use a range such as ">=0.1.0".'));
  } else if (manifest.requires.llmTutor && !semver.satisfies(version, manifest.requires.llmTutor)) {
    problem(manifestFile, 'requires.llmTutor', t`this pack needs llm-tutor ${manifest.requires.llmTutor}; this is ${version}`, t('Update llm-tutor, or relax the range.'));
  }
  const packageProblem = await checkPackageJson(dir, manifest.version);
  if (packageProblem) problem(path.join(dir, 'package.json'), packageProblem.field, packageProblem.message, packageProblem.fix);
  const pack: Pack = { dir, manifest, builtin: false };
  const refs = exerciseRefs([pack]);
  report.exercises = refs.length;

  const { loadTf } = await import('../../reference/backend.js');
  const { tf } = await loadTf(options.backend);
  const definitions = new Map<string, ExerciseDefinition>();
  for (const [index, ref] of refs.entries()) {
    const field = `exercises[${index}]`;
    options.onProgress?.(ref.id);
    if (!existsSync(ref.dir)) {
      problem(path.join(dir, ref.id), field, t`the folder of exercise "${ref.id}" is missing`, t`Create ${ref.id}/ with ${Object.values(exerciseFiles).join(', ')}, or remove the entry.`);
      continue;
    }
    for (const [which, name] of Object.entries(exerciseFiles)) {
      const file = path.join(ref.dir, name);
      if (which === 'solution' && !manifest.solutions) {
        if (existsSync(file)) report.warnings.push({ file, field: '', ...shippedSolution() });
      } else if (!existsSync(file)) {
        problem(file, field, missingFile(which), t`Add ${name} to ${ref.id}/.`);
      } else if (which === 'lesson') {
        const lesson = await fs.readFile(file, 'utf8');
        if (lesson.trim() === '') problem(file, '', t('the lesson is empty'), t('Write the lesson: the idea, the formula, a worked example, the pitfalls.'));
        for (const message of lessonPictureProblems(lesson)) report.warnings.push({ file, field: '', message, fix: pictureFix(ref.id) });
      }
    }
    for (const [file, problemFound] of await checkTranslatedLessons(ref.dir, locales)) problem(file, '', problemFound.message, problemFound.fix);
    const definitionFile = path.join(ref.dir, exerciseFiles.definition);
    if (!existsSync(definitionFile)) continue;
    let definition: ExerciseDefinition;
    try {
      definition = await loadDefinition(ref);
    } catch (error) {
      if (error instanceof FileError) for (const issue of error.issues) problem(definitionFile, issue.path, issue.message, t('Fix the definition passed to defineExercise().'));
      else problem(definitionFile, '', (error as Error).message.replace(`${definitionFile}: `, ''), t('Fix the exercise definition.'));
      continue;
    }
    definitions.set(ref.id, definition);
    for (const text of [...(definition.misconceptions ?? []).flatMap((m) => [m.title, m.message, ...(m.hint === undefined ? [] : [m.hint])]), ...definition.hints.map(hintText)]) {
      for (const locale of localesOf(text)) locales.add(locale);
    }
    checkSignature(definition, definitionFile, problem);
    if (definition.hints.length < 2) problem(definitionFile, 'hints', t`only ${plural(definition.hints.length, 'hint')}`, t('Give two or three tiered hints: a nudge first, the key idea last.'));
    const ctx: ReferenceContext = { tf, exerciseDir: ref.dir };
    let referenceOk = true;
    let duplicateReported = false;
    let pinnedReported = false;
    for (const seed of seeds) {
      try {
        const cases = buildCases(ref, definition, seed);
        const twice = duplicateReported ? undefined : duplicateCaseName(cases);
        if (twice !== undefined) {
          problem(definitionFile, 'cases', t`two cases are named "${twice}" (seed ${seed})`, t('Give every case its own name: results, hints and the class report tell cases apart by name.'));
          duplicateReported = true;
        }
        const once = await computeExpected(ref, definition, cases, ctx);
        for (const [i, c] of cases.entries()) {
          const again = await expectedFor(ref, definition, c.name, c.args, contextFor(ctx, c.entry));
          if (once[i] === undefined || typeof once[i] === 'function') {
            problem(definitionFile, 'reference', t`returns ${typeof once[i]} on case "${c.name}"`, t('Return plain data (numbers, arrays, objects, strings) or a tfjs Tensor.'));
            referenceOk = false;
          } else if (!compareOutputs(once[i], again, definition.compare ?? defaultTolerance).ok) {
            problem(definitionFile, 'reference', t`gives different outputs on two runs of case "${c.name}"`, t('Make the reference deterministic: no Math.random, no state kept between calls.'));
            referenceOk = false;
          }
        }
        // Reported for the first seed where a pin is off: one that is wrong is usually wrong on every seed.
        const offPin: { message: string; fix: string }[] = referenceOk && !pinnedReported ? pinnedProblems(definition, cases, once, seed) : [];
        for (const found of offPin) problem(definitionFile, 'cases', found.message, found.fix);
        pinnedReported ||= offPin.length > 0;
        // What only some kinds need, on the first seed's cases and expected outputs (already computed).
        if (referenceOk && seed === seeds[0]) referenceOk = await checkKind(ref, definition, definitionFile, ctx, seed, { cases, expected: once }, problem);
        if (referenceOk && seed === seeds[0]) referenceOk = await checkTrace(definition, definitionFile, ctx, cases, problem);
      } catch (error) {
        problem(definitionFile, error instanceof UserError && /cases\(\)/.test(error.message) ? 'cases' : 'reference', (error as Error).message.replace(`${definitionFile}: `, ''), t('Fix the definition so that it runs on every case.'));
        referenceOk = false;
      }
      if (!referenceOk) break;
    }
    if (!referenceOk) continue;
    const has = (which: 'solution' | 'starter') => existsSync(path.join(ref.dir, exerciseFiles[which]));

    let solutionOk = has('solution');
    for (const seed of solutionOk ? seeds : []) {
      const solved = await gradeOwnFile(ref, definition, 'solution', seed, options.backend);
      if (solved.status !== 'pass') {
        const first = solved.firstFailure !== undefined ? solved.cases[solved.firstFailure] : undefined;
        const exported = wrongExport(solved, 'solution', definition.entry);
        if (exported) problem(path.join(ref.dir, exerciseFiles.solution), '', exported, t('Rename the solution\'s function or the exercise\'s entry so that they agree: the grader calls entry.'));
        else problem(path.join(ref.dir, exerciseFiles.solution), '', t`the model solution does not pass (seed ${seed}): ${first ? t`case "${first.name}": ${first.message ?? first.status}` : solved.summary}`, t('Fix the solution or the reference so that they agree.'));
        solutionOk = false;
        break;
      }
    }
    const starter = has('starter') ? await gradeOwnFile(ref, definition, 'starter', seeds[0], options.backend) : undefined;
    const starterWrong = starter && starterProblem(starter, definition.entry);
    if (starterWrong) problem(path.join(ref.dir, exerciseFiles.starter), '', starterWrong.message, starterWrong.fix);

    const misconceptions = definition.misconceptions ?? [];
    if (misconceptions.length === 0) problem(definitionFile, 'misconceptions', t('none listed'), t('Add the classic mistakes of this exercise: they are what makes the diagnosis useful.'));
    const ids = new Set<string>();
    misconceptions.forEach((m, i) => {
      if (ids.has(m.id)) problem(definitionFile, `misconceptions[${i}].id`, t`duplicate id "${m.id}"`, t('Give each misconception its own id.'));
      if (m.hint === undefined) problem(definitionFile, `misconceptions[${i}].hint`, t`"${m.id}" has no hint`, t('Add a hint that nudges a learner making this mistake toward the fix, in a sentence or two, without writing the code: `llm-tutor hint` offers it while the mistake is diagnosed.'));
      ids.add(m.id);
    });
    // A course build has no solution to pass first: its misconceptions are checked against the reference alone.
    if (has('solution') ? solutionOk : !manifest.solutions) {
      const reported = new Set<string>();
      const warned = new Set<string>();
      for (const seed of seeds) {
        const checks = await checkMisconceptions(ref, definition, seed, ctx);
        checks.forEach((check, i) => {
          const at = `misconceptions[${i}] (${check.id})`;
          const warning = warned.has(check.id) || reported.has(check.id) ? undefined : misconceptionWarning(check, seed);
          if (warning) {
            report.warnings.push({ file: definitionFile, field: at, ...warning });
            warned.add(check.id);
          }
          const found = reported.has(check.id) ? undefined : misconceptionProblem(check, seed);
          if (!found) return;
          problem(definitionFile, at, found.message, found.fix);
          reported.add(check.id);
        });
      }
    }
    report.checked.push(`${ref.id}: ${plural(misconceptions.length, 'misconception')}, ${plural(definition.hints.length, 'hint')}`);
  }
  locales.delete(defaultLocale);
  report.locales = [defaultLocale, ...[...locales].sort()];
  // A built-in pack ships complete in every locale it has; an instructor's pack is warned (learners fall back to English).
  const builtin = options.builtin ?? isBuiltinPackDir(dir);
  const translated = report.locales.slice(1);
  for (const found of [...titleFindings(manifestFile, manifest.titles, translated), ...(await translationFindings(refs, definitions, translated))]) (builtin ? report.problems : report.warnings).push(found);
  return report;
}

/** Whether `dir` is one of the packs shipped with llm-tutor (under its exercises/ folder). */
function isBuiltinPackDir(dir: string): boolean {
  try {
    const relative = path.relative(realpathSync(builtinPacksDir), realpathSync(dir));
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  } catch {
    return false;
  }
}

/** What `validatePack` says of an exercise file that is missing. */
function missingFile(which: string): string {
  switch (which) {
    case 'definition':
      return t('missing exercise definition');
    case 'lesson':
      return t('missing lesson');
    case 'starter':
      return t('missing starter');
    case 'solution':
      return t('missing solution');
    default:
      return `missing ${which}`;
  }
}

/** The warning for a solution.ts in a pack whose manifest says it ships none. */
const shippedSolution = () => ({
  message: t('pack.json says "solutions": false, yet this model solution is in the folder: learners who install the pack can read it'),
  fix: t('Remove it, or build the pack with `llm-tutor pack build --no-solutions`, which leaves every solution.ts out.'),
});

/** What to do about a malformed picture block: learners see it as a code block with the problem under it. */
const pictureFix = (id: string) => t`Fix the block as the authoring guide (docs/authoring.md §3) describes, then look at it with \`llm-tutor lesson ${id}\`; until then learners see it as code.`;

/**
 * Checks the translated lessons in an exercise folder (`lesson.<tag>.md`): a
 * valid locale tag, not `en` (that is lesson.md), not empty. Adds the tags of
 * good ones to `locales`; returns the problems, by file.
 */
async function checkTranslatedLessons(dir: string, locales: Set<string>): Promise<[string, { message: string; fix: string }][]> {
  const found: [string, { message: string; fix: string }][] = [];
  for (const name of (await fs.readdir(dir)).sort()) {
    const tag = lessonNameLocale(name);
    if (tag === undefined) continue;
    const file = path.join(dir, name);
    const rename = t('Name a translated lesson lesson.<tag>.md, with a locale tag such as zh or zh-CN (language, then region).');
    if (!isLocaleTag(tag)) found.push([file, { message: t`"${tag}" is not a locale tag`, fix: rename }]);
    else if (tag === defaultLocale) found.push([file, { message: t('the English lesson is lesson.md'), fix: t('Merge it into lesson.md and remove it.') }]);
    else {
      let text: string | undefined;
      try {
        text = await readRegularFile(file, { maxBytes: readLimits.exerciseText, fix: t('keep the translated lesson as a regular file') });
      } catch (error) {
        if (!(error instanceof UnsafeFileError)) throw error;
        found.push([file, { message: error.message.replace(`${file}: `, ''), fix: t('Keep the translated lesson as a regular file beside lesson.md.') }]);
        continue;
      }
      if (!text?.trim()) found.push([file, { message: t('the translated lesson is empty'), fix: t('Translate lesson.md into it, or remove it: learners then read lesson.md.') }]);
      else locales.add(tag);
    }
  }
  return found;
}

/**
 * A pack's package.json, when it has one, must be JSON and carry the version
 * of pack.json: npm publishes the one, the workspace records the other.
 * Returns the problem found, or undefined.
 */
async function checkPackageJson(dir: string, packVersion: string): Promise<{ field: string; message: string; fix: string } | undefined> {
  let text: string | undefined;
  try {
    text = await readRegularFile(path.join(dir, 'package.json'), { maxBytes: readLimits.exerciseText, fix: t('keep package.json as a regular file') });
  } catch (error) {
    if (!(error instanceof UnsafeFileError)) throw error;
    return { field: '', message: error.message.replace(/^.*package\.json: /, ''), fix: t('Keep package.json as a regular file beside pack.json.') };
  }
  if (text === undefined) return undefined;
  let data: { version?: unknown };
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { field: '', message: describeJsonError(text, error as Error), fix: t('Fix the syntax: npm reads this file to publish the pack.') };
  }
  if (data?.version === packVersion) return undefined;
  const message = typeof data?.version === 'string' ? t`the version is ${data.version} but pack.json's is ${packVersion}` : t`the version is missing but pack.json's is ${packVersion}`;
  return { field: 'version', message, fix: t`Give both the same version: npm publishes package.json's, learners' workspaces record pack.json's.` };
}
