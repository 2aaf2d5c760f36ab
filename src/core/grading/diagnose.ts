import { compareOutputs } from './compare.js';
import { contextFor, isAlternatives, type Comparison, type Misconception, type ReferenceContext } from '../authoring/exercise.js';
import type { ScheduleSpec } from '../authoring/kinds.js';
import { defaultLocale, localise } from '../authoring/localised.js';
import { toPlainOutput } from './read-back.js';
import type { Diagnosis } from './verdict.js';
import { materializeArgs } from '../../sandbox/wire.js';

/** One graded case, as diagnosis sees it. */
export interface GradedCase {
  args: unknown[];
  expected: unknown;
  got: unknown;
  /** Whether the learner's output matched the reference. */
  passed: boolean;
  /** The case's index, used as the key of a wrong-output cache. */
  index?: number;
  /** The export the case calls, when it is not the entry: the wrong variants are told, as the reference was. */
  entry?: string;
}

/** Wrong outputs already computed, keyed by misconception id and case index (they depend only on the arguments). */
export type WrongOutputCache = Map<string, unknown[] | undefined>;

/** Runs a misconception's wrong variant; undefined when it does not apply to these arguments (it threw). */
export async function wrongOutputs(misconception: Misconception, ctx: ReferenceContext, args: unknown[]): Promise<unknown[] | undefined> {
  const outcome = await wrongOutcome(misconception, ctx, args);
  return 'outputs' in outcome ? outcome.outputs : undefined;
}

/** Runs a misconception's wrong variant: its candidate outputs, or what it threw. */
export async function wrongOutcome(misconception: Misconception, ctx: ReferenceContext, args: unknown[]): Promise<{ outputs: unknown[] } | { thrown: unknown }> {
  try {
    const output = await toPlainOutput(ctx, () => misconception.wrong(ctx, ...materializeArgs(args)));
    return { outputs: isAlternatives(output) ? [...output.alternatives] : [output] };
  } catch (thrown) {
    return { thrown };
  }
}

function matchesAny(candidates: unknown[], got: unknown, tolerance: Comparison): boolean {
  return candidates.some((candidate) => compareOutputs(candidate, got, tolerance).ok);
}

/**
 * Names the mistake whose wrong output the learner's output matches. For each
 * misconception it counts the failed cases it explains (the learner's output
 * equals its wrong output there) and the passed cases that contradict it (its
 * wrong output differs from the reference, yet the learner got the reference).
 * It is diagnosed in full when it explains every failure and nothing
 * contradicts it, and as partial when it explains most failures. The best
 * explanation wins; ties go to the misconception listed first. Its title and
 * message are given in `locale`.
 *
 * A schedule exercise's plans are rarely wrong in exactly the misconception's
 * way (a learner who forgets to offset the stages may leave the bubble's
 * slots in or not), so when no wrong plan matches the learner's, a plan that
 * breaks the same property of `schedule.check` as a misconception's wrong plan
 * counts as explained by it: a partial diagnosis at most.
 */
export async function diagnose(
  misconceptions: readonly Misconception[],
  graded: readonly GradedCase[],
  tolerance: Comparison,
  ctx: ReferenceContext,
  cache?: WrongOutputCache,
  locale: string = defaultLocale,
  schedule?: ScheduleSpec,
): Promise<Diagnosis | undefined> {
  const failing = graded.filter((g) => !g.passed).length;
  if (failing === 0) return undefined;
  const candidatesOf = async (misconception: Misconception, c: GradedCase) => {
    const key = c.index === undefined ? undefined : `${misconception.id}#${c.index}`;
    const candidates = key !== undefined && cache?.has(key) ? cache.get(key) : await wrongOutputs(misconception, contextFor(ctx, c.entry), c.args);
    if (key !== undefined) cache?.set(key, candidates);
    return candidates;
  };
  const exact = await bestExplanation(misconceptions, graded, failing, candidatesOf, (c, candidates) => ({
    // Where the wrong variant agrees with the reference, this case tells nothing about it.
    tells: !candidates.every((w) => compareOutputs(c.expected, w, tolerance).ok),
    matches: matchesAny(candidates, c.got, tolerance),
  }));
  const found = exact ?? (schedule && (await sameBreak(misconceptions, graded, failing, candidatesOf, schedule)));
  if (!found) return undefined;
  const misconception = misconceptions.find((m) => m.id === found.id)!;
  return { misconceptionId: found.id, title: localise(misconception.title, locale), message: localise(misconception.message, locale), matched: found.explained, failing, confidence: found.confidence };
}

type Explanation = { id: string; explained: number; confidence: 'full' | 'partial' };

/** The misconception that explains most failed cases, by `judge`'s verdict on each case: whether it tells anything, and whether the learner's output matches. */
async function bestExplanation(
  misconceptions: readonly Misconception[],
  graded: readonly GradedCase[],
  failing: number,
  candidatesOf: (m: Misconception, c: GradedCase) => Promise<unknown[] | undefined>,
  judge: (c: GradedCase, candidates: unknown[]) => { tells: boolean; matches: boolean },
): Promise<Explanation | undefined> {
  let best: (Explanation & { score: number }) | undefined;
  for (const misconception of misconceptions) {
    let explained = 0;
    let contradicted = 0;
    for (const c of graded) {
      const candidates = await candidatesOf(misconception, c);
      if (!candidates) continue;
      const { tells, matches } = judge(c, candidates);
      if (!tells) continue;
      if (!c.passed && matches) explained++;
      if (c.passed && !matches) contradicted++;
    }
    if (explained === 0) continue;
    const confidence = explained === failing && contradicted === 0 ? 'full' : explained * 2 > failing && contradicted <= explained ? 'partial' : undefined;
    if (!confidence) continue;
    const score = explained - contradicted;
    if (!best || score > best.score) best = { id: misconception.id, explained, confidence, score };
  }
  return best && { id: best.id, explained: best.explained, confidence: best.confidence };
}

/** The misconception whose wrong plans break the same property as the learner's plans, as a partial diagnosis. */
async function sameBreak(
  misconceptions: readonly Misconception[],
  graded: readonly GradedCase[],
  failing: number,
  candidatesOf: (m: Misconception, c: GradedCase) => Promise<unknown[] | undefined>,
  schedule: ScheduleSpec,
): Promise<Explanation | undefined> {
  /** The property a plan breaks on a case's arguments; undefined when it breaks none (or the check cannot run on it). */
  const broken = (plan: unknown, c: GradedCase): string | undefined => {
    try {
      return schedule.check(plan, ...materializeArgs(c.args))?.property;
    } catch {
      return undefined;
    }
  };
  const learnerBreaks = new Map(graded.map((c) => [c, c.passed ? undefined : broken(c.got, c)]));
  const found = await bestExplanation(misconceptions, graded, failing, candidatesOf, (c, candidates) => {
    const breaks = candidates.map((w) => broken(w, c));
    const mine = learnerBreaks.get(c);
    return { tells: breaks.some((b) => b !== undefined), matches: c.passed ? breaks.every((b) => b === undefined) : mine !== undefined && breaks.includes(mine) };
  });
  return found && { ...found, confidence: 'partial' };
}
