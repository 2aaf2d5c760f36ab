import { z } from 'zod';

/**
 * A text a learner reads, in English or in several languages. A plain string
 * is English; an object maps locale tags (`en`, `zh-CN`) to the same text in
 * each language, and always has `en`, the default and the last fallback.
 */
export type Localised = string | { en: string; [locale: string]: string };

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

/** The text in `locale`, else in its language (zh-CN → zh), else in English. */
export function localise(text: Localised, locale: string = defaultLocale): string {
  if (typeof text === 'string') return text;
  for (const tag of localeFallbacks(locale)) {
    if (Object.hasOwn(text, tag)) return text[tag];
  }
  return text.en;
}

/** The locales a text is written in: `['en']` for a plain string. */
export function localesOf(text: Localised): string[] {
  return typeof text === 'string' ? [defaultLocale] : Object.keys(text);
}

const textsByLocale = z.record(z.string(), z.string()).superRefine((texts, ctx) => {
  if (!Object.hasOwn(texts, defaultLocale)) {
    ctx.addIssue({ code: 'custom', message: 'has no `en` text: English is the default and the fallback, so every translated text needs it' });
  }
  for (const [tag, text] of Object.entries(texts)) {
    if (!isLocaleTag(tag)) ctx.addIssue({ code: 'custom', path: [tag], message: `"${tag}" is not a locale tag: write a language and an optional region, such as en, zh or zh-CN` });
    else if (text.trim() === '') ctx.addIssue({ code: 'custom', path: [tag], message: 'is empty: leave the locale out instead, and English is shown' });
  }
});

/** A {@link Localised} text: a non-empty string, or non-empty texts by locale tag with `en` among them. */
export const localisedSchema = z.union([z.string().min(1, 'is empty'), textsByLocale], {
  error: (issue) => (issue.input === undefined ? 'is missing (expected a text, or texts by locale)' : 'must be a text, or texts by locale such as { en: "…", "zh-CN": "…" }'),
}) as z.ZodType<Localised>;
