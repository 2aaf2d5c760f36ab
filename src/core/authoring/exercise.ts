import { z } from 'zod';
import type { Rng } from './rng.js';
import { localisedSchema, type Localised } from './localised.js';

/** The tfjs-core module, already set to the chosen backend. */
export type Tf = typeof import('@tensorflow/tfjs-core');

/** What a reference or a misconception's wrong variant receives besides the case's arguments. */
export interface ReferenceContext {
  tf: Tf;
  /** The exercise's folder, for data files shipped beside the definition. */
  exerciseDir: string;
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
export interface CaseInput<Args extends unknown[] = unknown[]> {
  name: string;
  args: Args;
}

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
  /** Computes what the mistaken code would return for these arguments. */
  wrong: (ctx: ReferenceContext, ...args: Args) => Out | Alternatives<Out> | unknown;
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
  /** Builds the cases from a seeded generator: named edge cases and random ones. */
  cases: (rng: Rng, ctx: CaseContext) => CaseInput<Args>[];
  /** The trusted implementation: returns plain data or a tfjs Tensor (read back and disposed). */
  reference: (ctx: ReferenceContext, ...args: Args) => Out | Promise<Out> | unknown;
  /** Defaults to {@link defaultTolerance}. */
  compare?: Comparison;
  misconceptions?: Misconception<Args, Out>[];
  /** Tiered hints: a nudge first, the key idea last. Each translatable: see {@link Localised}. */
  hints: Localised[];
  /** Wall-clock limit for all cases together, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** When true, changing an argument in place fails the case instead of only being reported. */
  inputsReadOnly?: boolean;
  /** Properties checked on the learner's own function, as extra cases. */
  properties?: PropertyCheck<Args, Out>[];
}

const fn = (what: string) => z.custom<(...args: any[]) => unknown>((v) => typeof v === 'function', { message: `must be a function (${what})` });

/** The runtime shape of a definition, checked when a pack is loaded. */
export const exerciseDefinitionSchema = z.strictObject({
  entry: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'must be a JavaScript identifier, the name the learner exports'),
  signature: z.string().min(1),
  cases: fn('rng => CaseInput[]'),
  reference: fn('(ctx, ...args) => output'),
  compare: z
    .union([z.literal('exact'), z.strictObject({ atol: z.number().nonnegative(), rtol: z.number().nonnegative() })])
    .optional(),
  misconceptions: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9-]+$/, 'must be kebab-case'),
        title: localisedSchema,
        message: localisedSchema,
        wrong: fn('(ctx, ...args) => wrong output'),
      }),
    )
    .default([]),
  hints: z.array(localisedSchema).min(1, 'must have at least one hint (two or three, nudge first)'),
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
