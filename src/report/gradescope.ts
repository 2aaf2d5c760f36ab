import type { ClassResult, ExerciseResult, SubmissionResult } from '../core/class/results.js';
import { t } from '../i18n/i18n.js';
import { escapeTerminal } from './escape.js';
import { toJson } from './json.js';
import { verdictDetails } from './verdict-text.js';

/** One test of Gradescope's results.json (gradescope-autograders.readthedocs.io, "Output format"). */
export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
}

/** Gradescope's results.json: the submission's score, one test per exercise, and a note for a submission with a problem. */
export interface GradescopeResults {
  score: number;
  execution_time: number;
  output?: string;
  tests: GradescopeTest[];
}

/** The learner's console output under the verdict, when there was any. */
function consoleText(exercise: ExerciseResult): string {
  const { stdout, stderr, truncated } = exercise.output;
  const parts = [stdout ? `${t`Output:`}\n${stdout}` : '', stderr ? `${t`Errors:`}\n${stderr}` : '', truncated ? t`(output cut short)` : ''];
  return parts.filter(Boolean).join('\n');
}

function gradescopeTest(exercise: ExerciseResult): GradescopeTest {
  const text = [verdictDetails(exercise), consoleText(exercise)].filter(Boolean).join('\n\n');
  return {
    name: `${exercise.key}: ${exercise.title}`,
    score: exercise.score,
    max_score: exercise.maxScore,
    status: exercise.status === 'pass' ? 'passed' : 'failed',
    // Gradescope shows the text as it is; control characters from the learner's code are made visible.
    output: escapeTerminal(text),
  };
}

/** One submission's results in Gradescope's format. */
export function gradescopeResults(submission: SubmissionResult): GradescopeResults {
  return {
    score: submission.score,
    execution_time: Math.round(submission.durationMs / 1000),
    ...(submission.problem ? { output: escapeTerminal(submission.problem) } : {}),
    tests: submission.exercises.map(gradescopeTest),
  };
}

/**
 * Gradescope's results.json for a run of one submission (Gradescope grades
 * each submission on its own, in /autograder/submission). `grade` refuses the
 * reporter before grading a class of several (see gradescopeFits).
 */
export function renderGradescope(result: ClassResult): string {
  const [submission] = result.submissions;
  return `${toJson(gradescopeResults(submission), 2)}\n`;
}
