/**
 * `pack validate`'s check of a translated pack: in every locale the pack is
 * written in beyond English, each exercise needs its translated lesson,
 * current with lesson.md (its stamp names lesson.md's content hash), and each
 * hint and misconception text needs that locale. Built-in packs must be
 * complete (errors); an instructor's pack is warned, since learners fall back
 * to English.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { hintText, type ExerciseDefinition } from '../authoring/exercise.js';
import { localesOf, type Localised } from '../authoring/localised.js';
import { exerciseFiles, translatedLessonName, type ExerciseRef } from './packs.js';
import { lessonSourceHash, stampedHash, translationStamp } from './translations.js';
import { t } from '../../i18n/i18n.js';

/** One finding: where, what, and how to fix it (as a PackProblem). */
export interface TranslationFinding {
  file: string;
  field: string;
  message: string;
  fix: string;
}

/** The localised texts of a definition, by the field `pack validate` names. */
function definitionTexts(definition: ExerciseDefinition): { field: string; text: Localised }[] {
  return [
    ...(definition.misconceptions ?? []).flatMap((m, i) => [
      { field: `misconceptions[${i}].title`, text: m.title },
      { field: `misconceptions[${i}].message`, text: m.message },
      ...(m.hint === undefined ? [] : [{ field: `misconceptions[${i}].hint`, text: m.hint }]),
    ]),
    ...definition.hints.map((hint, i) => ({ field: `hints[${i}]`, text: hintText(hint) })),
  ];
}

/** At most three field names, then how many more. */
function someOf(fields: string[]): string {
  return fields.length <= 3 ? fields.join(', ') : t`${fields.slice(0, 3).join(', ')} and ${fields.length - 3} more`;
}

/**
 * The missing and stale translations of a pack's exercises into each of
 * `locales` (the pack's locales but English). `definitions` holds the
 * exercises whose definition loaded.
 */
export async function translationFindings(refs: readonly ExerciseRef[], definitions: ReadonlyMap<string, ExerciseDefinition>, locales: readonly string[]): Promise<TranslationFinding[]> {
  const found: TranslationFinding[] = [];
  for (const locale of locales) {
    const name = translatedLessonName(locale);
    const translatedCount = refs.filter((ref) => existsSync(path.join(ref.dir, name))).length;
    for (const ref of refs) {
      const englishFile = path.join(ref.dir, exerciseFiles.lesson);
      if (!existsSync(englishFile)) continue;
      const english = await fs.readFile(englishFile, 'utf8');
      const file = path.join(ref.dir, name);
      const stamp = translationStamp(english);
      if (!existsSync(file)) {
        found.push({
          file,
          field: '',
          message: t`no ${locale} lesson: the pack is written in ${locale} (${translatedCount} of ${refs.length} exercises have ${name}), so learners reading ${locale} get this one in English`,
          fix: t`Translate lesson.md into ${name}, with this stamp as its first line: ${stamp}`,
        });
      } else {
        const hash = stampedHash(await fs.readFile(file, 'utf8'));
        const now = lessonSourceHash(english);
        if (hash === undefined) {
          found.push({ file, field: '', message: t`the ${locale} lesson has no stamp naming the lesson.md it was translated from, so a later change to lesson.md cannot be noticed`, fix: t`Check that it says what lesson.md says, then make this its first line: ${stamp}` });
        } else if (hash !== now) {
          found.push({
            file,
            field: '',
            message: t`stale: translated from an earlier lesson.md (sha256:${hash}; lesson.md is now sha256:${now})`,
            fix: t`Bring the translation up to date with lesson.md (\`git diff\` on lesson.md shows what changed), then make this its first line: ${stamp}`,
          });
        }
      }
      const definition = definitions.get(ref.id);
      if (!definition) continue;
      const untranslated = definitionTexts(definition).filter(({ text }) => !localesOf(text).includes(locale));
      if (untranslated.length > 0) {
        found.push({
          file: path.join(ref.dir, exerciseFiles.definition),
          field: someOf(untranslated.map((u) => u.field)),
          message: untranslated.length === 1 ? t`1 text has no ${locale}: learners reading ${locale} see it in English` : t`${untranslated.length} texts have no ${locale}: learners reading ${locale} see them in English`,
          fix: t`Give each one its ${locale} text: { en: '…', '${locale}': '…' }.`,
        });
      }
    }
  }
  return found;
}

/** The pack's and its exercises' titles (pack.json) without a text in one of `locales`. */
export function titleFindings(manifestFile: string, titles: { pack: Localised; exercises: Localised[] }, locales: readonly string[]): TranslationFinding[] {
  const all = [{ field: 'title', text: titles.pack }, ...titles.exercises.map((text, i) => ({ field: `exercises[${i}].title`, text }))];
  return locales.flatMap((locale) => {
    const untranslated = all.filter(({ text }) => !localesOf(text).includes(locale));
    if (untranslated.length === 0) return [];
    return [
      {
        file: manifestFile,
        field: someOf(untranslated.map((u) => u.field)),
        message: untranslated.length === 1 ? t`1 title has no ${locale}: learners reading ${locale} see it in English` : t`${untranslated.length} titles have no ${locale}: learners reading ${locale} see them in English`,
        fix: t`Give each one its ${locale} text: { "en": "…", "${locale}": "…" }.`,
      },
    ];
  });
}
