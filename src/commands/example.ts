import type { GlobalOptions, Io } from './io.js';
import { UserError } from '../errors.js';
import { plural } from '../core/common/words.js';
import { loadDefinition } from '../core/packs/definitions.js';
import { buildCases, computeExpected } from '../core/grading/grade.js';
import { loadTf } from '../reference/backend.js';
import { openSession, pickExercise } from './context.js';
import { toJson } from '../report/json.js';
import { describeTensorArg, isReadOnceArg, isRowsArg, typedArrayKind } from '../sandbox/wire.js';

/** An argument as JSON shows it: a read-once list as its items, flagged; model-sized data as numbers, with what the function receives. */
function plainArg(arg: unknown): unknown {
  if (isReadOnceArg(arg)) return { readOnce: arg.items };
  if (isRowsArg(arg)) return { receivedAs: describeTensorArg(arg), rows: Array.from({ length: arg.rows }, (_, r) => Array.from(arg.data.subarray(r * arg.cols, (r + 1) * arg.cols))) };
  if (typedArrayKind(arg)) return { receivedAs: describeTensorArg(arg), values: Array.from(arg as ArrayLike<number>) };
  return arg;
}

/** `llm-tutor example [id] [--case N] [--json]`: one generated input and its expected output. */
export default async function example(io: Io, globals: GlobalOptions, id: string | undefined, options: { case?: string; json?: boolean }): Promise<number> {
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
  const [expected] = await computeExpected(ref, definition, [chosen], { tf, exerciseDir: ref.dir });
  if (options.json) {
    const args = chosen.args.map(plainArg);
    const steps = chosen.steps ? { steps: chosen.steps.length, carry: definition.stepwise?.carry } : {};
    io.out(toJson({ exercise: ref.key, case: n, name: chosen.name, seed: session.seed, args, expected, ...steps }, 2));
    return 0;
  }
  const c = session.chalk;
  io.out(`${c.bold(ref.key)} — case ${n} of ${cases.length}: ${chosen.name} ${c.dim(`(seed ${session.seed})`)}`);
  io.out(`\n${c.bold('call')}  ${definition.signature}`);
  // Large inputs (a whole vocabulary) are cut in the text view; --json gives them whole.
  const cut = (text: string) => (text.length > 4000 ? `${text.slice(0, 4000)}… (${plural(text.length - 4000, 'more character')}; --json shows everything)` : text);
  if (chosen.steps) io.out(c.dim(`\nThe first of ${plural(chosen.steps.length, 'step')}: each later step is called on what your function returned at the step before.`));
  chosen.args.forEach((arg, i) => {
    const as = isReadOnceArg(arg) ? ' (an iterable that can be read only once)' : isRowsArg(arg) || typedArrayKind(arg) ? ` (${describeTensorArg(arg)})` : '';
    const shown = plainArg(arg);
    io.out(`\n${c.bold(`argument ${i + 1}`)}${c.dim(as)}\n${cut(toJson(isReadOnceArg(arg) ? arg.items : shown && typeof shown === 'object' && 'receivedAs' in shown ? Object.values(shown)[1] : shown))}`);
  });
  io.out(`\n${c.bold('expected output')}\n${cut(toJson(expected))}`);
  io.out(c.dim(`\nOther cases: --case 1..${cases.length}. A different --seed gives different random cases.`));
  return 0;
}
