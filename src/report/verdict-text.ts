import type { ExerciseResult } from '../core/class/results.js';

/**
 * An exercise's verdict as plain text, one fact a line: the message, the
 * first case that did not pass, the likely mistake. Not escaped: each
 * reporter escapes it for where it goes.
 */
export function verdictDetails(exercise: ExerciseResult): string {
  const failing = exercise.failingCase;
  return [
    exercise.message,
    failing ? `Case "${failing.name}"${failing.input ? ` with input ${failing.input}` : ''}: ${failing.message ?? failing.status}` : '',
    exercise.diagnosis ? `Likely mistake: ${exercise.diagnosis.title}. ${exercise.diagnosis.message}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
