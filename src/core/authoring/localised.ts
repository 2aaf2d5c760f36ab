import { z } from 'zod';

/**
 * A text a learner reads, in English or in several languages. A plain string
 * is English; an object maps locale tags (`en`, `zh-CN`) to the same text in
 * each language, and always has `en`, the default and the last fallback.
 */
export type Localised = string | { en: string; [locale: string]: string };

export { defaultLocale, isLocaleTag, localeFallbacks, localeTagPattern } from './locale-tags.js';
import { defaultLocale, isLocaleTag, localeFallbacks } from './locale-tags.js';

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
