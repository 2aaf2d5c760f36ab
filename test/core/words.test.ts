import { expect, test } from 'vitest';
import { plural } from '../../src/core/common/words.js';

test('one takes the singular; zero, many and fractions take the plural', () => {
  expect(plural(1, 'case')).toBe('1 case');
  expect(plural(3, 'case')).toBe('3 cases');
  expect(plural(0, 'case')).toBe('0 cases');
  expect(plural(1.5, 'head')).toBe('1.5 heads');
});

test('an irregular plural is given explicitly', () => {
  expect(plural(1, 'more non-finite mismatch', 'more non-finite mismatches')).toBe('1 more non-finite mismatch');
  expect(plural(2, 'more non-finite mismatch', 'more non-finite mismatches')).toBe('2 more non-finite mismatches');
  expect(plural(1, 'exercise passes', 'exercises pass')).toBe('1 exercise passes');
  expect(plural(4, 'exercise passes', 'exercises pass')).toBe('4 exercises pass');
});
