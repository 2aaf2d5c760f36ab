/**
 * Locale tags and their fallbacks, without zod: what the tutor needs at start
 * (choosing its language) loads nothing heavier. `localised.ts` builds the
 * schema of translatable texts on these.
 */

/** The locale the tutor shows when none is chosen, and the one every text has. */
export const defaultLocale = 'en';

/**
 * A BCP 47 tag in its usual spelling: a language (`zh`), an optional script
 * (`Hant`) and an optional region (`CN`, `419`), as in `zh-Hant-TW`. The case
 * is fixed so that a tag names one lesson file on every file system.
 */
export const localeTagPattern = /^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$/;

/** Whether `tag` is a locale tag as {@link localeTagPattern} spells it. */
export function isLocaleTag(tag: string): boolean {
  return localeTagPattern.test(tag);
}

/**
 * The tags to try for `locale`, most specific first, ending with English:
 * `zh-Hant-TW` → `zh-Hant-TW`, `zh-Hant`, `zh`, `en` (the lookup of RFC 4647).
 */
export function localeFallbacks(locale: string): string[] {
  const parts = locale.split('-');
  const chain: string[] = [];
  for (let n = parts.length; n > 0; n--) chain.push(parts.slice(0, n).join('-'));
  if (!chain.includes(defaultLocale)) chain.push(defaultLocale);
  return chain;
}

