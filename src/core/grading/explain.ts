/**
 * The learner-facing words of a verdict: what ended a run, what a thrown
 * value was, where in the learner's file it happened, a case's input on one
 * line, and the verdict's summary.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLimits, readRegularFile } from '../common/safe-read.js';
import { plural, sentences } from '../common/words.js';
import { t } from '../../i18n/i18n.js';
import { describeTensorArg, isReadOnceArg, isRowsArg, isTensorArg, type WireError } from '../../sandbox/wire.js';
import type { SandboxRun } from '../../sandbox/run-child.js';
import type { CaseResult, ImportedExercise, SourceLocation, VerdictError } from './verdict.js';

/** What ended the sandbox process before its run was done, in a sentence; `during` says when ("during case …"). */
export function describeCrash(c: NonNullable<SandboxRun['crashed']>, during: string, memoryMb: number): string {
  if (c.reason) return t`The sandbox stopped your code ${during}: it ${c.reason}.`;
  if (c.outOfMemory) return t`Ran out of memory ${during} (the limit is ${memoryMb} MiB).`;
  if (c.signal === 'SIGXFSZ') return t`The sandbox stopped your code ${during}: it tried to write a file, which exercises may not do.`;
  if (c.signal === 'SIGXCPU') return t`The sandbox stopped your code ${during}: it used up the CPU time the sandbox allows.`;
  if (c.signal) return t`The process running your code ended ${during} (signal ${c.signal}): did your code call process.exit() or kill itself?`;
  return t`The process running your code ended ${during} (exit code ${c.code}): did your code call process.exit() or kill itself?`;
}

/** When a crash happened, as {@link describeCrash} puts it: while the learner's file loaded, or during a case. */
export const crashedWhile = {
  loading: () => t('while loading your file'),
  during: (caseName: string) => t`during case "${caseName}"`,
};

/**
 * The message of an error the sandbox harness itself threw in the learner's
 * code, in the current language (the child that throws it speaks English
 * only); any other message as it is.
 */
function harnessMessage(message: string): string {
  const blocked = /^(.*) is not available in the sandbox: exercises run without the network, other processes or files$/s.exec(message);
  if (blocked) return t`${blocked[1]} is not available in the sandbox: exercises run without the network, other processes or files`;
  const noExport = /^Your file does not export a function named (.*)\.$/s.exec(message);
  if (noExport) return t`Your file does not export a function named ${noExport[1]}.`;
  return message;
}

/** "threw TypeError: …", or how a thrown value that is not an Error looked. */
export function describeThrown(error: WireError): string {
  if (error.thrownType) {
    return error.thrownType === 'string' ? t`threw a string, not an Error: "${error.message}"` : t`threw a ${error.thrownType}, not an Error: ${error.message}`;
  }
  return t`threw ${error.name}: ${harnessMessage(error.message)}`;
}

/** What the learner's function did wrong when it threw on a call. */
export function describeCallError(error: WireError, location: SourceLocation | undefined, inputsReadOnly: boolean | undefined): string {
  const wroteInput = inputsReadOnly && error.name === 'TypeError' && /read[- ]only|not extensible|Cannot (add|assign|delete|define)/i.test(error.message);
  if (location) {
    const file = path.basename(location.file);
    return wroteInput
      ? t`Your function tried to change its input in place (${file}:${location.line}) (${error.message}). This exercise's inputs must stay unchanged: copy them before modifying.`
      : t`Your function ${describeThrown(error)} (${file}:${location.line}).`;
  }
  return wroteInput
    ? t`Your function tried to change its input in place (${error.message}). This exercise's inputs must stay unchanged: copy them before modifying.`
    : t`Your function ${describeThrown(error)}.`;
}

/**
 * A typed array or row-view argument in a few words, in the current language:
 * `Float32Array(1000000)`, `1000 rows × 1000 of Float32Array(1000000)` (the
 * sandbox's own `describeTensorArg`, which the child shares, stays English).
 */
export function tensorArgText(value: unknown): string {
  if (!isRowsArg(value)) return describeTensorArg(value);
  return value.plain
    ? t`number[${value.rows}][${value.cols}], sent as float32 (${(value.data.length * 4).toLocaleString('en-US')} bytes)`
    : t`${plural(value.rows, 'row')} × ${value.cols} of Float32Array(${value.data.length})`;
}

function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** The first stack frame in one of the learner's files. */
export function locateInStack(stack: string | undefined, learnerFiles: readonly string[]): SourceLocation | undefined {
  if (!stack) return undefined;
  const frame = /(?:\(|at )((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?/g;
  for (const match of stack.matchAll(frame)) {
    const file = toPath(match[1]);
    if (learnerFiles.includes(file)) return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

/** The location with the text of its line, read from the learner's file (a regular file only, never a FIFO that would hang the grader). */
export async function withLineText(location: SourceLocation | undefined): Promise<SourceLocation | undefined> {
  if (!location || location.lineText !== undefined) return location;
  try {
    const text = await readRegularFile(location.file, { maxBytes: readLimits.learnerFile, fix: 'replace it with a regular file' });
    return text === undefined ? location : { ...location, lineText: text.split('\n')[location.line - 1] };
  } catch {
    return location;
  }
}

/** The arguments of a case as one short line: `[1, 2, 3], 4` (a list of more than 16 items as its first 6 and its length, an object as its first 6 entries); stops building once past `limit` characters. */
export function previewArgs(args: unknown[], limit = 160): string {
  // A case's arguments are frozen and graded for every submission of a class: previewed once.
  const cached = limit === 160 ? previews.get(args) : undefined;
  if (cached !== undefined) return cached;
  const preview = buildPreview(args, limit);
  if (limit === 160 && Object.isFrozen(args)) previews.set(args, preview);
  return preview;
}

const previews = new WeakMap<unknown[], string>();

function buildPreview(args: unknown[], limit: number): string {
  let out = '';
  const put = (text: string) => {
    out += text;
    return out.length <= limit;
  };
  const show = (v: unknown): boolean => {
    if (typeof v === 'number') return put(Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));
    if (Array.isArray(v)) {
      // A long list shows its first items and its length, so the arguments after it still show.
      const shown = v.length > 16 ? 6 : v.length;
      if (!put('[')) return false;
      for (let i = 0; i < shown; i++) if ((i > 0 && !put(', ')) || !show(v[i])) return false;
      return put(shown < v.length ? t`, … ${v.length} in all]` : ']');
    }
    if (isTensorArg(v)) return put(tensorArgText(v));
    if (isReadOnceArg(v)) return put(t('(read once) ')) && show(v.items);
    if (v && typeof v === 'object') {
      // Keys are read one at a time (a 50k-entry vocabulary is not listed to show six of its entries).
      if (!put('{ ')) return false;
      let shown = 0;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if (shown === 6) return put(', … }');
        if ((shown > 0 && !put(', ')) || !put(`${k}: `) || !show((v as Record<string, unknown>)[k])) return false;
        shown++;
      }
      return put(' }');
    }
    return put(JSON.stringify(v) ?? String(v));
  };
  args.every((a, i) => (i === 0 || put(', ')) && show(a));
  return out.length > limit ? `${out.slice(0, limit - 1)}…` : out;
}

/** A note for each imported learner file whose exercise does not pass, or has changed since it passed. */
export function importNotes(learnerFile: string, learnerFiles: readonly string[], describeImport: (file: string) => ImportedExercise | undefined): string[] {
  const notes: string[] = [];
  for (const file of learnerFiles) {
    if (file === learnerFile) continue;
    const imported = describeImport(file);
    if (!imported || imported.standing === 'passes') continue;
    const name = path.basename(file);
    notes.push(
      imported.standing === 'changed'
        ? t`This file imports ${name} (${imported.key}), which has changed since it passed: if its code is wrong, this exercise fails too. Check it with \`llm-tutor check ${imported.key}\`.`
        : t`This file imports ${name} (${imported.key}), which does not pass yet: if its code is wrong, this exercise fails too. Check it with \`llm-tutor check ${imported.key}\`.`,
    );
  }
  return notes;
}

/** Whether every case ended in the starter's `throw new Error('not implemented')` (and there is at least one). */
export function onlyNotImplemented(results: readonly CaseResult[]): boolean {
  // The starter's throw as describeCallError words it in the current language: "… threw Error: not implemented".
  const thrown = describeThrown({ name: 'Error', message: 'not implemented' });
  const said = (message: string) => {
    const at = message.indexOf(thrown);
    return at > 0 && !/\w/.test(message.charAt(at + thrown.length));
  };
  return results.length > 0 && results.every((r) => r.status === 'error' && said(r.message ?? ''));
}

/**
 * What to say when every case ended in `not implemented`: the throw may be in
 * a file the learner's file imports (an earlier exercise's starter), and then
 * that file is the one to fill in.
 */
function notImplemented(firstError: VerdictError | undefined, learnerFile: string): string {
  const thrownIn = firstError?.location?.file;
  if (thrownIn && path.resolve(thrownIn) !== path.resolve(learnerFile)) {
    return t`Not implemented yet in ${path.basename(thrownIn)}, which your file imports: replace its \`throw new Error('not implemented')\` with your code (its own exercise checks it), or write that part in ${path.basename(learnerFile)}.`;
  }
  return t`Not implemented yet: replace \`throw new Error('not implemented')\` in ${path.basename(learnerFile)} with your code.`;
}

/** The verdict's one line, from its case results. */
export function summarise(results: readonly CaseResult[], firstError: VerdictError | undefined, learnerFile: string): string {
  const passed = results.filter((r) => r.status === 'pass').length;
  const first = results.find((r) => r.status !== 'pass');
  if (onlyNotImplemented(results)) return notImplemented(firstError, learnerFile);
  if (!first) return results.length === 1 ? t('All 1 case passes.') : t`All ${results.length} cases pass.`;
  if (firstError && first.status !== 'fail') return firstError.message;
  const counted = results.length === 1 ? t`${passed} of 1 case pass; first failing: "${first.name}".` : t`${passed} of ${results.length} cases pass; first failing: "${first.name}".`;
  return first.message ? sentences([counted, first.message]) : counted;
}
