import { describe, expect, test } from 'vitest';
import { plainText } from '../../src/report/lines.js';
import { displayWidth } from '../../src/report/text-width.js';
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
