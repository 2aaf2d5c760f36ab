import { expect, test } from 'vitest';
import { readingWidth } from '../../src/commands/lesson.js';

test("a lesson is wrapped at the terminal's width, at most 100 columns, and at 80 when stdout is not a terminal", () => {
  expect(readingWidth({ isTTY: true, columns: 72 })).toBe(72);
  expect(readingWidth({ isTTY: true, columns: 180 })).toBe(100);
  expect(readingWidth({ isTTY: true })).toBe(80);
  expect(readingWidth({ isTTY: false, columns: 180 })).toBe(80);
});
