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
