import type { GlobalOptions, Io } from './io.js';
import { UserError } from '../errors.js';
import { loadDefinition } from '../core/packs/definitions.js';
import { buildCases, computeExpected } from '../core/grading/grade.js';
import { loadTf } from '../reference/backend.js';
import { openSession, pickExercise } from './context.js';
import { toJson } from '../report/json.js';
import { isReadOnceArg } from '../sandbox/wire.js';

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
    // A read-once argument is shown as its items, flagged, rather than as the tutor's internal marker.
    const args = chosen.args.map((a) => (isReadOnceArg(a) ? { readOnce: a.items } : a));
    io.out(toJson({ exercise: ref.key, case: n, name: chosen.name, seed: session.seed, args, expected }, 2));
    return 0;
  }
  const c = session.chalk;
  io.out(`${c.bold(ref.key)} — case ${n} of ${cases.length}: ${chosen.name} ${c.dim(`(seed ${session.seed})`)}`);
  io.out(`\n${c.bold('call')}  ${definition.signature}`);
  // Large inputs (a whole vocabulary) are cut in the text view; --json gives them whole.
  const cut = (text: string) => (text.length > 4000 ? `${text.slice(0, 4000)}… (${text.length - 4000} more characters; --json shows everything)` : text);
  chosen.args.forEach((arg, i) =>
    io.out(`\n${c.bold(`argument ${i + 1}`)}${isReadOnceArg(arg) ? c.dim(' (an iterable that can be read only once)') : ''}\n${cut(toJson(isReadOnceArg(arg) ? arg.items : arg))}`),
  );
  io.out(`\n${c.bold('expected output')}\n${cut(toJson(expected))}`);
  io.out(c.dim(`\nOther cases: --case 1..${cases.length}. A different --seed gives different random cases.`));
  return 0;
}
