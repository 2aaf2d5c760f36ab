import { countedNoun } from '../../i18n/i18n.js';

/**
 * A count and its noun, agreeing in number: `plural(1, 'case')` is "1 case",
 * `plural(3, 'case')` "3 cases" and `plural(0, 'case')` "0 cases". Give the
 * plural form when adding "s" does not make it (`plural(n, 'match', 'matches')`);
 * the noun may be a phrase whose last word carries the number ("more line").
 * In another locale the singular is looked up in its catalog ("3 个用例").
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return countedNoun(count, singular, pluralForm);
}

/**
 * Sentences one after another, as `parts.join(' ')` writes them in English;
 * after a sentence that ends in full-width punctuation (Chinese: 。！？）)
 * the next follows with no space.
 */
export function sentences(parts: readonly string[]): string {
  return parts.reduce((text, part, i) => (i === 0 ? part : /[\u3000-\u303f\uff01-\uff1f\uff09]$/.test(text) ? text + part : `${text} ${part}`), '');
}

// A Han character or full-width punctuation: text that takes no space next to its own kind.
const cjk = '[\\p{Script=Han}\\u3000-\\u303f\\uff01-\\uff1f\\uff08\\uff09]';
const spaceBetweenCjk = new RegExp(`(${cjk}) (?=${cjk})`, 'gu');

/**
 * A translated sentence tidied where its values were filled in: a template
 * keeps a space between Chinese and a value, as Latin text needs ("期望 {0}"),
 * and this drops it where the value turned out to be Chinese too ("期望空数组").
 * Text without CJK characters, English included, comes back as it was.
 */
export function tidySpaces(text: string): string {
  return text.replace(spaceBetweenCjk, '$1');
}
