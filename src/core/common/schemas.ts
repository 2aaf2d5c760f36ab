import { z } from 'zod';
import { localise, localisedSchema, type Localised } from '../authoring/localised.js';

/** Exercise ids look like `attention/causal-mask`: lower-case segments separated by `/`. */
export const exerciseIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/, 'must be lower-case words joined by "-" and "/", e.g. "attention/causal-mask"');

export const packIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case words joined by "-", e.g. "transformer-core"');

/** `pack.json`: the manifest of an exercise pack. */
export const packManifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    formatVersion: z.literal(1, { error: 'must be 1 (the only pack format this llm-tutor reads)' }),
    id: packIdSchema,
    /** The pack's title; translatable like a lesson's texts (`{ "en": "…", "zh-CN": "…" }`). */
    title: localisedSchema,
    version: z.string().regex(/^\d+\.\d+\.\d+([-+].*)?$/, 'must be a semantic version such as "1.0.0"'),
    description: z.string().default(''),
    requires: z
      .strictObject({
        packs: z.array(packIdSchema).default([]),
        llmTutor: z.string().optional(),
      })
      .default({ packs: [] }),
    /** Every exercise scores points × cases passed / cases, instead of all or nothing (an exercise's own setting wins). */
    partialCredit: z.boolean().optional(),
    /** false in a course build (`pack build --no-solutions`): its exercise folders hold no solution.ts, and learners are told so. */
    solutions: z.boolean().default(true),
    exercises: z
      .array(
        z.strictObject({
          id: exerciseIdSchema,
          /** Translatable: a text, or texts by locale with `en` among them. */
          title: localisedSchema,
          /** What the exercise is worth in a class's scores; 1 when absent. */
          points: z.number().nonnegative('must be 0 or more').finite().optional(),
          partialCredit: z.boolean().optional(),
        }),
      )
      .min(1, 'must list at least one exercise'),
  })
  .superRefine((pack, ctx) => {
    const seen = new Set<string>();
    pack.exercises.forEach((exercise, index) => {
      if (seen.has(exercise.id)) {
        ctx.addIssue({ code: 'custom', path: ['exercises', index, 'id'], message: `duplicate exercise id "${exercise.id}"` });
      }
      seen.add(exercise.id);
    });
  });
/** pack.json as written: titles may be texts by locale. */
export type PackManifestFile = z.infer<typeof packManifestSchema>;

/** A manifest as the tutor uses it: its titles in the run's language. */
export type PackManifest = Omit<PackManifestFile, 'title' | 'exercises'> & {
  title: string;
  exercises: (Omit<PackManifestFile['exercises'][number], 'title'> & { title: string })[];
  /** The titles as written, for what must know every language (pack validate). */
  titles: { pack: Localised; exercises: Localised[] };
};

/** A manifest with its titles in `locale` (falling back as {@link localise} does). */
export function localisedManifest(file: PackManifestFile, locale: string): PackManifest {
  return {
    ...file,
    title: localise(file.title, locale),
    exercises: file.exercises.map((e) => ({ ...e, title: localise(e.title, locale) })),
    titles: { pack: file.title, exercises: file.exercises.map((e) => e.title) },
  };
}

/** `llm-tutor.json`: a workspace's configuration. */
export const workspaceConfigSchema = z.strictObject({
  formatVersion: z.literal(1, { error: 'must be 1' }),
  packs: z.array(z.string().min(1)).min(1, 'must enable at least one pack'),
  /** The language of the tutor in this workspace (en, zh-CN), below --lang and LLM_TUTOR_LANG, above the system locale. */
  lang: z.string().min(1, 'is empty: write en or zh-CN, or leave it out').optional(),
  options: z
    .strictObject({
      seed: z.number().int().nonnegative().optional(),
      backend: z.enum(['node', 'wasm', 'cpu']).optional(),
    })
    .default({}),
});
export type WorkspaceConfig = z.infer<typeof workspaceConfigSchema>;

/** `changed`: it passed, but a file that pass read holds something else now, or the exercise's definition changed; it counts as unsolved until graded again. */
export const exerciseStatusSchema = z.enum(['pending', 'failed', 'passed', 'changed']);
export type ExerciseStatus = z.infer<typeof exerciseStatusSchema>;

/**
 * A revealed hint, as the progress file names it: `tier:2` is the second
 * tiered hint, `mistake:no-max-subtraction` that misconception's hint.
 */
export const hintIdSchema = z.string().regex(/^(tier:[1-9]\d*|mistake:[a-z0-9-]+)$/, 'must be "tier:<n>" or "mistake:<misconception id>"');
export type HintId = z.infer<typeof hintIdSchema>;

/** The ids of the first `count` tiered hints: what a progress file that counted hints (`hintsRevealed`) had revealed. */
export function firstTieredHints(count: number): HintId[] {
  return Array.from({ length: count }, (_, i) => `tier:${i + 1}`);
}

/** Reads a progress record that counted revealed hints (`hintsRevealed: 2`) as one that lists them. */
function listCountedHints(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('hintsRevealed' in value) || 'revealedHints' in value) return value;
  const { hintsRevealed, ...rest } = value as { hintsRevealed: unknown };
  return Number.isInteger(hintsRevealed) && (hintsRevealed as number) >= 0 ? { ...rest, revealedHints: firstTieredHints(hintsRevealed as number) } : value;
}

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');

export const exerciseProgressSchema = z.preprocess(
  listCountedHints,
  z.strictObject({
    status: exerciseStatusSchema,
    attempts: z.number().int().nonnegative(),
    /** The hints revealed, in the order they were. */
    revealedHints: z.array(hintIdSchema).default([]),
    /** The misconception the latest grading diagnosed, if any: the hint command offers its hint first. */
    diagnosis: z.strictObject({ misconceptionId: z.string(), confidence: z.enum(['full', 'partial']) }).optional(),
    firstPassedAt: z.string().optional(),
    lastCheckedAt: z.string().optional(),
    /** The SHA-256 (hex) of each learner file the last grading read, keyed by its path under the exercises folder ('/' separators). */
    gradedFiles: z.record(z.string(), sha256Schema).optional(),
    /** The SHA-256 (hex) of the exercise's definition the last grading used: a pass of another definition is `changed`. */
    definition: sha256Schema.optional(),
  }),
);
export type ExerciseProgress = z.infer<typeof exerciseProgressSchema>;

/** `.llm-tutor/state.json`: progress, keyed by `<pack-id>/<exercise-id>`. */
export const stateSchema = z.strictObject({
  formatVersion: z.literal(1),
  packVersions: z.record(z.string(), z.string()).default({}),
  /** The exercise ids of each pack at the recorded version, to tell what an update added or removed. */
  packExercises: z.record(z.string(), z.array(z.string())).default({}),
  exercises: z.record(z.string(), exerciseProgressSchema).default({}),
  /**
   * The built-in packs this workspace has been told of: those that shipped when
   * it was made, and each one offered since. Absent in progress files written
   * before it existed, which know of the packs in `packVersions`.
   */
  builtinPacksKnown: z.array(z.string()).optional(),
});
export type State = z.infer<typeof stateSchema>;
