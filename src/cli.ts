import { stripVTControlCharacters } from 'node:util';
import { Command, CommanderError, Help, Option } from 'commander';
import { InterruptedError, isUserError, UserError } from './errors.js';
import { escapeLogLine } from './report/escape.js';
import { displayWidth } from './report/text-width.js';
import { version } from './core/common/version.js';
import { runnableCommands } from './core/common/invocation.js';
import { processIo, type GlobalOptions, type Io } from './commands/io.js';
import { currentLocale, setLocale, t } from './i18n/i18n.js';
import { resolveLocale } from './i18n/resolve.js';

/** `LLM_TUTOR_ISOLATION`, checked. */
function isolationFromEnv(): GlobalOptions['isolation'] {
  const value = process.env.LLM_TUTOR_ISOLATION;
  if (value === undefined || value === '') return undefined;
  if (value === 'bwrap' || value === 'permission' || value === 'auto') return value;
  throw new UserError(t`LLM_TUTOR_ISOLATION must be bwrap, permission or auto, got "${value.slice(0, 40)}".`, { exitCode: 2 });
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new CommanderError(2, 'llm-tutor.seed', t`--seed must be a whole number from 0 to 4294967295, got "${value}"`);
  return Number(value);
}

function parsePositiveInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) === 0) throw new CommanderError(2, 'llm-tutor.option', t`${flag} must be a positive whole number, got "${value}"`);
    return Number(value);
  };
}

function parseNumber(flag: string) {
  return (value: string): number => {
    if (!/^\d+(\.\d+)?$/.test(value)) throw new CommanderError(2, 'llm-tutor.option', t`${flag} must be a number such as 0.8, got "${value}"`);
    return Number(value);
  };
}

function parseWidth(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 20) throw new CommanderError(2, 'llm-tutor.option', t`--width must be a whole number of columns, at least 20, got "${value}"`);
  return Number(value);
}

// Where a line of help text may break in a language written without spaces: between CJK characters and at spaces, never before closing punctuation or after opening punctuation.
const opening = '（「『《“';
const closing = '，。、；：？！）」』》”';
const helpUnits = new RegExp(`\\s+|[${opening}]*(?:[\\p{Script=Han}\\u3000-\\u303f]|[^\\s\\p{Script=Han}\\u3000-\\u303f${opening}${closing}]+)[${closing}]*|.`, 'gu');

/** Help text wrapped to `width` columns, a CJK character taking two (commander's own wrap breaks at spaces only). */
function wrapHelp(text: string, width: number): string {
  if (width < 40) return text;
  return text
    .split(/\r?\n/)
    .map((line) => {
      const rows: string[] = [];
      let row = '';
      for (const unit of line.match(helpUnits) ?? []) {
        if (row !== '' && displayWidth(row + unit) > width) {
          rows.push(row.trimEnd());
          row = unit.trimStart();
        } else row += unit;
      }
      return [...rows, row].join('\n');
    })
    .join('\n');
}

/** Commander's help in the current language: its headings translated, its columns measured as a terminal draws them. */
function localisedHelp() {
  const titles: Record<string, string> = {
    'Usage:': t('Usage:'),
    'Options:': t('Options:'),
    'Commands:': t('Commands:'),
    'Arguments:': t('Arguments:'),
    'Global Options:': t('Global Options:'),
  };
  return {
    styleTitle: (title: string) => titles[title] ?? title,
    // An option's choices or default, said in the same language as its description.
    optionDescription(this: Help, option: Option): string {
      return Help.prototype.optionDescription
        .call(this, option)
        .replace(/ \(choices: ([^()]*)\)$/, (_, list: string) => t` (choices: ${list})`)
        .replace(/ \(default: ([^()]*)\)$/, (_, value: string) => t` (default: ${value})`);
    },
    displayWidth: (text: string) => displayWidth(stripVTControlCharacters(text)),
    boxWrap: wrapHelp,
  };
}

/**
 * Builds the commander program. Each action imports its command module lazily,
 * so `--version`, `list` and `hint` never load tfjs or esbuild. Returns the
 * program; `run` executes it and turns errors into an exit code.
 */
export function createProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command('llm-tutor');
  const globals = () => program.opts<GlobalOptions>();
  program
    .description(t('Learn how large language models work inside by implementing each piece.'))
    .version(version, '-v, --version', t('output the version number'))
    .option('-w, --workspace <dir>', t('the workspace folder (default: the nearest llm-tutor.json)'))
    .option('--pack <id>', t('only the exercises of this pack (grade: the pack to grade against)'))
    .addOption(new Option('--backend <name>', t('tfjs backend for the references')).choices(['node', 'wasm', 'cpu']))
    .option('--seed <n>', t('seed for the generated cases'), parseSeed)
    .option('--no-color', t('plain output without colours (also NO_COLOR=1)'))
    .option('--lang <tag>', t('the language of the tutor: en or zh-CN (also LLM_TUTOR_LANG, "lang" in llm-tutor.json, else the system locale)'))
    .addOption(new Option('--isolation <mode>', t("how learner code is isolated: bwrap (OS sandbox), permission (Node's permission model only) or auto (bwrap where it works; also LLM_TUTOR_ISOLATION)")).choices(['bwrap', 'permission', 'auto']))
    .addHelpText('after', `\n${t('reset, solution --force and doctor --repair\'s re-grade ask first in a terminal; without one they need --yes (exit 2 otherwise).')}`)
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => {} })
    .exitOverride();
  // In another language than English, commander's own words too, and help laid out by the columns CJK text takes.
  if (currentLocale() !== 'en') {
    program.helpOption('-h, --help', t('display help for command')).helpCommand('help [command]', t('display help for command')).configureHelp(localisedHelp());
  }

  const action =
    <A extends unknown[]>(load: () => Promise<{ default: (io: Io, globals: GlobalOptions, ...args: A) => Promise<number> }>) =>
    async (...args: A) => {
      const isolation = globals().isolation ?? isolationFromEnv();
      if (isolation) {
        const { ensureIsolation, requestIsolation } = await import('./sandbox/isolation.js');
        requestIsolation(isolation);
        // Asked for by name: a machine where it does not work is a usage error before anything runs.
        if (isolation === 'bwrap') await ensureIsolation();
      }
      const command = await load();
      setExitCode(await command.default(io, globals(), ...args));
    };

  program
    .command('init [dir]')
    .description(t('create a workspace (default: ./llm-tutor-workspace) with a starter file for every exercise'))
    .option('--packs <ids...>', t('packs to enable: built-in ids or pack folders (default: every built-in pack, in syllabus order)'))
    .action(action(() => import('./commands/init.js')));

  program
    .command('next')
    .alias('watch')
    .description(t('open the first unsolved exercise: lesson summary, file to edit, verdict'))
    .option('--once', t('grade once, print and exit (also when stdout is not a terminal)'))
    .option('--manual-run', t('re-grade on `r` instead of watching the file'))
    .action(action(() => import('./commands/next.js')));

  program
    .command('list')
    .description(t('every exercise of every enabled pack, with its status'))
    .option('--json', t('machine-readable output'))
    .action(action(() => import('./commands/list.js')));

  program
    .command('check [id]')
    .description(t('grade an exercise once (default: the current one); exit 0 on pass, 1 otherwise'))
    .option('--json', t('print the verdict as JSON'))
    .option('--file <path>', t('grade this file instead of the workspace file'))
    .option('--timeout <ms>', t("time limit for the learner's code, overriding the exercise's"), parsePositiveInt('--timeout'))
    .action(action(() => import('./commands/check.js')));

  program
    .command('hint [id]')
    .description(t('reveal the next hint (for the mistake the last check diagnosed, else a nudge first, the key idea last)'))
    .action(action(() => import('./commands/hint.js')));

  program
    .command('lesson [id]')
    .description(t('the lesson of an exercise, in a pager when stdout is a terminal (LLM_TUTOR_PAGER, PAGER, else less)'))
    .option('--no-pager', t('print the lesson instead of paging it'))
    .option('--width <columns>', t('wrap the text at this many columns (default: the terminal\'s, at most 100; 80 when not a terminal)'), parseWidth)
    .action(action(() => import('./commands/lesson.js')));

  program
    .command('example [id]')
    .description(t('show a generated input by argument name and its expected output'))
    .option('--case <n>', t('which case (1-based; default 1)'))
    .option('--trace', t("also the reference's intermediate values, in order (attention: scores, then weights)"))
    .option('--json', t('machine-readable output'))
    .action(action(() => import('./commands/example.js')));

  program
    .command('solution [id]')
    .description(t('show the model solution (once the exercise passes)'))
    .option('--force', t('show it before passing (asks first)'))
    .option('-y, --yes', t('with --force: do not ask (needed without a terminal)'))
    .action(action(() => import('./commands/solution.js')));

  program
    .command('reset [id]')
    .description(t('restore the starter file (the current file is backed up; asks first)'))
    .option('-y, --yes', t('do not ask (needed without a terminal)'))
    .action(action(() => import('./commands/reset.js')));

  program
    .command('grade [paths...]')
    .description(t('grade a workspace or a folder of submissions for CI (no prompts); `grade merge <files...>` combines shard results'))
    .option('--only <ids>', t('only these exercises (comma-separated ids)'))
    .option('--jobs <n>', t('submissions graded in parallel'), '1')
    .option('--shard <i/n>', t('grade shard i of n (a deterministic split of the submissions)'))
    .option('--reporter <name[=file]>', t('pretty, json, junit, github, html or gradescope (one submission), each optionally to a file; repeatable'), (value: string, previous: string[] = []) => [...previous, value])
    .option('--timeout <ms>', t("time limit for each learner file's cases"), parsePositiveInt('--timeout'))
    .option('--quiet', t('print nothing when every reporter writes to a file (otherwise: the counts and the files written)'))
    .action(action(() => import('./commands/grade.js')));

  program
    .command('pack <action> [args...]')
    .description(t('instructors\' packs: new <dir> | new-exercise <dir> <id> | preview <dir> [id] | validate [dir] | build [dir] | add <dir|npm-package|.tgz> | remove <id> | list'))
    .option('--id <id>', t('with new: the pack id (default: the folder name)'))
    .option('--title <title>', t('with new-exercise: the exercise title (default: the last part of its id in words)'))
    .option('--json', t('with validate and list: machine-readable output'))
    .option('--force', t('with add: replace an enabled pack by different content under the same version'))
    .option('--no-solutions', t('with build: leave out every solution.ts (a course build: learners cannot read the model solutions)'))
    .option('--out <file>', t('with build: the .tgz to write (default: <name>-<version>.tgz here, as npm pack names it)'))
    .action(action(() => import('./commands/pack.js')));

  program
    .command('play')
    .description(t("the capstone: text from the GPT your own code runs (once mini-gpt's model/forward and model/generate pass)"))
    .option('--model <name>', t('shakespeare or tang (default: shakespeare)'))
    .option('--prompt <text>', t('the text to continue (default: "ROMEO:" and a newline; for tang, 春)'))
    .option('--temperature <t>', t('from 0 (greedy) to 2 (default 0.8)'), parseNumber('--temperature'))
    .option('--top-k <k>', t('keep the k most probable tokens (default: off)'), parsePositiveInt('--top-k'))
    .option('--top-p <p>', t('keep the most probable tokens up to probability p (default: off)'), parseNumber('--top-p'))
    .option('--tokens <n>', t('how many tokens to write (default: 400 on the screen, 200 when piped)'), parsePositiveInt('--tokens'))
    .action(action(() => import('./commands/play.js')));

  program
    .command('doctor')
    .description(t('check Node, the tfjs backend, the sandbox and the workspace'))
    .option('--repair', t('repair a damaged progress file, keeping a backup, and offer to re-grade your edited files that have no record'))
    .option('-y, --yes', t('with --repair: re-grade without asking (needed without a terminal)'))
    .action(action(() => import('./commands/doctor.js')));

  return program;
}

/** Each line escaped on its own, so a multi-line message keeps its lines. */
const escapeLines = (text: string) => text.split('\n').map(escapeLogLine).join('\n');

const optionsWithValue = new Set(['-w', '--workspace', '--pack', '--backend', '--seed', '--isolation', '--lang']);

/** Plain `llm-tutor` (with global options only) means `llm-tutor next`. */
function withDefaultCommand(argv: string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (['-h', '--help', '-v', '--version'].includes(arg)) return argv;
    if (optionsWithValue.has(arg)) i++;
    else if (!arg.startsWith('-')) return argv;
  }
  return [...argv, 'next'];
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  try {
    await setLocale(resolveLocale(argv, process.env, io.cwd));
  } catch (error) {
    await setLocale('en');
    return handleError(error, io);
  }
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(withDefaultCommand(argv), { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, io);
  }
}

/**
 * The one top-level error handler: user errors as one line (plus what to do), bugs with their stack.
 * Messages may quote a workspace's files, keys and values, so every line is escaped for a terminal or a log.
 */
export function handleError(error: unknown, io: Io): number {
  if (error instanceof InterruptedError) return 130;
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    const message = error.message.replace(/^error: /, '');
    io.err(`llm-tutor: ${escapeLogLine(message)}`);
    io.err(runnableCommands(t('Run `llm-tutor --help` for the commands and options.'), io.cwd));
    return 2;
  }
  if (isUserError(error)) {
    io.err(`llm-tutor: ${escapeLines(error.message)}`);
    if (error.next) io.err(escapeLines(runnableCommands(error.next, io.cwd)));
    return error.exitCode;
  }
  const e = error as Error;
  io.err(`llm-tutor: ${t`internal error: ${escapeLines(e?.stack ?? String(error))}`}`);
  io.err(t('This is a bug in llm-tutor. Please report it with the command you ran and the lines above.'));
  return 70;
}
