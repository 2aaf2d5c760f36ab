import { randomInt } from 'node:crypto';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GlobalOptions, Io } from './io.js';
import { UserError } from '../errors.js';
import { discoverSubmissions, parseShard, shardOf, trustedPacks, type Submission } from '../core/class/folder.js';
import type { Pack } from '../core/packs/packs.js';
import type { IsolationMode } from '../sandbox/isolation.js';
import { gradeClass } from '../core/class/grade-class.js';
import { mergeResults, readResults } from '../core/class/merge.js';
import type { ClassResult } from '../core/class/results.js';
import { parseBackend } from '../reference/backend.js';
import { makeChalk } from '../report/chalk.js';
import { t } from '../i18n/i18n.js';

const reporterNames = ['pretty', 'json', 'junit', 'github', 'html', 'gradescope'] as const;
type ReporterName = (typeof reporterNames)[number];
interface Reporter {
  name: ReporterName;
  out?: string;
}

/** `--reporter json=results.json` → { name: 'json', out: 'results.json' }. */
export function parseReporters(values: string[] | undefined): Reporter[] {
  const list = values?.length ? values : ['pretty'];
  return list.map((value) => {
    const [name, ...rest] = value.split('=');
    if (!(reporterNames as readonly string[]).includes(name)) {
      throw new UserError(t`Unknown reporter "${name}".`, { next: t`Use ${reporterNames.join(', ')}, each optionally with =FILE, e.g. --reporter json=results.json.`, exitCode: 2 });
    }
    return { name: name as ReporterName, out: rest.length ? rest.join('=') : undefined };
  });
}

/**
 * Refuses, before anything is graded, a gradescope reporter for other than
 * one submission: Gradescope grades each submission on its own.
 */
function checkGradescopeFits(reporters: Reporter[], submissions: number): void {
  if (submissions === 1 || !reporters.some((r) => r.name === 'gradescope')) return;
  // Never 1 here: the reporter fits one submission.
  throw new UserError(t`The gradescope reporter writes the results of one submission; this run has ${submissions} submissions.`, {
    next: t('Grade the one workspace Gradescope gives (/autograder/submission), or use --reporter json for a class.'),
    exitCode: 2,
  });
}

/** Runs every reporter; returns the files written, as `--reporter NAME=FILE` named them. */
async function emit(io: Io, reporters: Reporter[], result: ClassResult): Promise<{ name: ReporterName; path: string }[]> {
  const written: { name: ReporterName; path: string }[] = [];
  const c = makeChalk();
  for (const reporter of reporters) {
    let text: string;
    switch (reporter.name) {
      case 'pretty': {
        const { renderClassSummary } = await import('../report/class-pretty.js');
        text = `${renderClassSummary(result, reporter.out ? makeChalk(false) : c)}\n`;
        break;
      }
      case 'json':
        text = (await import('../report/json.js')).renderJson(result);
        break;
      case 'junit':
        text = await (await import('../report/junit.js')).renderJunit(result);
        break;
      case 'html':
        text = (await import('../report/html.js')).renderHtml(result);
        break;
      case 'gradescope':
        text = (await import('../report/gradescope.js')).renderGradescope(result);
        break;
      case 'github': {
        const github = await import('../report/github.js');
        text = github.renderGithubAnnotations(result);
        const summaryFile = process.env.GITHUB_STEP_SUMMARY;
        if (summaryFile) await appendFile(summaryFile, github.renderGithubSummary(result));
        break;
      }
    }
    if (reporter.out) {
      const file = path.resolve(io.cwd, reporter.out);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      written.push({ name: reporter.name, path: reporter.out });
    } else if (text) {
      io.out(text.replace(/\n$/, ''));
    }
  }
  return written;
}

/**
 * Runs the reporters; when every one of them wrote to a file (so stdout would
 * stay empty), prints the class's counts and the files written, unless quiet.
 */
async function report(io: Io, reporters: Reporter[], result: ClassResult, options: { quiet?: boolean; color?: boolean }): Promise<void> {
  const written = await emit(io, reporters, result);
  if (options.quiet || reporters.some((r) => !r.out)) return;
  const { renderReportsWritten } = await import('../report/class-pretty.js');
  io.out(renderReportsWritten(result, written, makeChalk(options.color)));
}

export interface GradeOptions {
  only?: string;
  jobs?: string;
  shard?: string;
  reporter?: string[];
  timeout?: number;
  quiet?: boolean;
}

/**
 * `llm-tutor grade [paths...]`: grades a workspace or a folder of submissions
 * without a TTY or prompts; `llm-tutor grade merge <files...>` combines shard
 * results. Exit 0 when everything passed, 1 otherwise, 2 on usage errors.
 */
export default async function grade(io: Io, globals: GlobalOptions, paths: string[], options: GradeOptions): Promise<number> {
  const reporters = parseReporters(options.reporter);
  if (paths[0] === 'merge') {
    const files = paths.slice(1);
    if (files.length === 0) throw new UserError(t('grade merge needs the results files of the shards.'), { next: 'llm-tutor grade merge shard-1.json shard-2.json --reporter html=report.html', exitCode: 2 });
    const parts = await Promise.all(files.map(async (file) => ({ file, result: await readResults(path.resolve(io.cwd, file)) })));
    const merged = mergeResults(parts);
    checkGradescopeFits(reporters, merged.submissions.length);
    await report(io, reporters, merged, { quiet: options.quiet, color: globals.color });
    return merged.status === 'pass' ? 0 : 1;
  }
  const jobs = options.jobs === undefined ? 1 : Number(options.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UserError(t`--jobs must be a whole number of 1 or more, got "${options.jobs}".`, { exitCode: 2 });
  const shard = options.shard ? parseShard(options.shard) : undefined;
  const { ensureIsolation } = await import('../sandbox/isolation.js');
  const isolation = await ensureIsolation({ requireOsInCi: true });
  const submissions = discoverSubmissions(paths, io.cwd);
  checkGradescopeFits(reporters, shard ? shardOf(submissions, shard).length : submissions.length);
  const { packs, dispose } = await trustedPacks(globals.pack ? [globals.pack] : [], io.cwd);
  try {
    return await gradeWith(io, globals, options, { reporters, submissions, packs, isolation: isolation.mode, shard, jobs });
  } finally {
    await dispose();
  }
}

/** What a class run grades: the submissions, against the trusted packs, and how. */
interface ClassRun {
  reporters: Reporter[];
  submissions: Submission[];
  packs: Pack[];
  isolation: IsolationMode;
  shard?: { index: number; count: number };
  jobs: number;
}

/** Grades the class, printing each submission's line as it is done when pretty goes to stdout, then reports. */
async function gradeWith(io: Io, globals: GlobalOptions, options: GradeOptions, run: ClassRun): Promise<number> {
  const { reporters, submissions, packs, shard, jobs } = run;
  const seed = globals.seed ?? randomInt(0, 2 ** 31);
  const pretty = reporters.some((r) => r.name === 'pretty' && !r.out);
  const c = makeChalk(globals.color);
  const { renderSubmissionLine } = await import('../report/class-pretty.js');
  const result = await gradeClass({
    submissions,
    packs,
    only: options.only ? options.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    seed,
    jobs,
    shard,
    backend: globals.backend ? parseBackend(globals.backend) : undefined,
    timeoutMs: options.timeout,
    isolation: run.isolation,
    onSubmission: pretty ? (s) => io.out(renderSubmissionLine(s, c)) : undefined,
  });
  await report(io, reporters, result, { quiet: options.quiet, color: globals.color });
  return result.status === 'pass' ? 0 : 1;
}
