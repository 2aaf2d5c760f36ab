import { Chalk } from 'chalk';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeStyle, layoutMarkdown, renderMarkdown, type MarkdownRow } from '../../src/report/markdown.js';
import { plainText } from '../../src/report/lines.js';
import { lineWidth } from '../../src/report/wrap.js';
import { displayWidth } from '../../src/report/text-width.js';
import { repoRoot } from '../helpers/cli.js';

const plain = new Chalk({ level: 0 });
const render = (markdown: string, width: number) => renderMarkdown(markdown, plain, width);

describe('prose', () => {
  test('wraps at spaces to the width and removes emphasis and code markers', () => {
    const text = '**The idea.** Each query scores every *key* with a `dot product`, scaled so the scores keep a sensible size.';
    expect(render(text, 30)).toBe(['The idea. Each query scores', 'every key with a dot product,', 'scaled so the scores keep a', 'sensible size.'].join('\n'));
  });

  test('never splits a word that fits, even one made of code and punctuation', () => {
    expect(render('abc defgh (`ppf`), keys', 8)).toBe(['abc', 'defgh', '(ppf),', 'keys'].join('\n'));
  });

  test('cuts a word only when it alone is wider than the line', () => {
    expect(render('see abcdefghijkl now', 5)).toBe(['see', 'abcde', 'fghij', 'kl', 'now'].join('\n'));
  });

  test('keeps the spaces inside inline code, leading ones included', () => {
    expect(render('Then ` ?\\p{L}+` and `a  b`.', 80)).toBe('Then  ?\\p{L}+ and a  b.');
  });

  test('counts CJK characters and emoji as two columns', () => {
    expect(displayWidth('中文🙂é')).toBe(7);
    expect(render('ab 中文 中文', 7)).toBe(['ab 中文', '中文'].join('\n'));
  });

  test('a hard line break starts a new line; a soft one is a space', () => {
    expect(render('one\ntwo  \nthree', 80)).toBe('one two\nthree');
  });

  test('shows a link with its address, and an address once', () => {
    expect(render('[nanoGPT](https://github.com/karpathy/nanoGPT) and <https://arxiv.org>', 80)).toBe('nanoGPT (https://github.com/karpathy/nanoGPT) and https://arxiv.org');
  });

  test('shows control characters from a lesson as visible escapes', () => {
    expect(render('red \u001b[31m text\u202e', 80)).toBe('red \\x1b[31m text\\u202e');
  });
});

describe('blocks', () => {
  test('headings lose their markers; blocks are separated by one blank line', () => {
    expect(render('# Title\n\nText.\n\n## Part\n\n---\n\nEnd.', 10)).toBe(['Title', '', 'Text.', '', 'Part', '', '──────────', '', 'End.'].join('\n'));
  });

  test('list items wrap under their text, bold inside them included', () => {
    expect(render('- **Row 0.** one two three four\n- short', 16)).toBe(['• Row 0. one two', '  three four', '• short'].join('\n'));
  });

  test('nested lists indent under their parent item, numbers right-aligned', () => {
    const markdown = ['1. a', '2. b', '3. c', '4. d', '5. e', '6. f', '7. g', '8. h', '9. **Adapters:**', '   - q: `4·(64 + 64) = 512`', '10. end'].join('\n');
    expect(render(markdown, 20).split('\n').slice(8)).toEqual([' 9. Adapters:', '    • q: 4·(64 + 64)', '      = 512', '10. end']);
  });

  test('loose lists keep a blank line between items; task items show their box', () => {
    expect(render('- one\n\n- two\n', 20)).toBe('• one\n\n• two');
    expect(render('- [x] done\n- [ ] to do', 20)).toBe('• [x] done\n• [ ] to do');
  });

  test('code blocks are printed as written, indented by four (two when four would not fit), never wrapped', () => {
    const rows = layoutMarkdown('Text:\n\n    q = [[1, 0, 1, 0],    k = [[1, 1, 0, 0],\n         [0, 2]]\n', 20);
    expect(rows.map((row) => plainText(row.line))).toEqual(['Text:', '', '  q = [[1, 0, 1, 0],    k = [[1, 1, 0, 0],', '       [0, 2]]']);
    expect(rows.map((row) => row.verbatim)).toEqual([false, false, true, true]);
    expect(render('    abcdef\n', 10)).toBe('    abcdef');
    expect(render('    abcdefg\n', 10)).toBe('  abcdefg');
  });

  test('a fenced block in a named language gets a dim label line above it; an unnamed or unknown one does not', () => {
    const rows = layoutMarkdown('```python\nresult = F.softmax(x, dim=-1)\n```\n\n```js\nconst result = tf.softmax(x);\n```\n', 60);
    expect(rows.map((row) => plainText(row.line))).toEqual(['  Python', '    result = F.softmax(x, dim=-1)', '', '  JavaScript', '    const result = tf.softmax(x);']);
    expect(rows[0].line.find((span) => span.text === 'Python')?.dim).toBe(true);
    expect(render('```\nplain\n```\n', 20)).toBe('    plain');
    expect(render('```text\nplain\n```\n', 20)).toBe('    plain');
  });

  test('block quotes are marked with a bar and wrapped inside it', () => {
    expect(render('> one two three\n>\n> four', 10)).toBe('│ one two\n│ three\n│\n│ four');
  });

  test('inline HTML tags are left out but <br>, which breaks the line; entities are decoded', () => {
    expect(render('a <b>bold</b> word<br>next &amp; 10&nbsp;000', 80)).toBe('a bold word\nnext & 10\u00a0000');
  });
});

describe('tables', () => {
  const table = ['| row | weights p |', '|-----|----------:|', '| 0 | **[0.23, 0.38]** |', '| 1 | [0.24, 0.09] |'].join('\n');

  test('a table that fits is boxed, cells aligned as the separator says, markers removed', () => {
    expect(render(table, 40)).toBe(['┌─────┬──────────────┐', '│ row │    weights p │', '├─────┼──────────────┤', '│ 0   │ [0.23, 0.38] │', '│ 1   │ [0.24, 0.09] │', '└─────┴──────────────┘'].join('\n'));
  });

  test('a table wider than the line wraps its cells at spaces and rules its rows apart', () => {
    expect(render(table, 20)).toBe(
      ['┌─────┬────────────┐', '│ row │  weights p │', '├─────┼────────────┤', '│ 0   │     [0.23, │', '│     │      0.38] │', '├─────┼────────────┤', '│ 1   │     [0.24, │', '│     │      0.09] │', '└─────┴────────────┘'].join(
        '\n',
      ),
    );
  });

  test('a table whose words do not fit is shown row by row', () => {
    expect(render(table, 16)).toBe(['• row: 0', '  weights p:', '    [0.23, 0.38]', '• row: 1', '  weights p:', '    [0.24, 0.09]'].join('\n'));
    expect(render('| a | b | c |\n|---|---|---|\n| abcdefghijk | | z |', 18)).toBe(['• a: abcdefghijk', '  c: z'].join('\n'));
  });

  test('an escaped pipe inside code stays in its cell', () => {
    expect(render("| a | b |\n|---|---|\n| `'s\\|'t` | x |", 40)).toContain("│ 's|'t │ x │");
  });
});

test('colours only when chalk has a colour level', () => {
  const coloured = renderMarkdown('**bold** and `code`', new Chalk({ level: 1 }), 80);
  expect(coloured).toBe('\u001b[1mbold\u001b[22m and \u001b[33mcode\u001b[39m');
  expect(render('**bold** and `code`', 80)).toBe('bold and code');
});

describe('every lesson of the built-in pack', async () => {
  const root = path.join(repoRoot, 'exercises', 'transformer-core');
  const files = (await fs.readdir(root, { recursive: true })).filter((f) => /(^|\/)lesson(\.[\w-]+)?\.md$/.test(f)).sort();
  const lessons = await Promise.all(files.map(async (file) => [file, await fs.readFile(path.join(root, file), 'utf8')] as const));

  /** The words of the rows that are not code, split at spaces and table borders, a final colon dropped (a table shown row by row adds one to its column names). */
  const wordsOf = (rows: MarkdownRow[]) =>
    rows
      .filter((row) => !row.verbatim)
      .flatMap((row) => plainText(row.line).split(/[\s│┌┐└┘├┤┬┴┼─•]+/))
      .map((word) => word.replace(/:$/, ''))
      .filter(Boolean);

  test('there are lessons to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(26);
  });

  test.each([60, 80, 100])('at %i columns: lines fit, no ** is left, no word is split', (width) => {
    for (const [file, markdown] of lessons) {
      const rows = layoutMarkdown(markdown, width);
      // A reference layout with room for every line: its words are the words a reader must see whole.
      const whole = new Set(wordsOf(layoutMarkdown(markdown, 10_000)));
      const tooWide = rows.filter((row) => !row.verbatim && lineWidth(row.line) > width).map((row) => plainText(row.line));
      expect(tooWide, `${file} at ${width} columns`).toEqual([]);
      // `**` may be code (Python's power operator); outside code it would be a marker left unrendered.
      const prose = rows.flatMap((row) => row.line.filter((span) => span.color !== codeStyle.color).map((span) => span.text));
      expect(prose.filter((text) => text.includes('**')), file).toEqual([]);
      // CJK text has no spaces: a line may break inside it, so a piece of a word with CJK in it is a whole piece of a word.
      const wholeWords = [...whole];
      const cjkWords = wholeWords.filter((w) => /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u.test(w));
      const split = wordsOf(rows).filter((word) => !whole.has(word) && !cjkWords.some((w) => w.includes(word)));
      expect(split, `${file} at ${width} columns`).toEqual([]);
    }
  });
});
