/**
 * The reference's intermediate values for one call, in the trusted process:
 * what a definition's `trace` names, read back and previewed. Computed for
 * the first failing case only, so a passing file costs nothing.
 */
import path from 'node:path';
import { UserError } from '../../errors.js';
import { materializeArgs } from '../../sandbox/wire.js';
import type { ExerciseDefinition, ReferenceContext } from '../authoring/exercise.js';
import type { ExerciseRef } from '../packs/packs.js';
import { toPlainOutput } from './read-back.js';
import { previewValue, type NamedPreview } from './value-preview.js';
import { t } from '../../i18n/i18n.js';

/**
 * The intermediate values the definition's `trace` returns for these
 * arguments, as plain data in the order it names them; undefined when the
 * definition has no trace. Throws what the trace throws, or when it does not
 * return an object of named values.
 */
export async function traceValues(definition: Pick<ExerciseDefinition, 'trace'>, ctx: ReferenceContext, args: readonly unknown[]): Promise<[string, unknown][] | undefined> {
  const trace = definition.trace;
  if (!trace) return undefined;
  const values = await toPlainOutput(ctx, () => trace(ctx, ...materializeArgs(args as unknown[])));
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error(t('trace must return an object of named values, such as { scores, weights }'));
  return Object.entries(values);
}

/**
 * The previewed trace of the first failing case, or a note for the verdict
 * when the definition's trace throws (a bug in the pack: the verdict stands without it).
 */
export async function traceFailure(definition: Pick<ExerciseDefinition, 'trace'>, ctx: ReferenceContext, args: readonly unknown[] | undefined): Promise<{ trace?: NamedPreview[]; note?: string }> {
  if (!args || !definition.trace) return {};
  try {
    const values = await traceValues(definition, ctx, args);
    return { trace: values?.map(([name, value]) => ({ name, value: previewValue(value) })) };
  } catch (error) {
    return { note: t`The exercise's trace of the reference threw (${(error as Error).message}), so its intermediate values are not shown; this is a bug in the exercise pack.` };
  }
}

/** The trace of one case for a command that shows it (`example --trace`); a throw is the pack author's bug, said as such. */
export async function traceCase(ref: ExerciseRef, definition: Pick<ExerciseDefinition, 'trace'>, kase: { name: string; args: unknown[] }, ctx: ReferenceContext): Promise<[string, unknown][] | undefined> {
  try {
    return await traceValues(definition, ctx, kase.args);
  } catch (error) {
    throw new UserError(t`${path.join(ref.dir, 'exercise.ts')}: the trace threw on case "${kase.name}": ${(error as Error).message}`, {
      next: t('This is a bug in the exercise pack; run `llm-tutor pack validate` on it.'),
    });
  }
}
