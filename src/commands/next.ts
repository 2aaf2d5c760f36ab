import path from 'node:path';
import { outputWidth, type GlobalOptions, type Io } from './io.js';
import { checkExercise } from '../core/workspace/check.js';
import { readExerciseFile, type ExerciseRef } from '../core/packs/packs.js';
import { entryExists } from '../core/common/safe-read.js';
import { tutorCommand } from '../core/common/invocation.js';
import { plural } from '../core/common/words.js';
import { configFileName, defaultWorkspaceName, findWorkspaceDir, initWorkspace, learnerFileOf, openWorkspace, type Workspace } from '../core/workspace/workspace.js';
import { escapeLogLine } from '../report/escape.js';
import { renderVerdict } from '../report/pretty.js';
import { renderAfterPass } from '../report/after-pass.js';
import { loadAfterPass, lessonSummary } from '../core/packs/lesson-sections.js';
import { countSolved } from '../core/workspace/progress.js';
import { openSession, type Session } from './context.js';
import type { ExitReason } from '../ui/App.js';
import { t } from '../i18n/i18n.js';

/**
 * The workspace in ./llm-tutor-workspace when there is none here or above (made the first time, as `npm start` in a
 * clone does), and a line saying where the files are and how to run the other commands from this folder, for the
 * screen to show; undefined when the current folder is in a workspace.
 */
async function findOrCreateWorkspace(io: Io, globals: GlobalOptions): Promise<{ workspace?: Workspace; notice?: string }> {
  if (globals.workspace) return {};
  if (findWorkspaceDir(io.cwd)) return {};
  const dir = path.join(io.cwd, defaultWorkspaceName);
  const command = tutorCommand(io.cwd);
  const name = defaultWorkspaceName;
  const where =
    command === 'llm-tutor'
      ? t`Your files: ./${name}/exercises. Other commands: \`${command} <command>\` from this folder.`
      : t`Your files: ./${name}/exercises. Other commands: \`${command} <command>\` from this folder (or \`npm install -g .\` for llm-tutor on your PATH).`;
  if (entryExists(path.join(dir, configFileName))) return { workspace: await openWorkspace(dir), notice: where };
  const { workspace } = await initWorkspace(dir, undefined, globals.seed);
  const exercises = plural(workspace.exercises.length, 'exercise');
  io.out(
    `${
      command === 'llm-tutor'
        ? t`No workspace here, so one was created in ./${name} (${exercises}). Run the tutor from this folder as \`${command} <command>\`; your files are in ./${name}/exercises.`
        : t`No workspace here, so one was created in ./${name} (${exercises}). Run the tutor from this folder as \`${command} <command>\` (\`npm install -g .\` in this folder puts \`llm-tutor\` on your PATH); your files are in ./${name}/exercises.`
    }\n`,
  );
  return { workspace, notice: where };
}

async function header(session: Session, ref: ExerciseRef): Promise<string> {
  const c = session.chalk;
  const { solved, total } = countSolved(session.exercises, session.state, ref.packId);
  const width = 20;
  const filled = Math.round((solved / total) * width);
  const bar = `${c.green('█'.repeat(filled))}${c.dim('░'.repeat(width - filled))}`;
  const file = escapeLogLine(path.relative(session.io.cwd, learnerFileOf(session.workspace, ref)) || learnerFileOf(session.workspace, ref));
  return [
    t`${c.bold(escapeLogLine(ref.pack.manifest.title))} ${bar} ${solved}/${total} solved`,
    '',
    `${c.bold.cyan(`${ref.number}. ${escapeLogLine(ref.title)}`)} ${c.dim(`(${escapeLogLine(ref.id)})`)}`,
    escapeLogLine(lessonSummary(await readExerciseFile(ref, 'lesson', session.locale))),
    '',
    t`Edit: ${c.underline(file)}`,
    c.dim(t`Lesson: ${tutorCommand(session.io.cwd)} lesson ${ref.id}   Hint: ${tutorCommand(session.io.cwd)} hint ${ref.id}`),
  ].join('\n');
}

/**
 * `llm-tutor next`: the first unsolved exercise, its summary, its file and its
 * verdict. Prints once when stdout is not a terminal or with --once; in a
 * terminal it opens the interactive screen, which re-grades on every save.
 */
export default async function next(io: Io, globals: GlobalOptions, options: { once?: boolean; manualRun?: boolean }): Promise<number> {
  const found = await findOrCreateWorkspace(io, globals);
  const session = await openSession(io, globals, found.workspace);
  const ref = session.exercises.find((r) => session.state.exercises[r.key]?.status !== 'passed');
  if (!ref) {
    const count = session.exercises.length;
    io.out(session.chalk.green.bold(count === 1 ? t('All 1 exercise passes. Well done!') : t`All ${count} exercises pass. Well done!`));
    io.out(session.chalk.dim(t`Revisit any with \`${tutorCommand(io.cwd)} check <id>\`, or add a pack.`));
    return 0;
  }
  // The interactive screen needs a terminal for both output and keys.
  if (!options.once && io.isTTY && process.stdin.isTTY) return interactive(io, session, ref, Boolean(options.manualRun), found.notice);
  io.out(await header(session, ref));
  const verdict = await checkExercise(session.workspace, ref, { seed: session.seed, backend: session.backend });
  io.out(`\n${renderVerdict(verdict, session.chalk, { title: ref.title, cwd: io.cwd, width: outputWidth(io) })}`);
  if (verdict.status === 'pass') io.out(renderAfterPass(await loadAfterPass(ref, session.locale), session.chalk, outputWidth(io)));
  if (verdict.status === 'pass') io.out(session.chalk.green(`\n${t`Solved! Run \`${tutorCommand(io.cwd)} next\` for the next exercise.`}`));
  return verdict.status === 'pass' ? 0 : 1;
}

/**
 * Ink draws only the last frame when it sees CI or CONTINUOUS_INTEGRATION in
 * the environment, and decides that once, when it is first imported. Dev
 * containers and cloud shells often set CI, yet a learner there sits at a real
 * terminal (stdin and stdout are TTYs here), so hide those variables for that
 * one import and put them back afterwards.
 */
export async function importInkForTerminal(): Promise<typeof import('ink')> {
  const keys = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = keys.map((key) => [key, process.env[key]] as const);
  for (const key of keys) if (key in process.env) process.env[key] = 'false';
  try {
    return await import('ink');
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** The Ink screen: re-grades on save, keys for hints, list, next, solution, editor. */
async function interactive(io: Io, session: Session, ref: ExerciseRef, manual: boolean, notice?: string): Promise<number> {
  const { render } = await importInkForTerminal();
  const [React, { App }, { WatchSession }, { trackLineStart }] = await Promise.all([
    import('react'),
    import('../ui/App.js'),
    import('../core/workspace/watch-session.js'),
    import('../ui/line-tracking-stdout.js'),
  ]);
  const watch = new WatchSession(session.workspace, session.exercises, { seed: session.seed, backend: session.backend, manual }, session.state, ref);
  const stdout = trackLineStart(process.stdout);
  // Ink draws at most maxFps frames a second, so a verdict may wait for the next frame (up to 34 ms at Ink's 30):
  // a frame is cheap now that a verdict is laid out once, so it waits at most 17 ms.
  const instance = render(React.createElement(App, { session: watch, cwd: io.cwd }), { stdout: stdout.stream, exitOnCtrlC: false, maxFps: 60 });
  // The line about where the files are shows once the first exercise is open (opening one clears the notice).
  void watch.start().then(() => notice && !watch.getSnapshot().notice && watch.setNotice(notice));
  const reason = (await instance.waitUntilExit()) as ExitReason | undefined;
  await watch.close();
  // A frame as tall as the terminal ends without a newline: end the key bar's line, so the prompt starts on its own.
  if (!stdout.atLineStart()) process.stdout.write('\n');
  return reason === 'interrupt' ? 130 : 0;
}
