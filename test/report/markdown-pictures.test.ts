import { Chalk } from 'chalk';
import { describe, expect, test } from 'vitest';
import { layoutMarkdown, renderMarkdown } from '../../src/report/markdown.js';
import { barText, shadeOf } from '../../src/report/markdown-pictures.js';
import { plainText } from '../../src/report/lines.js';
import { lineWidth } from '../../src/report/wrap.js';

const plain = new Chalk({ level: 0 });
const coloured = new Chalk({ level: 1 });
const render = (markdown: string, width: number) => renderMarkdown(markdown, plain, width).split('\n');
const fence = (kind: string, ...rows: string[]) => ['```' + kind, ...rows, '```'].join('\n');
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

// The attention weights of the scaled-dot-product lesson's worked example.
const weights = fence('heatmap', 'title: attention weights', '    k0        k1        k2', 'q0  0.232697  0.383652  0.383652', 'q1  0.244728  0.090031  0.665241');

describe('heatmap', () => {
  test('at 80 columns: two shade glyphs per cell before its number, labels around, a legend with the range', () => {
    expect(render(weights, 80)).toEqual([
      'attention weights',
      '               k0           k1           k2',
      '  q0  ░░ 0.232697  ▒▒ 0.383652  ▒▒ 0.383652',
      '  q1  ░░ 0.244728  ·· 0.090031  ██ 0.665241',
      '  ·░▒▓█  from 0.090031 to 0.665241',
    ]);
  });

  test('at 40 columns, where two glyphs and two spaces would not fit: one glyph and one space', () => {
    const rows = render(weights, 40);
    expect(rows).toEqual([
      'attention weights',
      '             k0         k1         k2',
      '  q0 ░ 0.232697 ▒ 0.383652 ▒ 0.383652',
      '  q1 ░ 0.244728 · 0.090031 █ 0.665241',
      '  ·░▒▓█  from 0.090031 to 0.665241',
    ]);
    expect(Math.max(...rows.map((row) => row.length))).toBeLessThanOrEqual(40);
  });

  test('shades are the nearest of five levels between the min and max; all-equal values take the middle one', () => {
    expect([0, 0.12, 0.13, 0.5, 0.87, 0.88, 1].map((v) => shadeOf(v, 0, 1).text).join('')).toBe('··░▒▓██');
    expect(shadeOf(-3, -3, 5).text).toBe('·');
    expect(shadeOf(2, 2, 2).text).toBe('▒');
  });

  test('coloured: each shade has its colour from blue to red, numbers stay plain, and without ANSI it reads as the plain picture', () => {
    const text = renderMarkdown(weights, coloured, 80);
    expect(stripAnsi(text).split('\n')).toEqual(render(weights, 80));
    const cells = layoutMarkdown(weights, 80)[2].line.filter((span) => /[·░▒▓█]/.test(span.text));
    expect(cells.map((span) => [span.text, span.color])).toEqual([
      ['░░', 'blue'],
      ['▒▒', 'cyan'],
      ['▒▒', 'cyan'],
    ]);
    expect(text).toContain(`${coloured.red('██')} 0.665241`);
  });

  test('rows are verbatim, the title optional, and negative numbers with a Unicode minus are numbers', () => {
    const rows = layoutMarkdown(fence('heatmap', 'a b', 'x −1 2', 'y 0 −0.5'), 80);
    expect(rows.map((row) => plainText(row.line))).toEqual(['         a        b', '  x  ·· −1  ██    2', '  y  ░░  0  ░░ −0.5', '  ·░▒▓█  from −1 to 2']);
    expect(rows.every((row) => row.verbatim)).toBe(true);
  });
});

describe('heatmap with marked cells', () => {
  const similarity = fence('heatmap', 'title: cosine similarity', 'mark: diagonal', '    t0     t1     t2', 'i0  0.98  0.10  −0.30', 'i1  0.05  0.91  0.20', 'i2  −0.2  0.33  0.87');

  test('marked cells read without colour: their number in brackets, the others padded by a space on each side so the columns stay aligned, and the legend says what is marked', () => {
    expect(render(similarity, 80)).toEqual([
      'cosine similarity',
      '            t0         t1          t2 ',
      '  i0  ██ [0.98]  ░░  0.10   ··  −0.30 ',
      '  i1  ░░  0.05   ██ [0.91]  ▒▒   0.20 ',
      '  i2  ··  −0.2   ▒▒  0.33   ██  [0.87]',
      '  ·░▒▓█  from −0.30 to 0.98',
      '  [ ] the diagonal',
    ]);
    const narrow = render(similarity, 36);
    expect(Math.max(...narrow.map((row) => row.length))).toBeLessThanOrEqual(36);
    expect(narrow[2]).toBe('  i0 █ [0.98] ░  0.10  ·  −0.30 ');
  });

  test('chosen cells by their labels; in colour the marked numbers are bold and underlined, the others plain', () => {
    const rows = layoutMarkdown(fence('heatmap', 'mark: i0 t1; i1 t0', '    t0    t1', 'i0  1  2', 'i1  3  4'), 80);
    expect(rows.map((row) => plainText(row.line))).toEqual(['         t0      t1 ', '  i0  ··  1   ░░ [2]', '  i1  ▓▓ [3]  ██  4 ', '  ·░▒▓█  from 1 to 4', '  [ ] marked']);
    const styled = rows[1].line.slice(1).filter((span) => /\d/.test(span.text));
    expect(styled.map((span) => [span.text, Boolean(span.bold && span.underline)])).toEqual([
      [' 1 ', false],
      ['[2]', true],
    ]);
  });

  test('a mark naming no cell is a problem of the block, shown under it', () => {
    expect(render(fence('heatmap', 'mark: i0 t9', 'a b', 'i0 1 2'), 80).at(-1)).toBe('heatmap: mark: "t9" is not a column label');
  });
});

describe('bars', () => {
  const shares = fence('bars', 'title: share of weights (%)', '−1.000  0.9', '−0.696  5.3', '0.000   7.5', '1.000   0');

  test('at 80 columns the largest value takes every column left after the label and its value', () => {
    const rows = render(shares, 80);
    expect(rows[0]).toBe('share of weights (%)');
    expect(rows[3]).toBe(`  0.000  ${'█'.repeat(67)} 7.5`);
    expect(rows[3].length).toBe(80);
    // 5.3 / 7.5 of 67 columns is 47.35: 47 blocks and 3 eighths.
    expect(rows[2]).toBe(`  −0.696 ${'█'.repeat(47)}▍ 5.3`);
    expect(rows[4]).toBe('  1.000  0');
  });

  test('at 40 columns the bars shrink in proportion (0.9 / 7.5 of 31 columns is 3.72: 3 blocks and 6 eighths) and the title wraps', () => {
    const rows = render(fence('bars', 'title: share of N(0, 1) weights on each level (%)', 'a  0.9', 'bb 7.5'), 40);
    expect(rows).toEqual(['share of N(0, 1) weights on each level', '(%)', `  a  ${'█'.repeat(3)}▊ 0.9`, `  bb ${'█'.repeat(31)} 7.5`]);
    expect(Math.max(...rows.map((row) => row.length))).toBe(40);
  });

  test('a label keeps its leading spaces, so that labels can be aligned', () => {
    expect(render(fence('bars', '−1.0 2', ' 0.5 1'), 20)).toEqual([`  −1.0 ${'█'.repeat(11)} 2`, `   0.5 █████▌ 1`]);
  });

  test('labels may hold spaces; the value is the last word', () => {
    expect(render(fence('bars', 'level 0 (exact)  2', 'level 1  1'), 30)).toEqual([`  level 0 (exact) ${'█'.repeat(10)} 2`, `  level 1         ${'█'.repeat(5)} 1`]);
  });

  test('a `max:` line sets the value of a full bar, so that two blocks share one scale', () => {
    expect(render(fence('bars', 'title: t', 'max: 4', 'a 2', 'b 1'), 20)).toEqual(['t', `  a ${'█'.repeat(7)} 2`, `  b ███▌ 1`]);
  });

  test('coloured: the bar is cyan, label dim, value plain', () => {
    const text = renderMarkdown(fence('bars', 'a 2', 'b 1'), coloured, 20);
    expect(text.split('\n')[0]).toBe(`${coloured.dim('  a ')}${coloured.cyan('██████████████')} 2`);
    expect(stripAnsi(text)).toBe(renderMarkdown(fence('bars', 'a 2', 'b 1'), plain, 20));
  });

  test('a bar ends in eighths of a block', () => {
    expect(barText(2.5)).toBe('██▌');
    expect(barText(0.125)).toBe('▏');
    expect(barText(0.04)).toBe('');
    expect(barText(3)).toBe('███');
  });
});

describe('malformed pictures', () => {
  const cases: [string, string, string][] = [
    ['heatmap', 'a b\nx 1 2\ny 3', 'heatmap: row 2 (y) has 1 value; the header has 2 columns'],
    ['heatmap', 'a b\nx 1 two', 'heatmap: row 1 (x): "two" is not a number'],
    ['heatmap', 'title: t\na b', 'heatmap: needs a header row of column labels and at least one row `label v1 v2 …`'],
    ['bars', 'a 1\nb -2', 'bars: row 2 (b): "-2" is not a number ≥ 0'],
    ['bars', 'a 1\nlonely', 'bars: row 2 ("lonely") needs a label and a value'],
    ['bars', 'title: nothing', 'bars: needs at least one row `label value`'],
    ['bars', 'max: 0\na 1', 'bars: max: "0" is not a number > 0'],
    ['bars', 'max: 2\na 1\nb 3', 'bars: row 2 (b): 3 is above max 2'],
  ];
  for (const [kind, body, problem] of cases) {
    test(`${kind}: ${problem}`, () => {
      const rows = layoutMarkdown(fence(kind, ...body.split('\n')), 100);
      expect(rows.map((row) => plainText(row.line))).toEqual([...body.split('\n').map((row) => `    ${row}`), problem]);
      expect(rows[rows.length - 1].line.every((span) => span.dim)).toBe(true);
    });
  }

  test('the problem line wraps to the width; the raw block stays verbatim', () => {
    const rows = layoutMarkdown(fence('heatmap', 'a b', 'x 1 2', 'y 3'), 40);
    expect(rows.map((row) => plainText(row.line))).toEqual(['    a b', '    x 1 2', '    y 3', 'heatmap: row 2 (y) has 1 value; the', 'header has 2 columns']);
    expect(rows.map((row) => row.verbatim)).toEqual([true, true, true, false, false]);
    expect(Math.max(...rows.map((row) => lineWidth(row.line)))).toBeLessThanOrEqual(40);
  });

  test('other fenced languages are still code', () => {
    expect(render(fence('python', 'a 1'), 40)).toEqual(['  Python', '    a 1']);
  });
});
