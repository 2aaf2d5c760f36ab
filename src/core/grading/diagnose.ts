import { compareOutputs } from './compare.js';
import { isAlternatives, type Comparison, type Misconception, type ReferenceContext } from '../authoring/exercise.js';
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
 */
export async function diagnose(
  misconceptions: readonly Misconception[],
  graded: readonly GradedCase[],
  tolerance: Comparison,
  ctx: ReferenceContext,
  cache?: WrongOutputCache,
  locale: string = defaultLocale,
): Promise<Diagnosis | undefined> {
  const failing = graded.filter((g) => !g.passed).length;
  if (failing === 0) return undefined;
  let best: (Diagnosis & { score: number }) | undefined;
  for (const misconception of misconceptions) {
    let explained = 0;
    let contradicted = 0;
    for (const c of graded) {
      const key = c.index === undefined ? undefined : `${misconception.id}#${c.index}`;
      const candidates = key !== undefined && cache?.has(key) ? cache.get(key) : await wrongOutputs(misconception, ctx, c.args);
      if (key !== undefined) cache?.set(key, candidates);
      if (!candidates) continue;
      // Where the wrong variant agrees with the reference, this case tells nothing about it.
      if (candidates.every((w) => compareOutputs(c.expected, w, tolerance).ok)) continue;
      const matches = matchesAny(candidates, c.got, tolerance);
      if (!c.passed && matches) explained++;
      if (c.passed && !matches) contradicted++;
    }
    if (explained === 0) continue;
    const confidence = explained === failing && contradicted === 0 ? 'full' : explained * 2 > failing && contradicted <= explained ? 'partial' : undefined;
    if (!confidence) continue;
    const score = explained - contradicted;
    if (!best || score > best.score) {
      best = { misconceptionId: misconception.id, title: localise(misconception.title, locale), message: localise(misconception.message, locale), matched: explained, failing, confidence, score };
    }
  }
  if (!best) return undefined;
  const { score: _score, ...diagnosis } = best;
  return diagnosis;
}
