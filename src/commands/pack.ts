import path from 'node:path';
import { padColumns, type GlobalOptions, type Io } from './io.js';
import { UserError } from '../errors.js';
import { plural, sentences } from '../core/common/words.js';
import { addPack, removePack } from '../core/packs/install.js';
import { exerciseRefs, findExercise, loadPack, readExerciseFile, type ExerciseRef } from '../core/packs/packs.js';
import { scaffoldExercise, scaffoldPack } from '../core/packs/scaffold.js';
import { defaultSeed } from '../core/workspace/workspace.js';
import { validatePack, type PackProblem } from '../core/packs/validate.js';
import { countSolved } from '../core/workspace/progress.js';
import { locateWorkspace } from '../core/workspace/workspace.js';
import { parseBackend } from '../reference/backend.js';
import { escapeLogLine } from '../report/escape.js';
import { toJson } from '../report/json.js';
import { makeChalk } from '../report/chalk.js';
import { t } from '../i18n/i18n.js';

const color = (globals: GlobalOptions) => makeChalk(globals.color);

/** `llm-tutor pack new <dir>`: a pack with one complete example exercise. */
export async function packNew(io: Io, globals: GlobalOptions, dir: string, options: { id?: string }): Promise<number> {
  const target = path.resolve(io.cwd, dir);
  const id = options.id ?? path.basename(target).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  const files = await scaffoldPack(target, id);
  const c = color(globals);
  io.out(t`${c.green(t('Created'))} the pack "${id}" in ${path.relative(io.cwd, target) || '.'}: ${plural(files.length, 'file')}, one example exercise (basics/relu).`);
  io.out(c.dim(t`Next: edit basics/relu/, then \`llm-tutor pack validate ${dir}\`; enable it with \`llm-tutor pack add ${dir}\`.`));
  return 0;
}

/** `llm-tutor pack new-exercise <dir> <id>`: one more exercise in an existing pack, listed last in its pack.json. */
export async function packNewExercise(io: Io, globals: GlobalOptions, dir: string, exerciseId: string, options: { title?: string }): Promise<number> {
  const target = path.resolve(io.cwd, dir);
  const { files, entry } = await scaffoldExercise(target, exerciseId, options.title);
  const c = color(globals);
  io.out(t`${c.green(t('Added'))} the exercise "${exerciseId}" to ${path.relative(io.cwd, target) || '.'}: ${plural(files.length, 'file')} in ${exerciseId}/, listed last in pack.json.`);
  io.out(c.dim(t`Its starter, solution and definition are the ReLU example under the name ${entry}: replace them, write the lesson, then \`llm-tutor pack preview ${dir} ${exerciseId}\` and \`llm-tutor pack validate ${dir}\`.`));
  return 0;
}

/** The exercise `id` names among a pack's `refs` (as `findExercise` finds one), with the pack's own ids as what to do when none or several match. */
function exerciseOfPack(refs: ExerciseRef[], id: string, dir: string): ExerciseRef {
  try {
    return findExercise(refs, id);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(error.message, { next: t`The exercises of the pack in ${dir}: ${refs.map((r) => r.id).join(', ')}.`, exitCode: 2 });
  }
}

/**
 * `llm-tutor pack preview <dir> [id]`: an exercise as a learner meets it, with
 * no workspace: the lesson, the first case with its expected output, and
 * every hint. Without an id, the pack's first exercise.
 */
export async function packPreview(io: Io, globals: GlobalOptions, dir: string, id: string | undefined): Promise<number> {
  const [{ computeExample, exampleLines }, { hintBlock }, { allHintIds, revealedHints }, { readingWidth }, { renderMarkdown }] = await Promise.all([
    import('./example.js'),
    import('./hint.js'),
    import('../core/workspace/hints.js'),
    import('./lesson.js'),
    import('../report/markdown.js'),
  ]);
  const pack = await loadPack(path.resolve(io.cwd, dir));
  const refs = exerciseRefs([pack]);
  const ref = id === undefined ? refs[0] : exerciseOfPack(refs, id, dir);
  const c = color(globals);
  const seed = globals.seed ?? defaultSeed;
  const example = await computeExample(ref, seed, globals.backend ? parseBackend(globals.backend) : undefined);
  const heading = (title: string) => `\n${c.bold.underline(title)}\n\n`;
  io.out(c.dim(`${t`Preview of ${escapeLogLine(ref.key)} (${plural(refs.length, 'exercise')} in the pack): the lesson, an example case and the hints, as a learner sees them.`}\n`));
  io.out(renderMarkdown(await readExerciseFile(ref, 'lesson'), c, readingWidth(io)));
  io.out(heading(t('Example')));
  io.out(exampleLines(example, seed, c, readingWidth(io)).join('\n'));
  io.out(heading(t('Hints')));
  io.out(revealedHints(example.definition, allHintIds(example.definition)).map(({ label, text }) => hintBlock(label, text, c.bold)).join('\n\n'));
  return 0;
}

/** `llm-tutor pack validate <dir>`: every problem, each as file, field and fix; exit 1 when any. */
export async function packValidate(io: Io, globals: GlobalOptions, dir: string, options: { json?: boolean }): Promise<number> {
  const c = color(globals);
  const report = await validatePack(path.resolve(io.cwd, dir), {
    backend: globals.backend ? parseBackend(globals.backend) : undefined,
    seeds: globals.seed !== undefined ? [globals.seed] : undefined,
  });
  if (options.json) {
    io.out(toJson(report, 2));
    return report.problems.length ? 1 : 0;
  }
  const rel = (file: string) => escapeLogLine(path.relative(io.cwd, file) || file);
  const show = (mark: string, p: PackProblem) => {
    io.out(`${mark} ${rel(p.file)}${p.field ? ` ${c.bold(escapeLogLine(p.field))}` : ''}: ${escapeLogLine(p.message)}`);
    io.out(c.dim(`    ${t`fix: ${escapeLogLine(p.fix)}`}`));
  };
  for (const p of report.problems) show(c.red('✗'), p);
  for (const p of report.warnings) show(c.yellow('!'), p);
  const what = report.packId ? `${escapeLogLine(report.packId)} ${escapeLogLine(String(report.version))}` : rel(report.dir);
  if (report.problems.length) {
    io.out(c.red(`\n${t`${plural(report.problems.length, 'problem')} in ${what} (${plural(report.exercises, 'exercise')}).`}`));
    return 1;
  }
  for (const line of report.checked) io.out(`${c.green('✓')} ${escapeLogLine(line)}`);
  io.out(t`locales: ${report.locales.map(escapeLogLine).join(', ')}`);
  const valid = report.solutions
    ? t`${what} is valid: ${plural(report.exercises, 'exercise')}; every reference runs, every solution passes, every starter fails, every misconception is reachable and diagnosed as itself.`
    : t`${what} is valid: ${plural(report.exercises, 'exercise')}; every reference runs, no model solutions (a course build), every starter fails, every misconception is reachable and diagnosed as itself.`;
  io.out(c.green(`\n${valid}`));
  return 0;
}

/** `llm-tutor pack build [dir]`: the pack as a .tgz for `pack add` or `npm publish`; with --no-solutions, a course build without its model solutions. */
export async function packBuild(io: Io, globals: GlobalOptions, dir: string, options: { solutions?: boolean; out?: string }): Promise<number> {
  const { buildPack } = await import('../core/packs/build.js');
  const solutions = options.solutions ?? true;
  const built = await buildPack(path.resolve(io.cwd, dir), { solutions, out: options.out, cwd: io.cwd });
  const c = color(globals);
  const file = escapeLogLine(path.relative(io.cwd, built.file) || built.file);
  const pack = `${built.id} ${escapeLogLine(built.version)}`;
  const files = plural(built.files.length, 'file');
  io.out(
    solutions
      ? t`${c.green(t('Built'))} ${pack} with its model solutions: ${file}, ${files}.`
      : t`${c.green(t('Built'))} ${pack} without its model solutions (${plural(built.withheld.length, 'solution file')} left out): ${file}, ${files}.`,
  );
  io.out(c.dim(t`Learners enable it with \`llm-tutor pack add ${file}\`; \`npm publish ${file}\` publishes it.`));
  return 0;
}

/** `llm-tutor pack add <dir | npm package | .tgz>`. */
export async function packAdd(io: Io, globals: GlobalOptions, source: string, options: { force?: boolean }): Promise<number> {
  const workspace = await locateWorkspace(globals.workspace, io.cwd);
  const result = await addPack(workspace, source, io.cwd, { force: options.force });
  const c = color(globals);
  const { id, version, title } = result.pack.manifest;
  const count = result.pack.manifest.exercises.length;
  if (result.downgrade) io.out(t`${c.yellow(t('Downgraded'))} ${id} from ${escapeLogLine(result.previousVersion!)} to ${escapeLogLine(version)}: an older version than the one enabled.`);
  else if (result.previousVersion) io.out(t`${c.green(t('Updated'))} ${id} from ${escapeLogLine(result.previousVersion)} to ${escapeLogLine(version)}.`);
  else {
    const enabled = c.green(t('Enabled'));
    const exercises = plural(count, 'exercise');
    io.out(
      result.pack.manifest.solutions
        ? t`${enabled} ${id} ${escapeLogLine(version)} (${escapeLogLine(title)}): ${exercises}.`
        : t`${enabled} ${id} ${escapeLogLine(version)} (${escapeLogLine(title)}): ${exercises}, without model solutions.`,
    );
  }
  if (result.changedExercises.length) io.out(c.yellow(changedNotice(result.changedExercises, version)));
  const listed = t`llm-tutor.json lists it as ${escapeLogLine(result.entry)}.`;
  io.out(c.dim(result.startersWritten > 0 ? sentences([t`Wrote ${plural(result.startersWritten, 'starter file')} under exercises/${id}/.`, listed]) : listed));
  return 0;
}

/** The update notice naming the exercises whose definition changed: their passes no longer count. */
function changedNotice(ids: string[], version: string): string {
  const listed = ids.map(escapeLogLine).join(', ');
  return ids.length === 1
    ? t`Changed in ${escapeLogLine(version)}: ${listed}. A pass of it from before no longer counts: check it again (\`llm-tutor next\` goes to the first).`
    : t`Changed in ${escapeLogLine(version)}: ${listed}. A pass of them from before no longer counts: check them again (\`llm-tutor next\` goes to the first).`;
}

/** `llm-tutor pack remove <id>`. */
export async function packRemove(io: Io, globals: GlobalOptions, id: string): Promise<number> {
  const workspace = await locateWorkspace(globals.workspace, io.cwd);
  await removePack(workspace, id);
  io.out(t`Disabled the pack "${id}". Your files in exercises/${id}/ and your progress are kept; \`llm-tutor pack add\` brings it back.`);
  return 0;
}

/** `llm-tutor pack list`: enabled packs with version and counts. */
export async function packList(io: Io, globals: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const workspace = await locateWorkspace(globals.workspace, io.cwd);
  const state = await workspace.state.read();
  const rows = workspace.packs.map((pack, i) => {
    const { solved, total } = countSolved(workspace.exercises, state, pack.manifest.id);
    return {
      id: pack.manifest.id,
      version: pack.manifest.version,
      title: pack.manifest.title,
      exercises: total,
      passed: solved,
      source: pack.builtin ? 'built-in' : workspace.config.packs[i],
    };
  });
  if (options.json) {
    io.out(toJson(rows, 2));
    return 0;
  }
  const c = color(globals);
  for (const r of rows) io.out(`${c.bold(r.id.padEnd(20))} ${escapeLogLine(r.version).padEnd(9)} ${padColumns(t`${r.passed}/${r.exercises} passed`, 14)} ${escapeLogLine(r.title)} ${c.dim(`(${escapeLogLine(r.source === 'built-in' ? t('built-in') : r.source)})`)}`);
  return 0;
}

/** How many arguments each pack command takes at most. */
const argumentsOf: Record<string, number> = { new: 1, build: 1, 'new-exercise': 2, preview: 2, validate: 1, add: 1, remove: 1, list: 0 };

/** Dispatches `llm-tutor pack <action>`. */
export default async function pack(io: Io, globals: GlobalOptions, action: string, args: string[], options: { id?: string; json?: boolean; title?: string; force?: boolean; solutions?: boolean; out?: string }): Promise<number> {
  const need = (what: string, i = 0) => {
    if (!args[i]) throw new UserError(t`llm-tutor pack ${action} needs ${what}.`, { next: t('Run `llm-tutor pack --help`.'), exitCode: 2 });
    return args[i];
  };
  const arg = args[0];
  const most = argumentsOf[action];
  if (most !== undefined && args.length > most) {
    const got = args.map(escapeLogLine).join(' ');
    throw new UserError(most === 0 ? t`llm-tutor pack ${action} takes no arguments; got ${args.length}: ${got}.` : t`llm-tutor pack ${action} takes at most ${plural(most, 'argument')}; got ${args.length}: ${got}.`, { next: t('Run `llm-tutor pack --help`.'), exitCode: 2 });
  }
  switch (action) {
    case 'new':
      return packNew(io, globals, need(t('a folder')), options);
    case 'new-exercise':
      return packNewExercise(io, globals, need(t('a pack folder and an exercise id')), need(t('an exercise id after the pack folder'), 1), options);
    case 'preview':
      return packPreview(io, globals, need(t('a pack folder')), args[1]);
    case 'validate':
      return packValidate(io, globals, arg ?? '.', options);
    case 'build':
      return packBuild(io, globals, arg ?? '.', options);
    case 'add':
      return packAdd(io, globals, need(t('a pack folder, a .tgz or an npm package name')), options);
    case 'remove':
      return packRemove(io, globals, need(t('a pack id')));
    case 'list':
      return packList(io, globals, options);
    default:
      throw new UserError(t`Unknown pack command "${action}".`, { next: t('Use one of: new, new-exercise, preview, validate, build, add, remove, list.'), exitCode: 2 });
  }
}
