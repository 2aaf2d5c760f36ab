import { outputWidth, type GlobalOptions, type Io } from './io.js';
import { UserError } from '../errors.js';
import { plural } from '../core/common/words.js';
import { loadDefinition } from '../core/packs/definitions.js';
import { buildCases, computeExpected } from '../core/grading/grade.js';
import { argumentNames } from '../core/authoring/signature.js';
import { traceCase } from '../core/grading/trace.js';
import { previewValue } from '../core/grading/value-preview.js';
import { loadTf } from '../reference/backend.js';
import { openSession, pickExercise } from './context.js';
import { toJson } from '../report/json.js';
import { styleLine } from '../report/lines.js';
import { valueLines } from '../report/value-layout.js';
import { describeTensorArg, isReadOnceArg, isRowsArg, typedArrayKind } from '../sandbox/wire.js';

/** An argument as JSON shows it: a read-once list as its items, flagged; model-sized data as numbers, with what the function receives. */
function plainArg(arg: unknown): unknown {
  if (isReadOnceArg(arg)) return { readOnce: arg.items };
  if (isRowsArg(arg)) return { receivedAs: describeTensorArg(arg), rows: Array.from({ length: arg.rows }, (_, r) => Array.from(arg.data.subarray(r * arg.cols, (r + 1) * arg.cols))) };
  if (typedArrayKind(arg)) return { receivedAs: describeTensorArg(arg), values: Array.from(arg as ArrayLike<number>) };
  return arg;
}

/** `llm-tutor example [id] [--case N] [--trace] [--json]`: one generated input by argument name, the reference's intermediate values (--trace) and its expected output. */
export default async function example(io: Io, globals: GlobalOptions, id: string | undefined, options: { case?: string; json?: boolean; trace?: boolean }): Promise<number> {
  const session = await openSession(io, globals);
  const ref = pickExercise(session, id);
  const definition = await loadDefinition(ref);
  const cases = buildCases(ref, definition, session.seed);
  const n = options.case === undefined ? 1 : Number(options.case);
  if (!Number.isInteger(n) || n < 1 || n > cases.length) {
    throw new UserError(`--case must be a number from 1 to ${cases.length}, got "${options.case}".`, { exitCode: 2 });
  }
  const chosen = cases[n - 1];
  const { tf } = await loadTf(session.backend);
  const ctx = { tf, exerciseDir: ref.dir };
  const [expected] = await computeExpected(ref, definition, [chosen], ctx);
  const trace = options.trace ? await traceCase(ref, definition, chosen, ctx) : undefined;
  const names = argumentNames(definition.signature, chosen.args.length);
  if (options.json) {
    const args = chosen.args.map(plainArg);
    const steps = chosen.steps ? { steps: chosen.steps.length, carry: definition.stepwise?.carry } : {};
    const traced = trace ? { trace: Object.fromEntries(trace) } : {};
    io.out(toJson({ exercise: ref.key, case: n, name: chosen.name, seed: session.seed, names, args, ...traced, expected, ...steps }, 2));
    return 0;
  }
  const c = session.chalk;
  const width = outputWidth(io);
  // Each value after a blank line: the grids of q, k and v do not run into each other.
  const show = (name: string, value: unknown) => ['', ...valueLines({ name, value: previewValue(value) }, width, { expanded: true }).map((row) => styleLine(row, c))];
  io.out(`${c.bold(ref.key)} — case ${n} of ${cases.length}: ${chosen.name} ${c.dim(`(seed ${session.seed})`)}`);
  io.out(`\n${c.bold('call')}  ${definition.signature}`);
  if (chosen.steps) io.out(c.dim(`\nThe first of ${plural(chosen.steps.length, 'step')}: each later step is called on what your function returned at the step before.`));
  io.out(chosen.args.flatMap((arg, i) => show(names[i], arg)).join('\n'));
  if (options.trace && trace) io.out(['', c.bold('Inside the reference, in order:'), ...trace.flatMap(([name, value]) => show(name, value))].join('\n'));
  if (options.trace && !trace) io.out(c.dim('\nThis exercise names no intermediate values.'));
  io.out(show('expected output', expected).join('\n'));
  const more = options.trace || !definition.trace ? '' : ' --trace shows the values the reference computes on the way.';
  io.out(c.dim(`\nOther cases: --case 1..${cases.length}. A different --seed gives different random cases.${more} Long values are shown in part (… marks what is left out): --json gives them whole.`));
  return 0;
}
