/**
 * Preparing an exercise for grading, in the trusted process: its seeded cases
 * and property checks, the flat list of calls the sandbox makes, and the
 * reference's expected outputs (started at once, awaited by each grading).
 */
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { describeZodIssues } from '../common/json-file.js';
import type { BackendName } from '../../reference/backend.js';
import { materializeArgs, type Carry } from '../../sandbox/wire.js';
import { caseInputSchema, contextFor, defaultTolerance, stepwiseCaseSchema, type Comparison, type ExerciseDefinition, type ReferenceContext } from '../authoring/exercise.js';
import { currentLocale } from '../../i18n/i18n.js';
import { deriveSeed, Rng } from '../authoring/rng.js';
import type { ExerciseRef } from '../packs/packs.js';
import type { WrongOutputCache } from './diagnose.js';
import { distributionCases } from './distribution.js';
import { locateInStack } from './explain.js';
import { gradientReference } from './gradient.js';
import { toPlainOutput } from './read-back.js';
import { t } from '../../i18n/i18n.js';

/** One case: a single call, or the calls of a stepwise trajectory. */
export interface PreparedCase {
  name: string;
  /** The arguments of its (first) call: what the learner sees as the case's input and what diagnosis varies. */
  args: unknown[];
  /** A stepwise case's arguments for each step; from the second step on, the carried places are filled from the learner's previous output. */
  steps?: unknown[][];
  /** The output the definition pins for this case (`expected`), which `pack validate` checks the reference's against. */
  pinned?: unknown;
  /** The learner's function this case calls, when it is not the definition's `entry` (one of its `otherExports`). */
  entry?: string;
}

/** One property check: its calls, and the test of their outputs. */
export interface PreparedProperty {
  name: string;
  calls: unknown[][];
  holds: (outputs: unknown[], calls: unknown[][]) => string | undefined;
}

/** The reference's view of an exercise, computed once per preparation. */
export interface ReferenceRun {
  /** Expected output of each case (of a stepwise case: of its first step). */
  expected: unknown[];
  ctx: ReferenceContext;
  backend: string;
  referenceMs: number;
}

/** An exercise ready to grade files against: its cases, and expected outputs being computed. */
export interface PreparedExercise {
  ref: ExerciseRef;
  definition: ExerciseDefinition;
  seed: number;
  cases: PreparedCase[];
  /** Checks of properties of the learner's own function, graded after the cases. */
  propertyCases: PreparedProperty[];
  /** Every call the sandbox makes, cases first (a trajectory's steps in order), then properties. */
  calls: unknown[][];
  /** Index in `calls` of each case's first call. */
  firstCall: number[];
  /** For a stepwise exercise, per call: what it takes from the previous call's output (null for a trajectory's first step). */
  links?: (Carry[] | null)[];
  /** Per call, the export it calls where a case names one (null: the entry); absent when every call is the entry's. */
  entries?: (string | null)[];
  /** Ranges of calls (each property check's) whose results the child sends together. */
  together: [from: number, end: number][];
  tolerance: Comparison;
  timeoutMs: number;
  /** The language of the diagnosis (a locale tag; default en). */
  locale: string;
  /** Wrong outputs of the misconceptions, computed once per case. */
  wrongCache: WrongOutputCache;
  /** The reference run, started by {@link prepareExercise} (or, when it was deferred, by {@link startReference}). */
  reference: Promise<ReferenceRun>;
  /** Starts a deferred reference run; does nothing when it has started. */
  startReference: () => void;
}

const definitionFile = (ref: ExerciseRef) => path.join(ref.dir, 'exercise.ts');

/**
 * What an exercise's own code threw, with where in exercise.ts when its stack
 * says (`boom (exercise.ts:12)`): definitions are bundled with a source map,
 * read when `pack validate` turns source maps on.
 */
export function describeDefinitionThrow(ref: ExerciseRef, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = error instanceof Error ? locateInStack(error.stack, [definitionFile(ref)]) : undefined;
  return at ? `${message} (exercise.ts:${at.line})` : message;
}

/** The trusted function that computes expected outputs: the definition's reference, or autodiff of its forward pass. */
export function referenceOf(definition: ExerciseDefinition): (ctx: ReferenceContext, ...args: any[]) => unknown {
  if (definition.gradient) return gradientReference(definition.gradient);
  return definition.reference!;
}

/** Builds the cases of an exercise for a seed; an error here is the pack author's. */
export function buildCases(ref: ExerciseRef, definition: ExerciseDefinition, seed: number): PreparedCase[] {
  let raw: unknown[];
  try {
    raw = definition.cases(new Rng(deriveSeed(seed, ref.key)), { exerciseDir: ref.dir });
  } catch (error) {
    throw new UserError(t`${definitionFile(ref)}: cases() threw: ${(error as Error).message}`, { next: t('Fix the exercise definition, then run `llm-tutor pack validate`.') });
  }
  const stepwise = definition.stepwise !== undefined;
  const shape = stepwise ? '{ name, steps: [[...args], ...] }' : '{ name, args: [...], expected? }';
  // Checked only: the cases are kept as returned, so that inputs are not copied.
  const checked = z.array(stepwise ? stepwiseCaseSchema : caseInputSchema).min(1).safeParse(raw);
  if (!checked.success) {
    const [issue] = describeZodIssues(checked.error.issues);
    throw new UserError(issue?.path ? t`${definitionFile(ref)}: cases() must return a non-empty list of ${shape} (cases()${issue.path}: ${issue.message}).` : t`${definitionFile(ref)}: cases() must return a non-empty list of ${shape}.`);
  }
  // Frozen, so that the reference and the wrong variants can share one copy of each input
  // (a 50k-entry vocabulary is not copied for every call) and none can change it for the others.
  const entries = new Set([definition.entry, ...(definition.otherExports ?? []).map((e) => e.entry)]);
  const stray = (raw as { name: string; entry?: string }[]).find((c) => c.entry !== undefined && !entries.has(c.entry));
  if (stray) throw new UserError(t`${definitionFile(ref)}: case "${stray.name}" calls ${stray.entry}, which is neither the entry (${definition.entry}) nor one of otherExports.`);
  return (raw as any[]).map((c) =>
    stepwise ? { name: c.name, args: deepFreeze(c.steps[0]), steps: deepFreeze(c.steps) } : { name: c.name, args: deepFreeze(c.args), ...pinnedOf(c), ...entryOf(definition, c) },
  );
}

/** `{ entry }` when the case calls another export than the definition's entry, else nothing. */
function entryOf(definition: ExerciseDefinition, c: { entry?: string }): { entry?: string } {
  return c.entry === undefined || c.entry === definition.entry ? {} : { entry: c.entry };
}

/** `{ pinned }` when the case pins its expected output, else nothing. */
function pinnedOf(c: { expected?: unknown }): { pinned?: unknown } {
  return c.expected === undefined ? {} : { pinned: deepFreeze(c.expected) };
}

/** Freezes a value and everything reachable from it; returns it. Typed arrays cannot be frozen and are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Runs the trusted reference on the (first) call of every case, in this process. */
export async function computeExpected(ref: ExerciseRef, definition: ExerciseDefinition, cases: readonly { name: string; args: unknown[]; entry?: string }[], ctx: ReferenceContext): Promise<unknown[]> {
  const expected: unknown[] = [];
  for (const c of cases) {
    expected.push(await expectedFor(ref, definition, c.name, c.args, contextFor(ctx, c.entry)));
    // A reference computes synchronously: between cases the event loop gets a turn, so that the sandbox
    // child started beside it is spawned and the learner's file bundled now, not once every case is done.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return expected;
}

/** The reference's output for one call; a throw is the pack author's bug. */
export async function expectedFor(ref: ExerciseRef, definition: ExerciseDefinition, caseName: string, args: unknown[], ctx: ReferenceContext): Promise<unknown> {
  const reference = referenceOf(definition);
  try {
    return await toPlainOutput(ctx, () => reference(ctx, ...materializeArgs(args)));
  } catch (error) {
    throw new UserError(t`${definitionFile(ref)}: the reference threw on case "${caseName}": ${describeDefinitionThrow(ref, error)}`, {
      next: t('This is a bug in the exercise pack; run `llm-tutor pack validate` on it.'),
    });
  }
}

/** Builds the property cases of an exercise for a seed, distribution checks included. */
export function buildPropertyCases(ref: ExerciseRef, definition: ExerciseDefinition, seed: number): PreparedProperty[] {
  const out: PreparedProperty[] = [];
  const seeded = (name: string) => new Rng(deriveSeed(seed, `${ref.key}#${name}`));
  const authorError = (what: string, error: unknown) => new UserError(t`${definitionFile(ref)}: ${what} threw: ${(error as Error).message}`);
  for (const property of definition.properties ?? []) {
    let cases;
    try {
      cases = property.cases(seeded(property.name));
    } catch (error) {
      throw authorError(`properties "${property.name}" cases()`, error);
    }
    for (const c of cases) out.push({ name: `${property.name}: ${c.name}`, calls: deepFreeze(c.calls), holds: property.holds as PreparedProperty['holds'] });
  }
  for (const check of definition.distributions ?? []) {
    try {
      for (const c of distributionCases(check, seeded(check.name))) out.push({ ...c, calls: deepFreeze(c.calls) });
    } catch (error) {
      throw authorError(`distributions "${check.name}" scenarios()`, error);
    }
  }
  return out;
}

/** The sandbox's calls for these cases and properties, and for a stepwise exercise the links between them. */
function planCalls(definition: ExerciseDefinition, cases: PreparedCase[], properties: PreparedProperty[]) {
  const calls: unknown[][] = [];
  const firstCall: number[] = [];
  const links: (Carry[] | null)[] = [];
  const entries: (string | null)[] = [];
  for (const c of cases) {
    firstCall.push(calls.length);
    const steps = c.steps ?? [c.args];
    steps.forEach((args, t) => {
      calls.push(args);
      links.push(t > 0 && definition.stepwise ? definition.stepwise.carry : null);
      entries.push(c.entry ?? null);
    });
  }
  // A property check's calls are one group: the child sends their results together.
  const together: [number, number][] = [];
  for (const p of properties) {
    if (p.calls.length > 1) together.push([calls.length, calls.length + p.calls.length]);
    for (const args of p.calls) {
      calls.push(args);
      links.push(null);
      entries.push(null);
    }
  }
  // Frozen, as every call's arguments are: the sandbox then serialises the list once for every run of it.
  return { calls: Object.freeze(calls) as unknown[][], firstCall, links: definition.stepwise ? links : undefined, entries: entries.some((e) => e !== null) ? entries : undefined, together };
}

/** An exercise's time limit for all its cases (milliseconds): `override` (--timeout), else the definition's, else 5 s. */
export const timeLimitOf = (definition: Pick<ExerciseDefinition, 'timeoutMs'>, override?: number): number => override ?? definition.timeoutMs ?? 5000;

/**
 * Builds an exercise's cases and starts computing their expected outputs with
 * the reference, in this (trusted) process. Watch mode keeps the result and
 * grades every save against it.
 */
export function prepareExercise(
  ref: ExerciseRef,
  definition: ExerciseDefinition,
  seed: number,
  options: {
    backend?: BackendName;
    timeoutMs?: number;
    locale?: string;
    /**
     * Computes nothing (but loads tfjs) until `startReference` is called: a reference holds the event loop while it
     * computes, so a grading that runs the learner's file at the same time starts it once its run message is sent.
     */
    deferReference?: boolean;
  } = {},
): PreparedExercise {
  const cases = buildCases(ref, definition, seed);
  const propertyCases = buildPropertyCases(ref, definition, seed);
  let startReference = () => {};
  const go = options.deferReference ? new Promise<void>((resolve) => (startReference = resolve)) : undefined;
  const reference = (async () => {
    const started = performance.now();
    const { loadTf } = await import('../../reference/backend.js');
    const { tf, report } = await loadTf(options.backend);
    // Loading tfjs is not held back: it overlaps with the child's start, and the cases' wait for it.
    const loadMs = performance.now() - started;
    await go;
    const computing = performance.now();
    const ctx: ReferenceContext = { tf, exerciseDir: ref.dir };
    const expected = await computeExpected(ref, definition, cases, ctx);
    return { expected, ctx, backend: report.active, referenceMs: loadMs + performance.now() - computing };
  })();
  // Awaited by every grading; this only keeps an early failure from being reported as unhandled.
  reference.catch(() => {});
  return {
    ref,
    definition,
    seed,
    cases,
    propertyCases,
    ...planCalls(definition, cases, propertyCases),
    tolerance: definition.compare ?? defaultTolerance,
    timeoutMs: timeLimitOf(definition, options.timeoutMs),
    locale: options.locale ?? currentLocale(),
    wrongCache: new Map(),
    reference,
    startReference,
  };
}
