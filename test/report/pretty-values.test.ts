import { Chalk } from 'chalk';
import { expect, test } from 'vitest';
import { previewValue } from '../../src/core/grading/value-preview.js';
import type { Verdict } from '../../src/core/grading/verdict.js';
import { renderVerdict } from '../../src/report/pretty.js';

const plain = new Chalk({ level: 0 });

function verdictWith(args: Record<string, unknown>, trace?: Record<string, unknown>): Verdict {
  const named = (values: Record<string, unknown>) => Object.entries(values).map(([name, value]) => ({ name, value: previewValue(value) }));
  return {
    exerciseKey: 'p/e',
    exerciseId: 'e',
    packId: 'p',
    learnerFile: '/ws/e.ts',
    learnerFiles: ['/ws/e.ts'],
    status: 'fail',
    summary: '0 of 1 case pass',
    cases: [{ index: 0, name: 'one', status: 'fail', message: 'Expected 1, got 2.', input: 'one line', args: named(args), ...(trace ? { trace: named(trace) } : {}) }],
    firstFailure: 0,
    notes: [],
    output: { stdout: '', stderr: '', droppedBytes: 0 },
    seed: 1,
    tolerance: 'exact',
    backend: 'cpu',
    durationMs: 1,
    timings: { referenceMs: 0, bundleMs: 0, sandboxMs: 0 },
  };
}

test('the first failing case shows its arguments by name instead of the one-line input, and the trace after the message', () => {
  const text = renderVerdict(verdictWith({ mask: [[true, false]] }, { scores: [[0.5, -1]] }), plain, { width: 60 });
  expect(text).toContain(['Case "one"', '  mask  boolean[1][2]', '      0 1', '    0 ■ □', '', '  Expected 1, got 2.', '', '  Inside the reference, on these arguments:', '  scores  number[1][2]'].join('\n'));
  expect(text).not.toContain('one line');
});

test('lines fit the width given; a wrapped string whose piece would start a CI workflow command is escaped', () => {
  const text = renderVerdict(verdictWith({ text: `${'a'.repeat(35)}::error::owned` }), plain, { width: 40 });
  const lines = text.split('\n');
  const from = lines.indexOf('  text  string (49 characters)');
  expect(lines.slice(from, from + 3)).toEqual(['  text  string (49 characters)', `    "${'a'.repeat(35)}`, '    \\x3a:error::owned"']);
  for (const line of lines.slice(from)) expect(Array.from(line).length).toBeLessThanOrEqual(40);
});
