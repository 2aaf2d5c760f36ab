import { compareOutputs } from './compare.js';
import { isAlternatives, type Comparison, type Misconception, type ReferenceContext } from './exercise.js';
import type { Diagnosis } from './verdict.js';

/** One case the learner failed on values or shape (not by throwing). */
export interface FailedCase {
  args: unknown[];
  expected: unknown;
  got: unknown;
}

/** Runs a misconception's wrong variant; undefined when it does not apply to these arguments (it threw). */
export async function wrongOutputs(misconception: Misconception, ctx: ReferenceContext, args: unknown[]): Promise<unknown[] | undefined> {
  try {
    const output = await toPlainOutput(ctx, () => misconception.wrong(ctx, ...structuredClone(args)));
    return isAlternatives(output) ? [...output.alternatives] : [output];
  } catch {
    return undefined;
  }
}

/** Calls `compute` in a tfjs scope and reads back a Tensor (or typed array) result as plain arrays. */
export async function toPlainOutput(ctx: ReferenceContext, compute: () => unknown): Promise<unknown> {
  ctx.tf.engine().startScope();
  try {
    const value = await compute();
    return await readBack(value);
  } finally {
    ctx.tf.engine().endScope();
  }
}

async function readBack(value: unknown): Promise<unknown> {
  if (value && typeof value === 'object') {
    const tensorLike = value as { array?: () => Promise<unknown>; dataSync?: unknown; dtype?: unknown };
    if (typeof tensorLike.array === 'function' && typeof tensorLike.dataSync === 'function' && typeof tensorLike.dtype === 'string') {
      return tensorLike.array();
    }
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
    if (Array.isArray(value)) return Promise.all(value.map(readBack));
    if (isAlternatives(value)) return { alternatives: await Promise.all(value.alternatives.map(readBack)) };
    if (Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) out[key] = await readBack(v);
      return out;
    }
  }
  return value;
}

function matchesAny(candidates: unknown[], got: unknown, tolerance: Comparison): boolean {
  return candidates.some((candidate) => compareOutputs(candidate, got, tolerance).ok);
}

/**
 * Names the mistake whose wrong output the learner's output matches. A
 * misconception is diagnosed in full when it explains every failed case, and
 * as partial when it explains most of them; the one explaining most wins, ties
 * going to the one listed first.
 */
export async function diagnose(
  misconceptions: readonly Misconception[],
  failed: readonly FailedCase[],
  tolerance: Comparison,
  ctx: ReferenceContext,
): Promise<Diagnosis | undefined> {
  if (failed.length === 0) return undefined;
  let best: Diagnosis | undefined;
  for (const misconception of misconceptions) {
    let matched = 0;
    for (const failure of failed) {
      const candidates = await wrongOutputs(misconception, ctx, failure.args);
      if (!candidates) continue;
      // A variant that agrees with the reference on this case cannot explain a failure here.
      if (candidates.every((c) => compareOutputs(failure.expected, c, tolerance).ok)) continue;
      if (matchesAny(candidates, failure.got, tolerance)) matched++;
    }
    if (matched === 0) continue;
    const confidence = matched === failed.length ? 'full' : matched * 2 > failed.length ? 'partial' : undefined;
    if (!confidence) continue;
    if (!best || matched > best.matched) {
      best = { misconceptionId: misconception.id, title: misconception.title, message: misconception.message, matched, failing: failed.length, confidence };
    }
  }
  return best;
}
