import { existsSync, watch } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { GlobalOptions, Io } from '../cli.js';
import { checkExercise } from '../core/check.js';
import { readExerciseFile, type ExerciseRef } from '../core/packs.js';
import { configFileName, defaultWorkspaceName, findWorkspaceDir, initWorkspace, learnerFileOf, openWorkspace, type Workspace } from '../core/workspace.js';
import { renderVerdict } from '../report/pretty.js';
import { openSession, type Session } from './context.js';

/** The lesson's first paragraph after its title: the idea in two or three sentences. */
export function lessonSummary(markdown: string): string {
  const paragraphs = markdown.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p && !p.startsWith('#'));
  return (paragraphs[0] ?? '').replace(/\*\*/g, '').replace(/^The idea\.\s*/, '').replace(/\s+/g, ' ');
}

async function findOrCreateWorkspace(io: Io, globals: GlobalOptions): Promise<Workspace | undefined> {
  if (globals.workspace) return undefined;
  if (findWorkspaceDir(io.cwd)) return undefined;
  const dir = path.join(io.cwd, defaultWorkspaceName);
  if (existsSync(path.join(dir, configFileName))) return openWorkspace(dir);
  const { workspace } = await initWorkspace(dir, undefined, globals.seed);
  io.out(`No workspace here, so one was created in ./${defaultWorkspaceName} (${workspace.exercises.length} exercises). Work there from now on: cd ${defaultWorkspaceName}\n`);
  return workspace;
}

async function header(session: Session, ref: ExerciseRef): Promise<string> {
  const c = session.chalk;
  const inPack = session.exercises.filter((r) => r.packId === ref.packId);
  const solved = inPack.filter((r) => session.state.exercises[r.key]?.status === 'passed').length;
  const width = 20;
  const filled = Math.round((solved / inPack.length) * width);
  const bar = `${c.green('█'.repeat(filled))}${c.dim('░'.repeat(width - filled))}`;
  const file = path.relative(session.io.cwd, learnerFileOf(session.workspace, ref)) || learnerFileOf(session.workspace, ref);
  return [
    `${c.bold(ref.pack.manifest.title)} ${bar} ${solved}/${inPack.length} solved`,
    '',
    `${c.bold.cyan(`${ref.number}. ${ref.title}`)} ${c.dim(`(${ref.id})`)}`,
    lessonSummary(await readExerciseFile(ref, 'lesson')),
    '',
    `Edit: ${c.underline(file)}`,
    c.dim(`Lesson: llm-tutor lesson ${ref.id}   Hint: llm-tutor hint ${ref.id}`),
  ].join('\n');
}

/**
 * `llm-tutor next`: the first unsolved exercise, its summary, its file and its
 * verdict. Prints once when stdout is not a terminal or with --once; in a
 * terminal it then re-grades on every save (or on Enter with --manual-run).
 */
export default async function next(io: Io, globals: GlobalOptions, options: { once?: boolean; manualRun?: boolean }): Promise<number> {
  const created = await findOrCreateWorkspace(io, globals);
  let session = await openSession(io, globals, created);
  const ref = session.exercises.find((r) => session.state.exercises[r.key]?.status !== 'passed');
  if (!ref) {
    io.out(session.chalk.green.bold(`All ${session.exercises.length} exercises pass. Well done!`));
    io.out(session.chalk.dim('Revisit any with `llm-tutor check <id>`, or add a pack.'));
    return 0;
  }
  io.out(await header(session, ref));
  const gradeAndPrint = async () => {
    const verdict = await checkExercise(session.workspace, ref, { seed: session.seed, backend: session.backend });
    io.out(`\n${renderVerdict(verdict, session.chalk, { title: ref.title, cwd: io.cwd })}`);
    if (verdict.status === 'pass') io.out(session.chalk.green(`\nSolved! Run \`llm-tutor next\` for the next exercise.`));
    return verdict.status === 'pass' ? 0 : 1;
  };
  const first = await gradeAndPrint();
  if (options.once || !io.isTTY) return first;
  return watchLoop(io, session, ref, gradeAndPrint, Boolean(options.manualRun), async () => {
    session = await openSession(io, globals, session.workspace);
  });
}

function watchLoop(io: Io, session: Session, ref: ExerciseRef, grade: () => Promise<number>, manual: boolean, refresh: () => Promise<void>): Promise<number> {
  const file = learnerFileOf(session.workspace, ref);
  const c = session.chalk;
  return new Promise((resolve) => {
    let running = false;
    let again = false;
    let timer: NodeJS.Timeout | undefined;
    const rerun = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        await refresh();
        io.out(c.dim(`\n── re-grading ${path.basename(file)} ──`));
        await grade();
      } catch (error) {
        io.out(c.red(`Could not grade: ${(error as Error).message}`));
      } finally {
        running = false;
        if (again) {
          again = false;
          void rerun();
        }
      }
    };
    const rl = createInterface({ input: process.stdin });
    let watcher: ReturnType<typeof watch> | undefined;
    if (!manual) {
      try {
        // Watch the folder, not the file: editors that save by renaming replace the file.
        watcher = watch(path.dirname(file), (_event, name) => {
          if (name && name.toString() !== path.basename(file)) return;
          clearTimeout(timer);
          timer = setTimeout(() => void rerun(), 80);
        });
      } catch (error) {
        io.out(c.yellow(`Watching ${file} failed (${(error as Error).message}); use --manual-run and press Enter to re-grade.`));
      }
    }
    io.out(c.dim(manual ? '\nPress Enter to re-grade, q then Enter to quit.' : `\nWatching ${path.basename(file)}: save to re-grade. Enter re-grades, q then Enter quits.`));
    rl.on('line', (line) => {
      if (line.trim() === 'q') rl.close();
      else void rerun();
    });
    // Quitting is the learner's choice, not a failure: exit 0.
    rl.on('close', () => {
      watcher?.close();
      clearTimeout(timer);
      resolve(0);
    });
  });
}
