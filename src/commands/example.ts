import { outputWidth, type GlobalOptions, type Io } from './io.js';
import { UserError } from '../errors.js';
import { plural, sentences } from '../core/common/words.js';
import { loadDefinition } from '../core/packs/definitions.js';
import { buildCases, computeExpected } from '../core/grading/grade.js';
import { argumentNames } from '../core/authoring/signature.js';
import { traceCase } from '../core/grading/trace.js';
import { previewValue } from '../core/grading/value-preview.js';
import { loadTf } from '../reference/backend.js';
import { openSession, pickExercise } from './context.js';
import type { ChalkInstance } from 'chalk';
import { contextFor, signatureOf, type ExerciseDefinition } from '../core/authoring/exercise.js';
import type { ExerciseRef } from '../core/packs/packs.js';
import type { PreparedCase } from '../core/grading/grade.js';
import type { BackendName } from '../reference/backend.js';
import { escapeLogLine } from '../report/escape.js';
import { toJson } from '../report/json.js';
import { styleLine } from '../report/lines.js';
import { valueLines } from '../report/value-layout.js';
import { isReadOnceArg, isRowsArg, typedArrayKind } from '../sandbox/wire.js';
import { tensorArgText } from '../core/grading/explain.js';
import { t } from '../i18n/i18n.js';

/** An argument as JSON shows it: a read-once list as its items, flagged; model-sized data as numbers, with what the function receives. */
function plainArg(arg: unknown): unknown {
  if (isReadOnceArg(arg)) return { readOnce: arg.items };
  if (isRowsArg(arg)) return { receivedAs: tensorArgText(arg), rows: Array.from({ length: arg.rows }, (_, r) => Array.from(arg.data.subarray(r * arg.cols, (r + 1) * arg.cols))) };
  if (typedArrayKind(arg)) return { receivedAs: tensorArgText(arg), values: Array.from(arg as ArrayLike<number>) };
  return arg;
}

/** One generated case of an exercise, computed: its arguments by name, the reference's expected output and, when asked, its intermediate values. */
export interface ExampleCase {
  ref: ExerciseRef;
  definition: ExerciseDefinition;
  /** 1-based, of `count`. */
  number: number;
  count: number;
  chosen: PreparedCase;
  names: string[];
  expected: unknown;
  trace?: Awaited<ReturnType<typeof traceCase>>;
}

/** Case `--case` (1-based, default 1) of `ref` for `seed`, with the reference's expected output (and its trace when `withTrace`); a usage error when there is no such case. */
export async function computeExample(ref: ExerciseRef, seed: number, backend: BackendName | undefined, caseOption?: string, withTrace = false): Promise<ExampleCase> {
  const definition = await loadDefinition(ref);
  const cases = buildCases(ref, definition, seed);
  const n = caseOption === undefined ? 1 : Number(caseOption);
  if (!Number.isInteger(n) || n < 1 || n > cases.length) {
    throw new UserError(t`--case must be a number from 1 to ${cases.length}, got "${caseOption}".`, { exitCode: 2 });
  }
  const chosen = cases[n - 1];
  const { tf } = await loadTf(backend);
  const ctx = { tf, exerciseDir: ref.dir };
  const [expected] = await computeExpected(ref, definition, [chosen], ctx);
  const trace = withTrace ? await traceCase(ref, definition, chosen, contextFor(ctx, chosen.entry)) : undefined;
  return { ref, definition, number: n, count: cases.length, chosen, names: argumentNames(signatureOf(definition, chosen.entry), chosen.args.length), expected, trace };
}

/** The case as `llm-tutor example` prints it: a title naming the case and seed, the call, each argument by name, the trace when computed, and the expected output. */
export function exampleLines(example: ExampleCase, seed: number, c: ChalkInstance, width: number): string[] {
  const { ref, definition, chosen, trace } = example;
  // Each value after a blank line: the grids of q, k and v do not run into each other.
  const show = (name: string, value: unknown) => ['', ...valueLines({ name, value: previewValue(value) }, width, { expanded: true }).map((row) => styleLine(row, c))];
  const lines = [t`${c.bold(ref.key)} — case ${example.number} of ${example.count}: ${escapeLogLine(chosen.name)} ${c.dim(t`(seed ${seed})`)}`, '', `${c.bold(t('call'))}  ${escapeLogLine(signatureOf(definition, chosen.entry))}`];
  if (chosen.steps) lines.push('', c.dim(t`The first of ${plural(chosen.steps.length, 'step')}: each later step is called on what your function returned at the step before.`));
  lines.push(...chosen.args.flatMap((arg, i) => show(example.names[i], arg)));
  if (trace) lines.push('', c.bold(t('Inside the reference, in order:')), ...trace.flatMap(([name, value]) => show(name, value)));
  return [...lines, ...show(t('expected output'), example.expected)];
}

/** `llm-tutor example [id] [--case N] [--trace] [--json]`: one generated input by argument name, the reference's intermediate values (--trace) and its expected output. */
export default async function example(io: Io, globals: GlobalOptions, id: string | undefined, options: { case?: string; json?: boolean; trace?: boolean }): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const computed = await computeExample(ref, session.seed, session.backend, options.case, options.trace);
  const { definition, chosen, trace, expected, names } = computed;
  if (options.json) {
    const args = chosen.args.map(plainArg);
    const steps = chosen.steps ? { steps: chosen.steps.length, carry: definition.stepwise?.carry } : {};
    const traced = trace ? { trace: Object.fromEntries(trace) } : {};
    io.out(toJson({ exercise: ref.key, case: computed.number, name: chosen.name, seed: session.seed, names, args, ...traced, expected, ...steps }, 2));
    return 0;
  }
  const c = session.chalk;
  io.out(exampleLines(computed, session.seed, c, outputWidth(io)).join('\n'));
  if (options.trace && !trace) io.out(c.dim(`\n${t('This exercise names no intermediate values.')}`));
  const more = options.trace || !definition.trace ? [] : [t('--trace shows the values the reference computes on the way.')];
  const notes = [t`Other cases: --case 1..${computed.count}.`, t('A different --seed gives different random cases.'), ...more, t('Long values are shown in part (… marks what is left out): --json gives them whole.')];
  io.out(c.dim(`\n${sentences(notes)}`));
  return 0;
}
