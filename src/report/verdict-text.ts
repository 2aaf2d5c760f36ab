import type { ExerciseResult } from '../core/class/results.js';
import { plural } from '../core/common/words.js';
import { t } from '../i18n/i18n.js';

/** A verdict's status as its badge says it: PASS, FAIL or ERROR (in the current locale). */
export function statusLabel(status: 'pass' | 'fail' | 'error'): string {
  return status === 'pass' ? t`PASS` : status === 'fail' ? t`FAIL` : t`ERROR`;
}

/** The diagnosis's heading: "Likely mistake: …" (a full match) or "Possible mistake: …". */
export function diagnosisLead(confidence: 'full' | 'partial', title: string): string {
  return confidence === 'full' ? t`Likely mistake: ${title}` : t`Possible mistake: ${title}`;
}

/** How many of the failing cases a diagnosis explains: "matches 2 of 3 failing cases". */
export function matchesText(matched: number, failing: number): string {
  return t`matches ${matched} of ${plural(failing, 'failing case')}`;
}

/** A verdict's note as shown: "Note: …". */
export function noteText(note: string): string {
  return t`Note: ${note}`;
}

/** The first case that did not pass, in a line: its name, its input when known, and what went wrong. */
function failingCaseText(failing: NonNullable<ExerciseResult['failingCase']>): string {
  const what = failing.message ?? failing.status;
  return failing.input ? t`Case "${failing.name}" with input ${failing.input}: ${what}` : t`Case "${failing.name}": ${what}`;
}

/**
 * An exercise's verdict as plain text, one fact a line: the message, the
 * first case that did not pass, the likely mistake. Not escaped: each
 * reporter escapes it for where it goes.
 */
export function verdictDetails(exercise: ExerciseResult): string {
  const failing = exercise.failingCase;
  return [exercise.message, failing ? failingCaseText(failing) : '', exercise.diagnosis ? t`Likely mistake: ${exercise.diagnosis.title}. ${exercise.diagnosis.message}` : '']
    .filter(Boolean)
    .join('\n');
}
