import type { ClassResult } from '../core/class/results.js';
import { fileFromGradeFolder } from './class-stats.js';
import { escapeXml, escapeXmlLine } from './escape.js';
import { verdictDetails } from './verdict-text.js';

/**
 * JUnit XML: one testsuite per submission, one testcase per exercise; a
 * failing exercise is a <failure>, one that errored (threw, timed out,
 * crashed, wrong type) an <error>. Readable by GitHub, GitLab and Jenkins.
 * Text from submissions has its control characters made visible and what
 * XML 1.0 forbids replaced, so the file always parses. Points are
 * properties: `score` and `maxScore` on each testsuite (the submission's
 * totals) and each testcase (the exercise's).
 */
export async function renderJunit(result: ClassResult): Promise<string> {
  const imported = (await import('junit-report-builder')) as unknown as { default: import('junit-report-builder').Builder };
  const builder = imported.default.newBuilder().name(`llm-tutor (seed ${result.seed})`);
  for (const submission of result.submissions) {
    const suite = builder.testSuite().name(escapeXmlLine(submission.id)).time(submission.durationMs / 1000);
    suite.property('score', String(submission.score)).property('maxScore', String(submission.maxScore));
    if (submission.problem) suite.property('problem', escapeXmlLine(submission.problem));
    for (const exercise of submission.exercises) {
      const testCase = suite.testCase().className(escapeXmlLine(submission.id)).name(escapeXmlLine(exercise.key)).time(exercise.durationMs / 1000).file(escapeXmlLine(fileFromGradeFolder(submission, exercise)));
      testCase.property('score', String(exercise.score)).property('maxScore', String(exercise.maxScore));
      const details = verdictDetails(exercise);
      if (exercise.status === 'fail') testCase.failure(escapeXmlLine(exercise.message), 'fail').stacktrace(escapeXml(details));
      else if (exercise.status === 'error') testCase.error(escapeXmlLine(exercise.message), 'error', escapeXml(details));
      if (exercise.output.stdout) testCase.standardOutput(escapeXml(exercise.output.stdout));
      if (exercise.output.stderr) testCase.standardError(escapeXml(exercise.output.stderr));
    }
  }
  return builder.build();
}
