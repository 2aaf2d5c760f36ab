import { describe, expect, test } from 'vitest';
import { summarise } from '../../src/core/grading/explain.js';
import type { CaseResult, VerdictError } from '../../src/core/grading/verdict.js';

const learnerFile = '/ws/exercises/transformer-core/attention/llama-decode-step.ts';
const notImplemented = (index: number, file: string): CaseResult => ({ index, name: `case ${index}`, status: 'error', message: `Your function threw Error: not implemented (${file}:21).` });
const thrownAt = (file: string): VerdictError => ({ kind: 'throw', message: 'Your function threw Error: not implemented.', location: { file, line: 21, column: 9 } });

describe('summarise: every case stopped at `not implemented`', () => {
  test('in the learner\'s own file: replace the throw there', () => {
    expect(summarise([notImplemented(0, 'llama-decode-step.ts'), notImplemented(1, 'llama-decode-step.ts')], thrownAt(learnerFile), learnerFile)).toBe(
      "Not implemented yet: replace `throw new Error('not implemented')` in llama-decode-step.ts with your code.",
    );
  });

  test('in a file it imports: that file is named, with the learner\'s own as the other way', () => {
    const imported = '/ws/exercises/transformer-core/positions/rope-half-split.ts';
    expect(summarise([notImplemented(0, 'rope-half-split.ts')], thrownAt(imported), learnerFile)).toBe(
      "Not implemented yet in rope-half-split.ts, which your file imports: replace its `throw new Error('not implemented')` with your code (its own exercise checks it), or write that part in llama-decode-step.ts.",
    );
  });

  test('with no location to tell: the learner\'s own file, as before', () => {
    expect(summarise([notImplemented(0, 'x.ts')], undefined, learnerFile)).toMatch(/^Not implemented yet: replace .* in llama-decode-step\.ts with your code\.$/);
  });
});
