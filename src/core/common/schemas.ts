import { z } from 'zod';
import { localise, localisedSchema, type Localised } from '../authoring/localised.js';
import { t } from '../../i18n/i18n.js';

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

/**
 * A schema's own message (the ones written in this file) in the current
 * language; any other message (zod's own) as it is. The schemas are built at
 * load, before the language is known: their messages are translated when shown.
 */
export function schemaMessage(message: string): string {
  const duplicate = /^duplicate exercise id "(.*)"$/s.exec(message);
  if (duplicate) return t`duplicate exercise id "${duplicate[1]}"`;
  // An exercise definition's functions (authoring/exercise.ts): "must be a function (rng => CaseInput[])".
  const notFunction = /^must be a function \((.*)\)$/s.exec(message);
  if (notFunction) return t`must be a function (${notFunction[1]})`;
  // Localised texts (authoring/localised.ts, which the language lookup itself imports: it cannot import it back).
  const notTag = /^"(.*)" is not a locale tag: write a language and an optional region, such as en, zh or zh-CN$/s.exec(message);
  if (notTag) return t`"${notTag[1]}" is not a locale tag: write a language and an optional region, such as en, zh or zh-CN`;
  const own: Record<string, () => string> = {
    'must be lower-case words joined by "-" and "/", e.g. "attention/causal-mask"': () => t('must be lower-case words joined by "-" and "/", e.g. "attention/causal-mask"'),
    'must be lower-case words joined by "-", e.g. "transformer-core"': () => t('must be lower-case words joined by "-", e.g. "transformer-core"'),
    'must be 1 (the only pack format this llm-tutor reads)': () => t('must be 1 (the only pack format this llm-tutor reads)'),
    'must be a semantic version such as "1.0.0"': () => t('must be a semantic version such as "1.0.0"'),
    'must be 0 or more': () => t('must be 0 or more'),
    'must list at least one exercise': () => t('must list at least one exercise'),
    'must be 1': () => t('must be 1'),
    'must enable at least one pack': () => t('must enable at least one pack'),
    'is empty: write en or zh-CN, or leave it out': () => t('is empty: write en or zh-CN, or leave it out'),
    'must be "tier:<n>" or "mistake:<misconception id>"': () => t('must be "tier:<n>" or "mistake:<misconception id>"'),
    'must be a SHA-256 in hex': () => t('must be a SHA-256 in hex'),
    // The messages of the exercise definition's schema (authoring/exercise.ts) and of localised texts (authoring/localised.ts).
    "a stepwise case cannot pin an output (each step is called on the learner's previous output): remove it": () => t("a stepwise case cannot pin an output (each step is called on the learner's previous output): remove it"),
    'must be a JavaScript identifier, the name the learner exports': () => t('must be a JavaScript identifier, the name the learner exports'),
    'must carry at least one value from a step to the next': () => t('must carry at least one value from a step to the next'),
    'must be at most 1e-6: a correct function may fail at most once in a million gradings': () => t('must be at most 1e-6: a correct function may fail at most once in a million gradings'),
    'must be kebab-case': () => t('must be kebab-case'),
    'must be a text, texts by locale, or { text, misconception }': () => t('must be a text, texts by locale, or { text, misconception }'),
    'must have at least one hint (two or three, nudge first)': () => t('must have at least one hint (two or three, nudge first)'),
    'is empty': () => t('is empty'),
    'has no `en` text: English is the default and the fallback, so every translated text needs it': () => t('has no `en` text: English is the default and the fallback, so every translated text needs it'),
    'is empty: leave the locale out instead, and English is shown': () => t('is empty: leave the locale out instead, and English is shown'),
    'must be a text, or texts by locale such as { en: "…", "zh-CN": "…" }': () => t('must be a text, or texts by locale such as { en: "…", "zh-CN": "…" }'),
  };
  return Object.hasOwn(own, message) ? own[message]() : message;
}
