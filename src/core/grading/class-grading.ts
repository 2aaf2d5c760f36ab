import { existsSync, promises as fs, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import type { BackendName } from '../../reference/backend.js';
import { loadDefinition } from '../packs/definitions.js';
import { gradePrepared, prepareExercise, type PreparedExercise } from './grade.js';
import { exerciseRefs, findExercise, listBuiltinPackIds, resolvePack, type ExerciseRef, type Pack } from '../packs/packs.js';
import { summarise, type ClassResult, type ExerciseResult, type SubmissionResult, worstStatus, resultsSchemaVersion } from './results.js';
import type { Verdict } from './verdict.js';
import { configFileName, configFix, exercisesRootOf, learnerFileOf } from '../workspace/workspace.js';
import { posixRelative } from '../common/paths.js';
import { version } from '../common/version.js';
import { workspaceConfigSchema } from '../common/schemas.js';
import { parseJsonWith, readJsonFile } from '../common/json-file.js';
import { checkRegularFile, entryExists, flat, kindOf, readLimits } from '../common/safe-read.js';
import { stateFileOf, stateFix } from '../workspace/state-store.js';

/** A learner's workspace to grade. */
export interface Submission {
  /** A stable name: the folder name, or its path relative to where grade ran. */
  id: string;
  dir: string;
  /** The folder relative to where grade ran, with / separators. */
  path: string;
  /**
   * Set when the entry in the class folder is not a folder (a symbolic link,
   * even to a folder, a FIFO, a device): why it is not graded, in one line.
   * Nothing under it is read.
   */
  refused?: string;
}

function isWorkspace(dir: string): boolean {
  // Anything by that name counts, even a link or a FIFO: reading it then says what is wrong with it.
  return entryExists(path.join(dir, configFileName));
}

/** Why an entry of a class folder is not graded, or undefined for a folder. */
function refusal(entry: Dirent, id: string): string | undefined {
  if (entry.isDirectory()) return undefined;
  const { reason, words } = kindOf(entry);
  const fix = reason === 'symlink' ? 'put the submission itself there, not a link to it' : 'put the submission\'s folder there';
  return `${flat(id)} ${reason === 'symlink' ? words : words.replace('a regular file', 'a folder')}: ${fix}.`;
}

/**
 * The submissions under the given paths: each path is a workspace, or a
 * folder whose sub-folders are workspaces (a class). Every entry of a class
 * folder but its regular files and dot-entries is a submission: one that is
 * not a folder (a symbolic link, a FIFO) is kept, marked `refused`, so that it
 * is reported rather than skipped. Sorted by id, so that shards are
 * deterministic.
 */
export function discoverSubmissions(paths: string[], cwd: string): Submission[] {
  const found = new Map<string, Submission>();
  for (const given of paths.length ? paths : ['.']) {
    const dir = path.resolve(cwd, given);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${given}: no such folder.`, { next: 'Pass a workspace, or a folder holding one workspace per submission.' });
    if (isWorkspace(dir)) {
      found.set(dir, { id: path.relative(cwd, dir) || path.basename(dir), dir, path: posixRelative(cwd, dir) });
      continue;
    }
    const children = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.isFile() && !e.name.startsWith('.'));
    if (children.length === 0) throw new UserError(`${given}: neither a workspace (no ${configFileName}) nor a folder of submissions.`, { next: 'Pass a workspace, or a folder holding one workspace per submission.' });
    // Every sub-folder is a submission; one without llm-tutor.json is graded as a broken submission, not skipped.
    for (const child of children) {
      const sub = path.join(dir, child.name);
      const id = paths.length > 1 ? path.join(path.relative(cwd, dir), child.name) : child.name;
      const refused = refusal(child, id);
      found.set(sub, { id, dir: sub, path: posixRelative(cwd, sub), ...(refused ? { refused } : {}) });
    }
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Parses `i/n` (1-based). */
export function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UserError(`--shard must look like 2/5 (shard 2 of 5), got "${value}".`, { exitCode: 2 });
  return { index, count };
}

/** The submissions of shard `index` of `count`: every count-th one, in id order. */
export function shardOf<T>(items: T[], shard: { index: number; count: number }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/**
 * The packs to grade against. They come from the grader (`--pack`, a built-in
 * id or a folder), never from a submission: a submission could otherwise name
 * a pack of its own whose references agree with anything.
 */
export async function trustedPacks(entries: string[], cwd: string): Promise<Pack[]> {
  const chosen = entries.length ? entries : await listBuiltinPackIds().then((ids) => ids.filter((id) => id === 'transformer-core'));
  const packs: Pack[] = [];
  for (const entry of chosen) packs.push(await resolvePack(entry, cwd));
  return packs;
}

export interface ClassGradeOptions {
  submissions: Submission[];
  packs: Pack[];
  /** Exercise ids (full, id, or suffix) to grade; all when empty. */
  only?: string[];
  seed: number;
  jobs: number;
  backend?: BackendName;
  shard?: { index: number; count: number };
  timeoutMs?: number;
  /** Recorded in the results: how learner code was isolated. */
  isolation?: 'bwrap' | 'permission';
  /** Called after each submission. */
  onSubmission?: (result: SubmissionResult) => void;
}

function toExerciseResult(ref: ExerciseRef, verdict: Verdict, submission: Submission): ExerciseResult {
  const first = verdict.firstFailure !== undefined ? verdict.cases[verdict.firstFailure] : undefined;
  const line = verdict.error?.location && path.resolve(verdict.error.location.file) === path.resolve(verdict.learnerFile) ? verdict.error.location.line : undefined;
  const { stdout, stderr, droppedBytes } = verdict.output;
  return {
    key: ref.key,
    pack: ref.packId,
    id: ref.id,
    title: ref.title,
    status: verdict.status,
    message: verdict.summary,
    file: posixRelative(submission.dir, verdict.learnerFile),
    ...(line !== undefined ? { line } : {}),
    casesPassed: verdict.cases.filter((c) => c.status === 'pass').length,
    casesTotal: verdict.cases.length,
    ...(first && first.status !== 'pass' ? { failingCase: { name: first.name, status: first.status, input: first.input, message: first.message, step: first.step, plan: first.plan } } : {}),
    ...(first?.mismatch ? { diff: first.mismatch } : {}),
    ...(verdict.diagnosis ? { diagnosis: verdict.diagnosis } : {}),
    output: { stdout: stdout.slice(0, 2000), stderr: stderr.slice(0, 2000), truncated: droppedBytes > 0 || stdout.length > 2000 || stderr.length > 2000 },
    tolerance: verdict.tolerance,
    durationMs: Math.round(verdict.durationMs),
  };
}

function errorResult(ref: ExerciseRef, submission: Submission, file: string, message: string, tolerance: ExerciseResult['tolerance']): ExerciseResult {
  return {
    key: ref.key,
    pack: ref.packId,
    id: ref.id,
    title: ref.title,
    status: 'error',
    message,
    file: posixRelative(submission.dir, file),
    casesPassed: 0,
    casesTotal: 0,
    output: { stdout: '', stderr: '', truncated: false },
    tolerance,
    durationMs: 0,
  };
}

/**
 * Grades every submission on every exercise of the trusted packs, `jobs`
 * submissions at a time. References are computed once per exercise (same
 * seed for everyone); a submission's files run in a sandboxed child of their
 * own (see SubmissionSandbox for when a file gets a fresh process).
 * A submission that crashes, hangs or cheats is reported as such; the run goes on.
 */
export async function gradeClass(options: ClassGradeOptions): Promise<ClassResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  let refs = exerciseRefs(options.packs);
  if (options.only?.length) refs = options.only.map((q) => findExercise(refs, q));
  const prepared = new Map<string, PreparedExercise>();
  for (const ref of refs) prepared.set(ref.key, prepareExercise(ref, await loadDefinition(ref), options.seed, { backend: options.backend, timeoutMs: options.timeoutMs }));
  const { loadTf } = await import('../../reference/backend.js');
  const { report } = await loadTf(options.backend);

  const longestTimeout = Math.max(0, ...[...prepared.values()].map((p) => p.timeoutMs));
  const queue = options.shard ? shardOf(options.submissions, options.shard) : [...options.submissions];
  const results: SubmissionResult[] = [];
  const { SubmissionSandbox } = await import('../../sandbox/submission-sandbox.js');

  const gradeOne = async (submission: Submission): Promise<SubmissionResult> => {
    const t0 = Date.now();
    if (submission.refused) return refusedResult(submission, refs, prepared);
    const exercises: ExerciseResult[] = [];
    let problem: string | undefined;
    try {
      if (!isWorkspace(submission.dir)) throw new UserError(`no ${configFileName}: not an llm-tutor workspace`);
      // The config is read only to report a damaged one; the packs graded are the trusted ones.
      await readJsonFile(path.join(submission.dir, configFileName), workspaceConfigSchema, { label: `${submission.id}/${configFileName}`, fix: configFix });
      // Progress is not graded, but a state file no learner's tutor could read (a link, a FIFO, a device, too large) is reported.
      const stateLabel = `${submission.id}/${posixRelative(submission.dir, stateFileOf(submission.dir))}`;
      await checkRegularFile(stateFileOf(submission.dir), { label: stateLabel, maxBytes: readLimits.state, fix: stateFix, within: submission.dir });
    } catch (error) {
      problem = (error as Error).message;
    }
    const allowedRoot = exercisesRootOf(submission);
    // One child runs the submission's files in turn (a fresh one after anything unclean).
    const sandbox = await SubmissionSandbox.open(refs.map((ref) => learnerFileOf(submission, ref)).filter((f) => existsSync(f)), allowedRoot, { timeoutMs: longestTimeout });
    try {
      for (const ref of refs) {
        const p = prepared.get(ref.key)!;
        const file = learnerFileOf(submission, ref);
        if (!existsSync(file)) {
          exercises.push(errorResult(ref, submission, file, `The file ${posixRelative(submission.dir, file)} is missing.`, p.tolerance));
          continue;
        }
        try {
          const verdict = await gradePrepared(p, { learnerFile: file, allowedRoot, sandbox });
          exercises.push(toExerciseResult(ref, verdict, submission));
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          exercises.push(errorResult(ref, submission, file, error.message, p.tolerance));
        }
      }
    } finally {
      await sandbox.close();
    }
    return {
      id: submission.id,
      path: submission.path,
      status: problem ? 'error' : worstStatus(exercises.map((e) => e.status)),
      ...(problem ? { problem } : {}),
      passed: exercises.filter((e) => e.status === 'pass').length,
      total: exercises.length,
      exercises,
      durationMs: Date.now() - t0,
    };
  };

  const workers = Array.from({ length: Math.max(1, Math.min(options.jobs, queue.length || 1)) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const result = await gradeOne(next);
      results.push(result);
      options.onSubmission?.(result);
    }
  });
  await Promise.all(workers);
  results.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  return summarise({
    schemaVersion: resultsSchemaVersion,
    tool: { name: 'llm-tutor', version },
    seed: options.seed,
    backend: report.active,
    ...(options.isolation ? { isolation: options.isolation } : {}),
    packs: options.packs.map((p) => ({ id: p.manifest.id, version: p.manifest.version })),
    exercises: refs.map((r) => ({ key: r.key, title: r.title })),
    ...(options.shard ? { shard: options.shard } : {}),
    submissions: results,
    startedAt,
    durationMs: Date.now() - started,
  });
}

/** The result of an entry that is not graded at all: every exercise an error naming why. */
function refusedResult(submission: Submission, refs: ExerciseRef[], prepared: Map<string, PreparedExercise>): SubmissionResult {
  const problem = submission.refused!;
  return {
    id: submission.id,
    path: submission.path,
    status: 'error',
    problem,
    passed: 0,
    total: refs.length,
    exercises: refs.map((ref) => errorResult(ref, submission, learnerFileOf(submission, ref), `Not graded: ${problem}`, prepared.get(ref.key)!.tolerance)),
    durationMs: 0,
  };
}

/** Combines shard results into one: same seed, packs and exercises required. */
export function mergeResults(parts: { file: string; result: ClassResult }[]): ClassResult {
  if (parts.length === 0) throw new UserError('grade merge needs at least one results file.', { exitCode: 2 });
  const [first] = parts;
  for (const part of parts.slice(1)) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (part.result.seed !== first.result.seed) throw new UserError(`${part.file}: seed ${part.result.seed} differs from ${first.file}'s ${first.result.seed}; shards must be graded with one --seed.`);
    if (!same(part.result.packs, first.result.packs) || !same(part.result.exercises, first.result.exercises)) throw new UserError(`${part.file}: graded other packs or exercises than ${first.file}.`);
  }
  const seen = new Set<string>();
  const submissions: SubmissionResult[] = [];
  for (const part of parts) {
    for (const s of part.result.submissions) {
      if (seen.has(s.id)) throw new UserError(`${part.file}: the submission "${s.id}" is in two results files.`, { next: 'Merge each shard once.' });
      seen.add(s.id);
      submissions.push(s);
    }
  }
  submissions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const startedAt = parts.map((p) => p.result.startedAt).sort()[0];
  return summarise({
    schemaVersion: resultsSchemaVersion,
    tool: first.result.tool,
    seed: first.result.seed,
    backend: first.result.backend,
    // The weakest isolation of the shards is the class's.
    ...(parts.every((p) => p.result.isolation) ? { isolation: parts.some((p) => p.result.isolation === 'permission') ? ('permission' as const) : ('bwrap' as const) } : {}),
    packs: first.result.packs,
    exercises: first.result.exercises,
    submissions,
    startedAt,
    durationMs: Math.max(...parts.map((p) => p.result.durationMs)),
  });
}

/**
 * Reads and validates a results file written by the json reporter. The file
 * is the grader's own, named on the command line: a link or a pipe to it is
 * read as given, at any size.
 */
export async function readResults(file: string): Promise<ClassResult> {
  const { classResultSchema } = await import('./results.js');
  const next = 'Pass files written by `llm-tutor grade --reporter json=<file>`.';
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: file not found`, { next });
    if (code === 'EACCES') throw new UserError(`${file}: permission denied when reading`, { next: 'Check the file permissions.' });
    if (code === 'EISDIR') throw new UserError(`${file}: is a folder, expected a JSON file`, { next });
    throw error;
  }
  return parseJsonWith(text, classResultSchema, file, next) as ClassResult;
}

