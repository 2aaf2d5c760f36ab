import { z } from 'zod';
import type { DistributionCheck, GradientSpec, ScheduleSpec, StepwiseCase, StepwiseSpec } from './kinds.js';
import type { Rng } from './rng.js';
import { localisedSchema, type Localised } from './localised.js';
import { t } from '../../i18n/i18n.js';

/** The tfjs-core module, already set to the chosen backend. */
export type Tf = typeof import('@tensorflow/tfjs-core');

/** What a reference or a misconception's wrong variant receives besides the case's arguments. */
export interface ReferenceContext {
  tf: Tf;
  /** The exercise's folder, for data files shipped beside the definition. */
  exerciseDir: string;
  /**
   * The learner's function the case calls, when it is one of the definition's
   * `otherExports` (an exercise whose file exports two functions); absent for
   * the definition's own `entry`.
   */
  entry?: string;
}

/** The context a case's reference and wrong variants run in: told which export the case calls, when it is not the entry. */
export function contextFor(ctx: ReferenceContext, entry: string | undefined): ReferenceContext {
  return entry === undefined ? ctx : { ...ctx, entry };
}

/** The signature of the export a case calls: one of `otherExports`, else the entry's. */
export function signatureOf(definition: Pick<ExerciseDefinition, 'signature' | 'otherExports'>, entry: string | undefined): string {
  return (entry !== undefined && definition.otherExports?.find((e) => e.entry === entry)?.signature) || definition.signature;
}

/** One piece of a layer-by-layer comparison: an earlier exercise's function called on the reference's input to it. */
export interface LayerCheck {
  /** The piece as the lesson names it: `embedding`, `h.0`, `ln_f`. */
  name: string;
  /** The earlier exercise whose learner file is called, by its key: `training/block/transformer-block`. */
  exercise: string;
  /** The function of that file to call. */
  entry: string;
  args: unknown[];
  /** The reference's output of this piece (a Tensor or plain data). */
  expected: unknown;
  /** Defaults to the exercise's comparison. */
  compare?: Comparison;
}

/** What `cases` receives besides the seeded generator. */
export interface CaseContext {
  /** The exercise's folder, for data files shipped beside the definition (read them with node:fs). */
  exerciseDir: string;
}

/** Element-wise closeness: `|got − want| <= atol + rtol·|want|`. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** How outputs are compared: a tolerance for floats, or `'exact'` for integers, strings and token lists. */
export type Comparison = Tolerance | 'exact';

/** Suitable for a float32 reference (tfjs) against float64 learner code. */
export const defaultTolerance: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** One input to the learner's function, with a name a learner understands. */
export interface CaseInput<Args extends unknown[] = unknown[], Out = unknown> {
  name: string;
  args: Args;
  /**
   * The output pinned for this case, computed elsewhere (a published value,
   * a PyTorch run): `pack validate` checks the reference's output against it
   * with the exercise's comparison. Learners are graded against the
   * reference's output, which it then equals within tolerance.
   */
  expected?: Out;
  /** The function of the learner's file this case calls: one of the definition's `otherExports` (default: its `entry`). The reference and the misconceptions see it as `ctx.entry`. */
  entry?: string;
}

/** The runtime shape of a case that `cases` returns. */
export const caseInputSchema = z.object({ name: z.string(), args: z.array(z.unknown()), expected: z.unknown().optional(), entry: z.string().optional() });

/** The runtime shape of a stepwise exercise's case: no pinned output, since each step's input follows from the learner's previous output. */
export const stepwiseCaseSchema = z.object({
  name: z.string(),
  steps: z.array(z.array(z.unknown())).min(1),
  expected: z.undefined({ error: 'a stepwise case cannot pin an output (each step is called on the learner\'s previous output): remove it' }).optional(),
});

/** Several outputs a mistake may produce (for example NaN rows or zero rows for a fully masked row). */
export interface Alternatives<Out> {
  readonly alternatives: readonly Out[];
}

/** A known wrong variant of the exercise and what to tell a learner whose output matches it. */
export interface Misconception<Args extends unknown[] = unknown[], Out = unknown> {
  /** kebab-case, unique in the exercise, e.g. `no-max-subtraction`. */
  id: string;
  /** A few words: "softmax without subtracting the max". Translatable: see {@link Localised}. */
  title: Localised;
  /** What went wrong and why, in a sentence or two. Translatable: see {@link Localised}. */
  message: Localised;
  /**
   * A hint for a learner whose output matches this mistake: a nudge toward the
   * fix in a sentence or two, never the code. Offered before the tiered hints
   * while this mistake is diagnosed. Translatable: see {@link Localised}.
   */
  hint?: Localised;
  /** Computes what the mistaken code would return for these arguments. */
  wrong: (ctx: ReferenceContext, ...args: Args) => Out | Alternatives<Out> | unknown;
}

/**
 * A tiered hint that is about one mistake: it is skipped once the latest
 * grading shows that mistake is not what is wrong (see `nextHint`).
 */
export interface HintAbout {
  text: Localised;
  /** The id of the misconception the hint is about. */
  misconception: string;
}

/** A tiered hint: a text, or a text about one misconception. */
export type TieredHint = Localised | HintAbout;

/** The text of a tiered hint. */
export function hintText(hint: TieredHint): Localised {
  return typeof hint === 'object' && 'misconception' in hint ? hint.text : hint;
}

/** One check of a property: several calls of the learner's function, and what must hold between their outputs. */
export interface PropertyCase<Args extends unknown[] = unknown[]> {
  name: string;
  calls: Args[];
}

/**
 * A property the learner's own function must have, beyond matching the
 * reference (e.g. RoPE's score depends only on m − n). Graded as extra cases.
 */
export interface PropertyCheck<Args extends unknown[] = unknown[], Out = unknown> {
  /** Shown as the case name's prefix, e.g. "f(m+s, n+s) = f(m, n)". */
  name: string;
  cases: (rng: Rng) => PropertyCase<Args>[];
  /** Returns undefined when the property holds, else what went wrong, for the learner. */
  holds: (outputs: Out[], calls: Args[]) => string | undefined;
}

/** Everything the tutor needs to grade one exercise. The default export of an exercise's `exercise.ts`. */
export interface ExerciseDefinition<Args extends unknown[] = any[], Out = unknown> {
  /** The name of the function the learner's file exports. */
  entry: string;
  /** Its TypeScript signature, as shown to the learner. */
  signature: string;
  /**
   * Further functions the learner's file exports, for an exercise of two
   * (`roundToFloat16` and `roundToBfloat16`): a case calls one of them by
   * naming it as its `entry`, and the reference and misconceptions are told
   * which through `ctx.entry`. Properties and distribution checks call `entry`.
   */
  otherExports?: { entry: string; signature: string }[];
  /** Builds the cases from a seeded generator: named edge cases and random ones (a stepwise exercise's cases give `steps`). */
  cases: (rng: Rng, ctx: CaseContext) => (CaseInput<Args, Out> | StepwiseCase<Args>)[];
  /**
   * The trusted implementation: returns plain data or a tfjs Tensor (read back
   * and disposed). A gradient exercise has `gradient` instead.
   */
  reference?: (ctx: ReferenceContext, ...args: Args) => Out | Promise<Out> | unknown;
  /**
   * The reference's intermediate values on a case's arguments, named in the
   * order they are computed (attention: `scores`, then `weights`), as Tensors
   * or plain data (read back like the reference's output). The tutor shows
   * them for the first failing case, so that a learner can print their own
   * and see where they part; `llm-tutor example --trace` prints them too.
   */
  trace?: (ctx: ReferenceContext, ...args: Args) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * For an exercise whose learner file assembles the learner's earlier files
   * (a model from its layers): the pieces of the reference's computation on a
   * case's arguments, in order, each a call of an earlier exercise's function
   * with the reference's own input to that piece and its output. When the file
   * fails, the tutor runs each piece whose file the learner's file imports on
   * the first failing case and names the first that differs from the
   * reference (so a mistake in layer 3 is not blamed on the model).
   */
  layers?: (ctx: ReferenceContext, ...args: Args) => LayerCheck[] | Promise<LayerCheck[]>;
  /** Gradient kind: the reference is autodiff of this forward pass. */
  gradient?: GradientSpec<Args>;
  /** Stepwise kind: each step is called on the learner's own previous output. */
  stepwise?: StepwiseSpec;
  /** Schedule kind: the learner's output is a plan, passed when `check` finds nothing wrong (the reference is one valid plan). */
  schedule?: ScheduleSpec<Args, Out>;
  /** Stochastic kind: checks that the learner's outputs follow a known distribution, as extra cases. */
  distributions?: DistributionCheck<Args, Out>[];
  /** Defaults to {@link defaultTolerance}. */
  compare?: Comparison;
  misconceptions?: Misconception<Args, Out>[];
  /**
   * Tiered hints: a nudge first, the key idea last. Each translatable (see
   * {@link Localised}); one about a single mistake may say so ({@link HintAbout}),
   * though that mistake's own `hint` is usually the better place for it.
   */
  hints: TieredHint[];
  /** Wall-clock limit for all cases together, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** When true, changing an argument in place fails the case instead of only being reported. */
  inputsReadOnly?: boolean;
  /** Properties checked on the learner's own function, as extra cases. */
  properties?: PropertyCheck<Args, Out>[];
}

const fn = (what: string) => z.custom<(...args: any[]) => unknown>((v) => typeof v === 'function', { message: `must be a function (${what})` });

/** The runtime shape of a definition, checked when a pack is loaded. */
/** The name of a function the learner's file exports. */
const exportName = z.string().regex(/^[A-Za-z_$][\w$]*$/, 'must be a JavaScript identifier, the name the learner exports');

export const exerciseDefinitionSchema = z.strictObject({
  entry: exportName,
  signature: z.string().min(1),
  otherExports: z.array(z.strictObject({ entry: exportName, signature: z.string().min(1) })).optional(),
  cases: fn('rng => CaseInput[]'),
  reference: fn('(ctx, ...args) => output').optional(),
  trace: fn('(ctx, ...args) => { name: value }').optional(),
  layers: fn('(ctx, ...args) => LayerCheck[]').optional(),
  gradient: z
    .strictObject({
      wrt: fn('(...args) => { name: values }'),
      loss: fn('(ctx, vars, ...args) => scalar tensor'),
      single: z.boolean().optional(),
    })
    .optional(),
  stepwise: z
    .strictObject({
      carry: z
        .array(
          z.strictObject({
            from: z.array(z.union([z.string(), z.number().int().nonnegative()])),
            to: z.tuple([z.number().int().nonnegative()]).rest(z.union([z.string(), z.number().int().nonnegative()])),
          }),
        )
        .min(1, 'must carry at least one value from a step to the next'),
    })
    .optional(),
  schedule: z.strictObject({ check: fn('(plan, ...args) => PlanViolation | undefined') }).optional(),
  distributions: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        scenarios: fn('rng => DistributionScenario[]'),
        outcome: fn('(output, args) => outcome index'),
        draws: z.number().int().min(100).max(200_000).optional(),
        falseFailureRate: z.number().positive().max(1e-6, 'must be at most 1e-6: a correct function may fail at most once in a million gradings').optional(),
      }),
    )
    .optional(),
  compare: z
    .union([z.literal('exact'), z.strictObject({ atol: z.number().nonnegative(), rtol: z.number().nonnegative() })])
    .optional(),
  misconceptions: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9-]+$/, 'must be kebab-case'),
        title: localisedSchema,
        message: localisedSchema,
        hint: localisedSchema.optional(),
        wrong: fn('(ctx, ...args) => wrong output'),
      }),
    )
    .default([]),
  hints: z
    .array(z.union([z.strictObject({ text: localisedSchema, misconception: z.string() }), localisedSchema], { error: 'must be a text, texts by locale, or { text, misconception }' }))
    .min(1, 'must have at least one hint (two or three, nudge first)'),
  timeoutMs: z.number().int().positive().optional(),
  inputsReadOnly: z.boolean().optional(),
  properties: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        cases: fn('rng => PropertyCase[]'),
        holds: fn('(outputs, calls) => string | undefined'),
      }),
    )
    .optional(),
}).superRefine((d, ctx) => {
  if (d.gradient && d.reference) ctx.addIssue({ code: 'custom', path: ['reference'], message: t('a gradient exercise has no reference: autodiff of `gradient.loss` is its reference') });
  if (!d.gradient && !d.reference) ctx.addIssue({ code: 'custom', path: ['reference'], message: t('missing: give `reference` (or `gradient` for a gradient exercise)') });
  const kinds = (['gradient', 'stepwise', 'schedule'] as const).filter((k) => d[k]);
  if (kinds.length > 1) ctx.addIssue({ code: 'custom', path: [kinds[1]], message: t`an exercise is of one kind: it has both \`${kinds[0]}\` and \`${kinds[1]}\`` });
  const ids = new Set(d.misconceptions.map((m) => m.id));
  d.hints.forEach((hint, i) => {
    if (typeof hint === 'object' && 'misconception' in hint && !ids.has(hint.misconception)) {
      ctx.addIssue({ code: 'custom', path: ['hints', i, 'misconception'], message: t`names "${hint.misconception}", which is not the id of one of this exercise's misconceptions` });
    }
  });
});

/** A brand so the loader can tell a definition from any other default export. */
export const definitionBrand = Symbol.for('llm-tutor.exercise-definition');

/** Marks an outputs list as alternatives of one misconception. */
export function anyOf<Out>(...alternatives: Out[]): Alternatives<Out> {
  return { alternatives };
}

export function isAlternatives(value: unknown): value is Alternatives<unknown> {
  return typeof value === 'object' && value !== null && Array.isArray((value as Alternatives<unknown>).alternatives) && Object.keys(value).length === 1;
}
