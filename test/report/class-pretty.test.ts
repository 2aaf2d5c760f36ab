import { describe, expect, test } from 'vitest';
import type { ExerciseResult, SubmissionResult } from '../../src/core/class/results.js';
import { makeChalk } from '../../src/report/chalk.js';
import { renderSubmissionLine } from '../../src/report/class-pretty.js';

const exercise = (id: string, over: Partial<ExerciseResult>): ExerciseResult => ({
  key: `transformer-core/${id}`,
  pack: 'transformer-core',
  id,
  title: id,
  status: 'pass',
  message: 'All 9 cases pass.',
  file: `exercises/transformer-core/${id}.ts`,
  casesPassed: 9,
  casesTotal: 9,
  output: { stdout: '', stderr: '', truncated: false },
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  durationMs: 3,
  ...over,
  // One point each, all or nothing: the line then says nothing of points.
  score: (over.status ?? 'pass') === 'pass' ? 1 : 0,
  maxScore: 1,
});

const submission = (exercises: ExerciseResult[]): SubmissionResult => ({
  id: 'ada',
  path: 'class/ada',
  status: exercises.some((e) => e.status === 'error') ? 'error' : exercises.some((e) => e.status === 'fail') ? 'fail' : 'pass',
  passed: exercises.filter((e) => e.status === 'pass').length,
  total: exercises.length,
  score: exercises.filter((e) => e.status === 'pass').length,
  maxScore: exercises.length,
  exercises,
  durationMs: 10,
});

const line = (exercises: ExerciseResult[]) => renderSubmissionLine(submission(exercises), makeChalk(false));

describe('a submission line of grade\'s pretty output', () => {
  test('an error gives its one-line message as the reason, a failure its diagnosis', () => {
    const timedOut = exercise('foundations/softmax', { status: 'error', message: 'Timed out after 1.5 s on case "the lesson example [1, 2, 3]" (an infinite loop, or far too much work).' });
    const missing = exercise('foundations/matmul', { status: 'error', message: 'The file exercises/transformer-core/foundations/matmul.ts is missing.' });
    const diagnosed = exercise('attention/causal-mask', { status: 'fail', diagnosis: { misconceptionId: 'diagonal-excluded', title: 'the diagonal masked out', message: '…', confidence: 'full', matched: 2, failing: 2 } });
    expect(line([timedOut, missing, diagnosed])).toBe(
      '! ada 0/3 — foundations/softmax (error: Timed out after 1.5 s on case "the lesson example [1, 2, 3]" (an infinite loop, or far too much work)), foundations/matmul (error: The file exercises/transformer-core/foundations/matmul.ts is missing), attention/causal-mask (the diagonal masked out)',
    );
  });

  test('a learner\'s thrown message stays on the line, escaped, and is cut at 200 columns', () => {
    const thrown = exercise('foundations/softmax', { status: 'error', message: `Your function threw Error: \n::error file=y::\x1b[2K${'x'.repeat(200)}.` });
    const text = line([thrown]);
    // Cut before escaping (an escape is never cut in two), where the newline and ESC take no column: 46 columns of text, 153 x, then the ellipsis.
    expect(text).toBe(`! ada 0/1 — foundations/softmax (error: Your function threw Error: \\n::error file=y::\\x1b[2K${'x'.repeat(153)}…)`);
    expect(text.split('\n')).toHaveLength(1);
  });

  test('an error without a message says only "error"; a failure without a diagnosis only its id', () => {
    expect(line([exercise('a', { status: 'error', message: '' }), exercise('b', { status: 'fail' }), exercise('c', {})])).toBe('! ada 1/3 — a (error), b');
  });
});
