import { describe, expect, test } from 'vitest';
import { plainText } from '../../src/report/lines.js';
import { displayWidth, graphemeWidths } from '../../src/report/text-width.js';
import { lineBreakPieces, wrapLines } from '../../src/report/wrap.js';
import { layoutMarkdown } from '../../src/report/markdown.js';

/** Chinese text has no spaces: lines break between characters, in columns (a character takes two), never before a comma or full stop. */
describe('wrapping Chinese text', () => {
  const text = '因果掩码让每个查询只看到它自己和之前位置的键，绝不看到之后的键。这正是 KV 缓存所需要的。';

  test('breaks between characters, each line within the width in columns, nothing lost', () => {
    for (const width of [10, 17, 24, 40]) {
      const rows = wrapLines(text, width).map(plainText);
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows) expect(displayWidth(row), `${width}: ${row}`).toBeLessThanOrEqual(width);
      expect(rows.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      // Lines are filled: all but the last use at least width − 3 columns (a word such as "KV" or a kept comma may push one down).
      for (const row of rows.slice(0, -1)) expect(displayWidth(row), `${width}: ${row}`).toBeGreaterThanOrEqual(width - 3);
    }
  });

  test('no line starts with a comma, full stop or closing bracket, and none ends with an opening one', () => {
    for (let width = 6; width <= 30; width++) {
      for (const row of wrapLines(`${text}（第 0 行）「注意」`, width).map(plainText)) {
        expect(row, `${width}`).not.toMatch(/^[，。）」]/);
        expect(row, `${width}`).not.toMatch(/[（「]$/);
      }
    }
  });

  test('Latin words inside Chinese stay whole, and English text wraps only at spaces as before', () => {
    expect(lineBreakPieces('用tf.softmax计算')).toEqual(['用', 'tf.softmax', '计', '算']);
    expect(lineBreakPieces('softmax(x)')).toEqual(['softmax(x)']);
    expect(wrapLines('the quick brown fox jumps', 10).map(plainText)).toEqual(['the quick', 'brown fox', 'jumps']);
  });

  test('a line break inside a Chinese paragraph of a lesson joins without a space', () => {
    const rows = layoutMarkdown('第一行的文字\n接着第二行。', 80).map((r) => plainText(r.line));
    expect(rows).toEqual(['第一行的文字接着第二行。']);
  });
});

describe('measuring text again', () => {
  test('a text measured before gives the same widths from the cache, which no caller can change, also after the cache was emptied', () => {
    const text = '注意力 · attention — é̂ 👍🏽';
    const first = graphemeWidths(text);
    // 注 意 力, space · space, attention, space — space, e with two marks (one grapheme), space, a thumb with its skin tone.
    expect(first.map((g) => g.width)).toEqual([2, 2, 2, 1, 1, 1, ...Array(9).fill(1), 1, 1, 1, 1, 1, 2]);
    expect(graphemeWidths(text)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first[0])).toBe(true);
    // Over the limit the cache starts again: the answers stay the same.
    for (let i = 0; i < 5000; i++) displayWidth(`row ${i} · ${'—'.repeat(i % 7)}`);
    expect(graphemeWidths(text).map((g) => g.width)).toEqual(first.map((g) => g.width));
    expect(displayWidth(text)).toBe(25);
  });
});
