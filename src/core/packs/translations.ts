/**
 * Translated lessons and the English lesson they were translated from. A
 * translated lesson (`lesson.zh-CN.md`) starts with a stamp naming the content
 * hash of the `lesson.md` it was translated from; when `lesson.md` changes, the
 * hashes differ and `pack validate` reports the translation as stale.
 */
import { createHash } from 'node:crypto';

/** The content hash of an English lesson: SHA-256 of its text with CRLF read as LF, the first 16 hex digits. */
export function lessonSourceHash(english: string): string {
  return createHash('sha256').update(english.replace(/\r\n/g, '\n'), 'utf8').digest('hex').slice(0, 16);
}

/** The first line of a translated lesson: `<!-- translated from lesson.md sha256:… -->` (an HTML comment, which the tutor does not show). */
export function translationStamp(english: string): string {
  return `<!-- translated from lesson.md sha256:${lessonSourceHash(english)} -->`;
}

const stampPattern = /^<!-- translated from lesson\.md sha256:([0-9a-f]{16}) -->\r?\n/;

/** The hash a translated lesson's stamp names, or undefined when its first line is no stamp. */
export function stampedHash(translated: string): string | undefined {
  return stampPattern.exec(translated.replace(/^\uFEFF/, ''))?.[1];
}

/** The translated lesson with its stamp set to `english`'s hash: replaced when it has one, added as the first line when not. */
export function stamped(translated: string, english: string): string {
  const body = translated.replace(/^\uFEFF/, '').replace(stampPattern, '');
  return `${translationStamp(english)}\n${body}`;
}

/** Whether a translation is missing, stale (its stamp names another `lesson.md`), unstamped, or current. */
export type TranslationState = 'missing' | 'unstamped' | 'stale' | 'current';

/** The state of a translated lesson (undefined: no file) against the English one. */
export function translationState(english: string, translated: string | undefined): TranslationState {
  if (translated === undefined) return 'missing';
  const hash = stampedHash(translated);
  if (hash === undefined) return 'unstamped';
  return hash === lessonSourceHash(english) ? 'current' : 'stale';
}
