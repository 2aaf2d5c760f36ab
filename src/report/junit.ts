import type { ClassResult } from '../core/results.js';

/**
 * JUnit XML: one testsuite per submission, one testcase per exercise; a
 * failing exercise is a <failure>, one that errored (threw, timed out,
 * crashed, wrong type) an <error>. Readable by GitHub, GitLab and Jenkins.
 */
export async function renderJunit(result: ClassResult): Promise<string> {
  const imported = (await import('junit-report-builder')) as unknown as { default: import('junit-report-builder').Builder };
  const builder = imported.default.newBuilder().name(`llm-tutor (seed ${result.seed})`);
  for (const submission of result.submissions) {
    const suite = builder.testSuite().name(submission.id).time(submission.durationMs / 1000);
    if (submission.problem) suite.property('problem', submission.problem);
    for (const exercise of submission.exercises) {
      const testCase = suite.testCase().className(submission.id).name(exercise.key).time(exercise.durationMs / 1000).file(submission.path === '.' ? exercise.file : `${submission.path}/${exercise.file}`);
      const details = [
        exercise.message,
        exercise.failingCase ? `Case "${exercise.failingCase.name}"${exercise.failingCase.input ? ` with input ${exercise.failingCase.input}` : ''}: ${exercise.failingCase.message ?? exercise.failingCase.status}` : '',
        exercise.diagnosis ? `Likely mistake: ${exercise.diagnosis.title}. ${exercise.diagnosis.message}` : '',
      ]
        .filter(Boolean)
        .join('\n');
      if (exercise.status === 'fail') testCase.failure(exercise.message, 'fail').stacktrace(details);
      else if (exercise.status === 'error') testCase.error(exercise.message, 'error', details);
      if (exercise.output.stdout) testCase.standardOutput(exercise.output.stdout);
      if (exercise.output.stderr) testCase.standardError(exercise.output.stderr);
    }
  }
  return builder.build();
}
