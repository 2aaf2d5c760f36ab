import type { ClassResult, ExerciseResult, SubmissionResult } from '../../src/core/class/results.js';
import { summarise } from '../../src/core/class/results.js';
import { totalScore } from '../../src/core/class/scores.js';

/** A passing result of `key`, as grade writes one; `overrides` make it fail or error. */
export function exerciseResult(key: string, overrides: Partial<ExerciseResult> = {}): ExerciseResult {
  const [pack, ...rest] = key.split('/');
  return {
    key,
    pack,
    id: rest.join('/'),
    title: `The exercise ${rest.join('/')}`,
    status: 'pass',
    message: 'All 9 cases pass.',
    file: `exercises/${key}.ts`,
    casesPassed: 9,
    casesTotal: 9,
    score: 1,
    maxScore: 1,
    output: { stdout: '', stderr: '', truncated: false },
    tolerance: { atol: 1e-5, rtol: 1e-4 },
    durationMs: 40,
    ...(overrides.status && overrides.status !== 'pass' && overrides.score === undefined ? { score: 0 } : {}),
    ...overrides,
  };
}

/** A softmax result that fails as one that forgets to subtract the max does: a vector window, a diagnosis, some output. */
export function failingSoftmax(key: string): Partial<ExerciseResult> {
  return {
    status: 'fail',
    message: '6 of 9 cases pass; first failing: "large logits (±1000)". Mismatched elements: 3 / 4 (75.0%).',
    casesPassed: 6,
    failingCase: { name: 'large logits (±1000)', status: 'fail', input: '[1000, 1001.5, -1000, 999]', message: 'Mismatched elements: 3 / 4 (75.0%).' },
    diff: {
      kind: 'values',
      path: '',
      message: 'Mismatched elements: 3 / 4 (75.0%). Largest difference at [1]: expected 0.6285, got NaN.',
      diff: {
        shape: [4],
        mismatched: 3,
        total: 4,
        nonFinite: [],
        nonFiniteCount: 3,
        worst: [1],
        window: { rowStart: 0, colStart: 0, expected: [[0.2312, 0.6285, 0, 0.1403]], got: [['NaN', 'NaN', 0, 'NaN']], mismatch: [[true, true, false, true]] },
        tolerance: { atol: 1e-5, rtol: 1e-4 },
      },
    },
    diagnosis: { misconceptionId: 'no-max-subtraction', title: 'exponentiating without subtracting the max', message: 'exp(1000) overflows to Infinity.', confidence: 'full', matched: 3, failing: 3 },
    output: { stdout: `logits of ${key}\n`, stderr: '', truncated: false },
  };
}

/** A result that errored: the learner's function threw at line 6. */
export function thrown(message: string): Partial<ExerciseResult> {
  return { status: 'error', message: `Your function threw Error: ${message}.`, line: 6, casesPassed: 0, failingCase: { name: 'the lesson example [1, 2, 3]', status: 'error', input: '[1, 2, 3]', message: `Error: ${message}` } };
}

/** A class graded on `keys`: each student's results from `resultOf(student, key)`, summarised as grade does. */
export function classResult(students: string[], keys: string[], resultOf: (student: string, key: string) => Partial<ExerciseResult> = () => ({})): ClassResult {
  const submissions: SubmissionResult[] = students.map((id) => {
    const exercises = keys.map((key) => exerciseResult(key, resultOf(id, key)));
    const statuses = exercises.map((e) => e.status);
    return {
      id,
      path: `class/${id}`,
      status: statuses.includes('error') ? 'error' : statuses.includes('fail') ? 'fail' : 'pass',
      passed: statuses.filter((s) => s === 'pass').length,
      total: exercises.length,
      ...totalScore(exercises),
      exercises,
      durationMs: 500,
    };
  });
  return summarise({
    schemaVersion: 1,
    tool: { name: 'llm-tutor', version: '0.1.0' },
    seed: 77,
    backend: 'cpu',
    packs: [{ id: keys[0].split('/')[0], version: '0.1.0' }],
    exercises: keys.map((key) => ({ key, title: `The exercise ${key}`, points: 1, partialCredit: false })),
    submissions,
    startedAt: '2026-12-02T04:00:00.000Z',
    durationMs: 9000,
  });
}
