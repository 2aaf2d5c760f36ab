/** Results files of class grading: merging the shards of one grading, reading a results file back. */
import { promises as fs } from 'node:fs';
import { UserError } from '../../errors.js';
import { parseJsonWith } from '../common/json-file.js';
import { summarise, resultsSchemaVersion, type ClassResult, type SubmissionResult } from './results.js';
import { t } from '../../i18n/i18n.js';

/** Combines shard results into one: same seed, packs and exercises required. */
export function mergeResults(parts: { file: string; result: ClassResult }[]): ClassResult {
  if (parts.length === 0) throw new UserError(t('grade merge needs at least one results file.'), { exitCode: 2 });
  const [first] = parts;
  for (const part of parts.slice(1)) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (part.result.seed !== first.result.seed) throw new UserError(t`${part.file}: seed ${part.result.seed} differs from ${first.file}'s ${first.result.seed}; shards must be graded with one --seed.`);
    if (!same(part.result.packs, first.result.packs) || !same(part.result.exercises, first.result.exercises)) throw new UserError(t`${part.file}: graded other packs or exercises than ${first.file}.`);
  }
  const seen = new Set<string>();
  const submissions: SubmissionResult[] = [];
  for (const part of parts) {
    for (const s of part.result.submissions) {
      if (seen.has(s.id)) throw new UserError(t`${part.file}: the submission "${s.id}" is in two results files.`, { next: t('Merge each shard once.') });
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
  const next = t('Pass files written by `llm-tutor grade --reporter json=<file>`.');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(t`${file}: file not found`, { next });
    if (code === 'EACCES') throw new UserError(t`${file}: permission denied when reading`, { next: t('Check the file permissions.') });
    if (code === 'EISDIR') throw new UserError(t`${file}: is a folder, expected a JSON file`, { next });
    throw error;
  }
  return parseJsonWith(text, classResultSchema, file, next) as ClassResult;
}

