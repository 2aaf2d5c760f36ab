import { z } from 'zod';
import { roundScore, totalScore } from './scores.js';
import type { NamedPreview, ValuePreview } from '../grading/value-preview.js';

/**
 * The results file of `llm-tutor grade --reporter json` (docs/results-schema.md).
 * Versioned by `schemaVersion`; every field a consumer may rely on is here.
 */
export const resultsSchemaVersion = 1;

const previewNumberSchema = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
const previewTextSchema = { head: z.string(), tail: z.string(), length: z.number().int() };
const index = z.number().int();

/** A value previewed for display (src/core/grading/value-preview.ts): its kind, full shape, and the elements kept. */
export const valuePreviewSchema: z.ZodType<ValuePreview> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('number'), value: previewNumberSchema }),
    z.object({ kind: z.literal('boolean'), value: z.boolean() }),
    z.object({ kind: z.literal('string'), ...previewTextSchema }),
    z.object({
      kind: z.literal('tensor'),
      element: z.enum(['number', 'boolean']),
      shape: z.array(index),
      slices: z.array(z.object({ at: z.array(index), rows: z.array(index), cols: z.array(index), cells: z.array(z.array(z.union([previewNumberSchema, z.boolean()]))) })),
      receivedAs: z.string().optional(),
    }),
    z.object({ kind: z.literal('strings'), length: index, items: z.array(z.object({ index, ...previewTextSchema })) }),
    z.object({ kind: z.literal('list'), length: index, items: z.array(z.object({ index, value: valuePreviewSchema })), readOnce: z.boolean().optional() }),
    z.object({ kind: z.literal('object'), fields: z.array(z.object({ name: z.string(), value: valuePreviewSchema })), size: index }),
    z.object({ kind: z.literal('other'), text: z.string() }),
  ]),
).meta({ id: 'ValuePreview', description: 'A value previewed for display: its kind, full shape, and the elements kept (middles elided)' });

const namedPreviewsSchema: z.ZodType<NamedPreview[]> = z.array(z.object({ name: z.string(), value: valuePreviewSchema }));

const toleranceSchema = z.union([z.literal('exact'), z.object({ atol: z.number(), rtol: z.number() })]);

export const exerciseResultSchema = z.object({
  /** `<pack-id>/<exercise-id>`. */
  key: z.string(),
  pack: z.string(),
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  /** One line: what happened. */
  message: z.string(),
  /** The learner's file, relative to the submission folder. */
  file: z.string(),
  /** The line in the learner's file that an error points to, if any. */
  line: z.number().int().optional(),
  casesPassed: z.number().int(),
  casesTotal: z.number().int(),
  /** The points earned: all of maxScore on a pass; with partial credit, maxScore × casesPassed / casesTotal (4 decimals); else 0. */
  score: z.number(),
  /** The exercise's points (pack.json; 1 when not given). */
  maxScore: z.number(),
  /** Every case by name with its status, kept for a result that did not pass (the class report lists them in the verdict it opens). */
  cases: z.array(z.object({ name: z.string(), status: z.enum(['pass', 'fail', 'error', 'not-run']) })).optional(),
  /** The first case that did not pass. */
  failingCase: z
    .object({
      name: z.string(),
      status: z.enum(['fail', 'error', 'not-run']),
      input: z.string().optional(),
      /** Its arguments by name, each previewed: kind, full shape, elements kept (middles elided). */
      args: namedPreviewsSchema.optional(),
      /** The reference's intermediate values on its arguments, when the exercise names them. */
      trace: namedPreviewsSchema.optional(),
      message: z.string().optional(),
      /** A stepwise exercise: the step (0-based) that diverged first, of how many. */
      step: z.object({ index: z.number().int(), of: z.number().int() }).optional(),
      /** A schedule exercise: the learner's plan drawn as a grid, with the cells where the first violated property shows. */
      plan: z
        .object({
          rowTitle: z.string(),
          colTitle: z.string(),
          rows: z.array(z.string()),
          cols: z.array(z.string()),
          cells: z.array(z.array(z.string())),
          marks: z.array(z.tuple([z.number().int(), z.number().int()])).optional(),
        })
        .optional(),
    })
    .optional(),
  /** The comparison's description of the first mismatch (kind, message, and for tensors counts, worst index and window). */
  diff: z.unknown().optional(),
  diagnosis: z
    .object({
      misconceptionId: z.string(),
      title: z.string(),
      message: z.string(),
      confidence: z.enum(['full', 'partial']),
      matched: z.number().int(),
      failing: z.number().int(),
    })
    .optional(),
  /** The learner's console output, capped. */
  output: z.object({ stdout: z.string(), stderr: z.string(), truncated: z.boolean() }),
  tolerance: toleranceSchema,
  durationMs: z.number(),
});
export type ExerciseResult = z.infer<typeof exerciseResultSchema>;

export const submissionResultSchema = z.object({
  /** The submission's name: its folder's name in a class folder. */
  id: z.string(),
  /** Its folder, relative to where grade ran (file paths in annotations start here). */
  path: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  /** Set when the submission is not a sound workspace (no config, a damaged one, a link or FIFO in place of a file it reads, an entry that is a link): one line. */
  problem: z.string().optional(),
  passed: z.number().int(),
  total: z.number().int(),
  /** The sum of its exercises' scores, and of their points. */
  score: z.number(),
  maxScore: z.number(),
  exercises: z.array(exerciseResultSchema),
  durationMs: z.number(),
});
export type SubmissionResult = z.infer<typeof submissionResultSchema>;

export const classResultSchema = z.object({
  schemaVersion: z.literal(resultsSchemaVersion),
  tool: z.object({ name: z.literal('llm-tutor'), version: z.string() }),
  status: z.enum(['pass', 'fail', 'error']),
  seed: z.number().int(),
  backend: z.string(),
  /** How learner code was isolated: bwrap (OS sandbox around the permission model) or permission (the permission model alone). */
  isolation: z.enum(['bwrap', 'permission']).optional(),
  packs: z.array(z.object({ id: z.string(), version: z.string() })),
  /** The exercises graded, in order, with their points and whether cases passed earn a share of them. */
  exercises: z.array(z.object({ key: z.string(), title: z.string(), points: z.number(), partialCredit: z.boolean() })),
  /** Present when this file holds one shard of a class; absent after `grade merge`. */
  shard: z.object({ index: z.number().int(), count: z.number().int() }).optional(),
  summary: z.object({
    submissions: z.number().int(),
    submissionsPassed: z.number().int(),
    results: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    errored: z.number().int(),
    /** Points earned by every submission together, and possible. */
    score: z.number(),
    maxScore: z.number(),
    /** The mean of the submissions' scores (0 when there are none), 4 decimals. */
    meanScore: z.number(),
  }),
  submissions: z.array(submissionResultSchema),
  startedAt: z.string(),
  durationMs: z.number(),
});
export type ClassResult = z.infer<typeof classResultSchema>;

/** The worst of several statuses: error over fail over pass. */
export function worstStatus(statuses: ('pass' | 'fail' | 'error')[]): 'pass' | 'fail' | 'error' {
  return statuses.includes('error') ? 'error' : statuses.includes('fail') ? 'fail' : 'pass';
}

/** Recomputes the summary and overall status from the submissions. */
export function summarise(result: Omit<ClassResult, 'summary' | 'status'>): ClassResult {
  const all = result.submissions.flatMap((s) => s.exercises);
  // Keys in a fixed order, so that two runs with the same seed give the same bytes apart from timings.
  return {
    schemaVersion: result.schemaVersion,
    tool: result.tool,
    status: result.submissions.length === 0 ? 'pass' : worstStatus(result.submissions.map((s) => s.status)),
    seed: result.seed,
    backend: result.backend,
    ...(result.isolation ? { isolation: result.isolation } : {}),
    packs: result.packs,
    exercises: result.exercises,
    ...(result.shard ? { shard: result.shard } : {}),
    summary: {
      submissions: result.submissions.length,
      submissionsPassed: result.submissions.filter((s) => s.status === 'pass').length,
      results: all.length,
      passed: all.filter((e) => e.status === 'pass').length,
      failed: all.filter((e) => e.status === 'fail').length,
      errored: all.filter((e) => e.status === 'error').length,
      ...classScore(result.submissions),
    },
    submissions: result.submissions,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
  };
}

/** The class's points: the sums over submissions, and the mean score of a submission. */
function classScore(submissions: SubmissionResult[]): { score: number; maxScore: number; meanScore: number } {
  const total = totalScore(submissions);
  return { ...total, meanScore: submissions.length ? roundScore(total.score / submissions.length) : 0 };
}
