/**
 * The tutor's own words in the learner's language. English is written in the
 * code, inside `t`: t`Hint ${n}/${total}` looks up "Hint {0}/{1}" in the
 * catalog of the current locale and puts the values back in (a translation may
 * reorder them); English, and any text a catalog lacks, comes out as written.
 * One locale holds per process, chosen once at start ({@link setLocale}):
 * call `t` when the text is shown, never at module load.
 */
import { defaultLocale, localeFallbacks } from '../core/authoring/locale-tags.js';

/** The locales the tutor speaks, English first, with each one's own name. */
export const supportedLocales: readonly { tag: string; name: string }[] = [
  { tag: 'en', name: 'English' },
  { tag: 'zh-CN', name: '简体中文' },
];

/** The catalogs by locale, each loaded when a run first speaks it (an English run loads none). */
const catalogLoaders: Record<string, () => Promise<Readonly<Record<string, string>>>> = {
  'zh-CN': async () => (await import('./zh-CN/index.js')).zhCN,
};
const catalogs: Record<string, Readonly<Record<string, string>>> = {};

let current = defaultLocale;

/**
 * Sets the locale every later `t` speaks (a supported tag; see `resolveLocale`),
 * once its catalog is loaded.
 */
export async function setLocale(locale: string): Promise<void> {
  for (const tag of localeFallbacks(locale)) {
    if (catalogs[tag] === undefined && catalogLoaders[tag]) catalogs[tag] = await catalogLoaders[tag]();
  }
  current = locale;
}

/** The locale `t` speaks now: `en` until {@link setLocale}. */
export function currentLocale(): string {
  return current;
}

/** The catalog key of a template's pieces: the values as {0}, {1}… */
export function catalogKey(strings: readonly string[]): string {
  return strings.reduce((key, piece, i) => (i === 0 ? piece : `${key}{${i - 1}}${piece}`), '');
}

/** The text of `key` in `locale`, else in its language, else the English key itself. */
function lookUp(key: string, locale: string): string {
  for (const tag of localeFallbacks(locale)) {
    if (tag === defaultLocale) break;
    const found = catalogs[tag]?.[key];
    if (found !== undefined) return found;
  }
  return key;
}

/** `{0}`, `{1}`… of a translated text replaced by the values. */
function fill(text: string, values: readonly unknown[]): string {
  return values.length === 0 ? text : text.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < values.length ? String(values[Number(i)]) : whole));
}

/**
 * The text in the current locale: as a tag, t`Checking ${id}…`; as a call,
 * t('Checking {0}…', id). English comes out as written.
 */
export function t(strings: TemplateStringsArray | string, ...values: unknown[]): string {
  const key = typeof strings === 'string' ? strings : catalogKey(strings);
  return fill(current === defaultLocale ? key : lookUp(key, current), values);
}

/**
 * A count and its noun in the current locale: in English `plural(3, 'case')`
 * is "3 cases"; in a catalog the singular is the key and its text the counted
 * noun ("case" → "个用例": "3 个用例").
 */
export function countedNoun(count: number, singular: string, pluralForm: string): string {
  if (current !== defaultLocale) {
    const noun = lookUp(singular, current);
    if (noun !== singular) return `${count} ${noun}`;
  }
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Every key of a locale's catalog (for the tests that hold the catalog to the code). */
export async function catalogOf(locale: string): Promise<Readonly<Record<string, string>>> {
  return catalogs[locale] ?? (await catalogLoaders[locale]?.()) ?? {};
}
