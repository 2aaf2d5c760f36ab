import { describe, expect, test } from 'vitest';
import { renderGradescope } from '../../src/report/gradescope.js';
import { classResult, thrown } from '../helpers/class-results.js';
import { gradescopeResultsSchema } from '../helpers/gradescope.js';

describe('renderGradescope', () => {
  test("a submission's exercises become tests with their points; what the learner's code printed is made visible, not passed on raw", () => {
    const result = classResult(['alice'], ['transformer-core/foundations/matmul', 'transformer-core/foundations/softmax'], (_s, key) =>
      key.endsWith('softmax') ? { ...thrown('\x1b]0;pwned\x07'), maxScore: 2, output: { stdout: 'hi\x1b[2J', stderr: '', truncated: true } } : { maxScore: 1, score: 1 },
    );
    result.submissions[0].score = 1;
    result.submissions[0].problem = 'llm-tutor.json: unknown field "\u202ekey"';
    const file = gradescopeResultsSchema.parse(JSON.parse(renderGradescope(result)));
    expect(file.score).toBe(1);
    expect(file.output).toBe('llm-tutor.json: unknown field "\\u202ekey"');
    expect(file.tests.map((t) => [t.name, t.score, t.max_score, t.status])).toEqual([
      ['transformer-core/foundations/matmul: The exercise foundations/matmul', 1, 1, 'passed'],
      ['transformer-core/foundations/softmax: The exercise foundations/softmax', 0, 2, 'failed'],
    ]);
    expect(file.tests[1].output).toBe(
      'Your function threw Error: \\x1b]0;pwned\\x07.\nCase "the lesson example [1, 2, 3]" with input [1, 2, 3]: Error: \\x1b]0;pwned\\x07\n\nOutput:\nhi\\x1b[2J\n(output cut short)',
    );
  });
});
