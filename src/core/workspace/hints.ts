import { hintText, type Misconception, type TieredHint } from '../authoring/exercise.js';
import { localise } from '../authoring/localised.js';
import { currentLocale } from '../../i18n/i18n.js';
import type { ExerciseProgress, HintId } from '../common/schemas.js';
import type { Diagnosis, Verdict } from '../grading/verdict.js';
import { t } from '../../i18n/i18n.js';

/** What hints need to know of the latest grading of an exercise. */
export interface LatestGrading {
  passed: boolean;
  diagnosis?: Pick<Diagnosis, 'misconceptionId' | 'confidence'>;
}

/** The hints of a definition, as {@link nextHint} and {@link revealedHints} read them. */
export interface HintSource {
  hints: readonly TieredHint[];
  misconceptions?: readonly Pick<Misconception, 'id' | 'title' | 'hint'>[];
}

/** A revealed hint, ready to print: "Hint 2/3" or "Hint for “<mistake>”", and its text. */
export interface RevealedHint {
  label: string;
  text: string;
}

/** The latest grading as a verdict tells it. */
export function gradingOfVerdict(verdict: Verdict): LatestGrading {
  return { passed: verdict.status === 'pass', diagnosis: verdict.diagnosis };
}

/** The latest grading as the progress file recorded it; undefined before the first. */
export function gradingOfProgress(progress: ExerciseProgress): LatestGrading | undefined {
  return progress.status === 'pending' ? undefined : { passed: progress.status === 'passed', diagnosis: progress.diagnosis };
}

/**
 * Whether the latest grading shows that a mistake is not what is wrong: the
 * exercise passes, or another misconception explains every failing case.
 */
function ruledOut(misconceptionId: string, latest: LatestGrading | undefined): boolean {
  if (!latest) return false;
  return latest.passed || (latest.diagnosis?.confidence === 'full' && latest.diagnosis.misconceptionId !== misconceptionId);
}

/**
 * The hint to reveal next. When the latest grading diagnoses a misconception
 * that has a hint not yet revealed, that hint; otherwise the first tiered hint
 * not yet revealed, skipping one about a mistake the latest grading rules out.
 * Undefined when nothing is left.
 */
export function nextHint(source: HintSource, latest: LatestGrading | undefined, revealed: readonly HintId[]): HintId | undefined {
  const diagnosed = latest?.diagnosis && source.misconceptions?.find((m) => m.id === latest.diagnosis!.misconceptionId);
  if (diagnosed?.hint !== undefined && !revealed.includes(`mistake:${diagnosed.id}`)) return `mistake:${diagnosed.id}`;
  for (const [i, hint] of source.hints.entries()) {
    const id: HintId = `tier:${i + 1}`;
    if (revealed.includes(id)) continue;
    if (typeof hint === 'object' && 'misconception' in hint && ruledOut(hint.misconception, latest)) continue;
    return id;
  }
  return undefined;
}

/** One revealed hint in `locale`; undefined when the definition no longer has it (the pack changed). */
export function revealedHint(source: HintSource, id: HintId, locale: string = currentLocale()): RevealedHint | undefined {
  const [kind, name] = id.split(':');
  if (kind === 'tier') {
    const hint = source.hints[Number(name) - 1];
    return hint === undefined ? undefined : { label: t`Hint ${name}/${source.hints.length}`, text: localise(hintText(hint), locale) };
  }
  const misconception = source.misconceptions?.find((m) => m.id === name);
  if (misconception?.hint === undefined) return undefined;
  return { label: t`Hint for “${localise(misconception.title, locale)}”`, text: localise(misconception.hint, locale) };
}

/** The revealed hints in the order they were revealed, in `locale`, ready to print. */
export function revealedHints(source: HintSource, revealed: readonly HintId[], locale?: string): RevealedHint[] {
  return revealed.flatMap((id) => revealedHint(source, id, locale) ?? []);
}

/** Every hint of a definition, as an author previews them: the tiered hints in order, then each misconception's hint. */
export function allHintIds(source: HintSource): HintId[] {
  const tiers = source.hints.map((_, i): HintId => `tier:${i + 1}`);
  const mistakes = (source.misconceptions ?? []).flatMap((m): HintId[] => (m.hint === undefined ? [] : [`mistake:${m.id}`]));
  return [...tiers, ...mistakes];
}
