/**
 * Layer by layer: when a file that assembles the learner's earlier files (a
 * model from its embedding, blocks and unembedding) fails, each piece it
 * imports is run on its own, in the sandbox, on the reference's input to that
 * piece, and compared with the reference's output of it. The first piece that
 * differs is where the mistake is: a wrong block 2 is named as such, not
 * blamed on the model that calls it. Computed for the first failing case
 * only, after the verdict's cases, so a passing file costs nothing.
 */
import path from 'node:path';
import type { ExerciseDefinition, LayerCheck, ReferenceContext } from '../authoring/exercise.js';
import { materializeArgs } from '../../sandbox/wire.js';
import { compareOutputs } from './compare.js';
import { describeThrown } from './explain.js';
import { toPlainOutput } from './read-back.js';
import type { LayerPiece, LayerReport } from './verdict.js';
import { t } from '../../i18n/i18n.js';

/** Each piece of the layer check, its expected output read back as plain data. */
async function piecesOf(definition: Pick<ExerciseDefinition, 'layers'>, ctx: ReferenceContext, args: readonly unknown[]): Promise<(Omit<LayerCheck, 'expected'> & { expected: unknown })[]> {
  const hook = definition.layers!;
  const material = materializeArgs(args as unknown[]);
  let calls: unknown[][] = [];
  const described = (await toPlainOutput(ctx, async () => {
    const checks = await hook(ctx, ...material);
    calls = checks.map((c) => c.args);
    // Only the expected outputs are read back (the arguments may be model-sized).
    return checks.map(({ args: _args, ...rest }) => rest);
  })) as Omit<LayerCheck, 'args'>[];
  return described.map((d, i) => ({ ...d, args: calls[i] }));
}

/** The learner file of an exercise key among the files the bundle read (`training/block/mlp` → …/exercises/training/block/mlp.ts). */
function fileOf(key: string, learnerFiles: readonly string[], allowedRoot: string): string | undefined {
  return learnerFiles.find((file) => path.relative(allowedRoot, file).replace(/\.(ts|js|mts|mjs)$/, '').split(path.sep).join('/') === key);
}

/**
 * Runs the pieces of the layer check on the first failing case: each piece
 * whose exercise file the learner's file imports (is among `learnerFiles`) is
 * called in a sandbox of its own, its output compared with the reference's.
 * Undefined when the definition has no layers or nothing could be checked.
 */
export async function compareLayers(
  definition: Pick<ExerciseDefinition, 'layers' | 'compare'>,
  ctx: ReferenceContext,
  failing: { name: string; args: readonly unknown[] } | undefined,
  learnerFiles: readonly string[],
  allowedRoot: string,
  timeoutMs: number,
): Promise<LayerReport | { note: string } | undefined> {
  if (!definition.layers || !failing) return undefined;
  let pieces: Awaited<ReturnType<typeof piecesOf>>;
  try {
    pieces = await piecesOf(definition, ctx, failing.args);
  } catch (error) {
    return { note: t`The exercise's layer-by-layer check threw (${(error as Error).message}), so its pieces are not compared; this is a bug in the exercise pack.` };
  }
  const results: LayerPiece[] = pieces.map((p) => ({ name: p.name, exercise: p.exercise, status: 'not-imported' }));
  const byFile = new Map<string, number[]>();
  pieces.forEach((p, i) => {
    const file = fileOf(p.exercise, learnerFiles, allowedRoot);
    if (file) byFile.set(file, [...(byFile.get(file) ?? []), i]);
  });
  if (byFile.size === 0) return undefined;
  const [{ defaultLimits }, { SubmissionSandbox }] = await Promise.all([import('../../sandbox/run-child.js'), import('../../sandbox/submission-sandbox.js')]);
  // One child for every piece, all the files in one bundle, run one after another.
  const sandbox = await SubmissionSandbox.open([...byFile.keys()], allowedRoot, { timeoutMs });
  try {
    for (const [file, indices] of byFile) {
      for (const i of indices) {
        const slot = await sandbox.acquire();
        try {
          const bundle = await slot.bundle(file, allowedRoot, timeoutMs);
          if (!bundle.ok) {
            results[i] = { ...results[i], status: 'error', message: bundle.problem ? t`could not be compiled: ${bundle.problem.message}` : t('could not be compiled: timed out') };
            continue;
          }
          const run = await slot.run(pieces[i].entry, [pieces[i].args], { ...defaultLimits, timeoutMs });
          const outcome = run.outcomes[0];
          if (!outcome) {
            results[i] = { ...results[i], status: 'error', message: run.loadError ? t`did not load: ${run.loadError.message}` : run.timedOut ? t`timed out after ${timeoutMs / 1000} s` : t('did not run') };
          } else if (!outcome.ok) {
            results[i] = { ...results[i], status: 'error', message: describeThrown({ name: outcome.error.name, message: outcome.error.message }) };
          } else {
            const compared = compareOutputs(pieces[i].expected, outcome.value, pieces[i].compare ?? definition.compare);
            results[i] = compared.ok ? { ...results[i], status: 'agrees' } : { ...results[i], status: 'differs', mismatch: compared.mismatch, message: compared.mismatch.message };
          }
        } finally {
          await slot.dispose();
        }
      }
    }
  } finally {
    await sandbox.close();
  }
  const first = results.findIndex((r) => r.status === 'differs' || r.status === 'error');
  return { caseName: failing.name, pieces: results, ...(first >= 0 ? { first } : {}) };
}

/** The layer report in one sentence, for the verdict's notes (reporters that show only notes still say where the mistake is). */
export function layerNote(report: LayerReport): string {
  const checked = report.pieces.filter((p) => p.status !== 'not-imported');
  if (report.first === undefined) {
    return t`Layer by layer on case "${report.caseName}", each of your imported pieces (${checked.map((p) => p.name).join(', ')}) gives the reference's output on the reference's input: the difference is in how this file joins them.`;
  }
  const p = report.pieces[report.first];
  const agreed = report.pieces.slice(0, report.first).filter((q) => q.status === 'agrees').map((q) => q.name);
  const [name, said] = [report.caseName, p.status === 'error' ? t`it ${p.message}` : describeFirst(p)];
  if (agreed.length === 0) return t`Layer by layer on case "${name}", the first piece that differs from the reference is ${p.name}, computed by your ${p.exercise}: ${said}`;
  if (agreed.length === 1) return t`Layer by layer on case "${name}", the first piece that differs from the reference is ${p.name}, computed by your ${p.exercise} (${agreed[0]} agrees): ${said}`;
  return t`Layer by layer on case "${name}", the first piece that differs from the reference is ${p.name}, computed by your ${p.exercise} (${agreed.join(', ')} agree): ${said}`;
}

const describeFirst = (p: LayerPiece) => p.mismatch?.message ?? p.message ?? t('its output differs');
