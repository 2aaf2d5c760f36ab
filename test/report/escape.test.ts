import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import {
  escapeCommandData,
  escapeCommandProperty,
  escapeHtml,
  escapeHtmlText,
  escapeLogLine,
  escapeLogLines,
  escapeMarkdownCell,
  escapeTerminal,
  escapeTerminalLine,
  escapeXml,
  escapeXmlLine,
} from '../../src/report/escape.js';

describe('escapeTerminal', () => {
  test('makes ESC, BEL, CSI and OSC sequences visible', () => {
    expect(escapeTerminal('a\x1b]0;pwned\x07b')).toBe('a\\x1b]0;pwned\\x07b');
    expect(escapeTerminal('\x1b[2K\rPASS')).toBe('\\x1b[2K\\rPASS');
    expect(escapeTerminal('\x9b31m \x9d0;t\x9c')).toBe('\\x9b31m \\x9d0;t\\x9c');
  });

  test('keeps newlines and tabs, escapes every other C0 control and DEL', () => {
    expect(escapeTerminal('one\ntwo\tthree')).toBe('one\ntwo\tthree');
    expect(escapeTerminal('\x00\x08\x0b\x0c\x1f\x7f')).toBe('\\x00\\x08\\x0b\\x0c\\x1f\\x7f');
    expect(escapeTerminal('\x80\x85\x9f')).toBe('\\x80\\x85\\x9f');
  });

  test('makes bidi overrides, isolates and direction marks visible', () => {
    expect(escapeTerminal('admin\u202eFDP.exe')).toBe('admin\\u202eFDP.exe');
    expect(escapeTerminal('\u202a\u202b\u202c\u202d \u2066\u2067\u2068\u2069 \u200e\u200f\u061c')).toBe('\\u202a\\u202b\\u202c\\u202d \\u2066\\u2067\\u2068\\u2069 \\u200e\\u200f\\u061c');
    expect(escapeTerminal('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
  });

  test('leaves CJK, emoji, accents and backslashes alone', () => {
    const text = '自然语言处理 👨‍👩‍👧 naïve café ✓ █ \\x1b literal';
    expect(escapeTerminal(text)).toBe(text);
  });
});

describe('escapeTerminalLine', () => {
  test('also makes newline, carriage return and tab visible', () => {
    expect(escapeTerminalLine('x\n::error file=x::forged')).toBe('x\\n::error file=x::forged');
    expect(escapeTerminalLine('a\r\nb\tc')).toBe('a\\r\\nb\\tc');
  });
});

describe('escapeLogLine', () => {
  test('a leading :: cannot start a workflow command, even after whitespace or invisible characters', () => {
    expect(escapeLogLine('::error file=x::forged')).toBe('\\x3a:error file=x::forged');
    expect(escapeLogLine('   ::stop-commands::abc')).toBe('   \\x3a:stop-commands::abc');
    expect(escapeLogLine('\u00a0\u3000\u200b\ufeff::warning::x')).toBe('\u00a0\u3000\u200b\ufeff\\x3a:warning::x');
  });

  test('a newline cannot put :: at the start of a line', () => {
    expect(escapeLogLine('name\n::error::forged')).toBe('name\\n::error::forged');
  });

  test('the old ##[command] syntax is broken wherever it is', () => {
    expect(escapeLogLine('ok ##[error]forged')).toBe('ok ##\\x5berror]forged');
    expect(escapeLogLine('#\u200d#[add-mask]x')).toBe('#\u200d#\\x5badd-mask]x');
    expect(escapeLogLine('# [not] #[this] [either]')).toBe('# [not] #[this] [either]');
  });

  test('ordinary text is unchanged', () => {
    const text = '6 of 9 cases pass; first failing: "random [3, 4]". Expected: export function f(a: number[]): number[]';
    expect(escapeLogLine(text)).toBe(text);
  });
});

describe('escapeLogLines', () => {
  test('every line starts with the prefix and is escaped', () => {
    expect(escapeLogLines('hello\n::stop-commands::abc\n\x1b[2K\rPASS softmax\n  ##[error]x', '  │ ')).toEqual([
      '  │ hello',
      '  │ \\x3a:stop-commands::abc',
      '  │ \\x1b[2K\\rPASS softmax',
      '  │   ##\\x5berror]x',
    ]);
  });

  test('refuses a prefix of whitespace only, which the runner would skip', () => {
    expect(() => escapeLogLines('x', '  ')).toThrow('escapeLogLines needs a visible prefix, got "  "');
    expect(() => escapeLogLines('x', '\u200b')).toThrow();
  });
});

describe('GitHub workflow commands', () => {
  test('data: the runner escaping, after controls are made visible', () => {
    expect(escapeCommandData('100% wrong\r\nnext line\x1b[31m')).toBe('100%25 wrong\\r%0Anext line\\x1b[31m');
    expect(escapeCommandData('a::b, c')).toBe('a::b, c');
  });

  test('property: one line, with : and , escaped as well', () => {
    expect(escapeCommandProperty('class/x\n::error file=y::forged/a.ts')).toBe('class/x\\n%3A%3Aerror file=y%3A%3Aforged/a.ts');
    expect(escapeCommandProperty('p/k: fails (a, b) 5%')).toBe('p/k%3A fails (a%2C b) 5%25');
  });
});

describe('escapeMarkdownCell', () => {
  test('raw HTML never renders', () => {
    expect(escapeMarkdownCell('<img src=x onerror=alert(1)>&amp;')).toBe('&lt;img src=x onerror=alert\\(1\\)&gt;&amp;amp;');
  });

  test('links, images, emphasis, code, math and cell boundaries are escaped', () => {
    expect(escapeMarkdownCell('![x](https://e.example/a.png) [y](z) *b* _i_ `c` ~s~ $m$ # | \\')).toBe(
      '\\!\\[x\\]\\(https\\://e.example/a.png\\) \\[y\\]\\(z\\) \\*b\\* \\_i\\_ \\`c\\` \\~s\\~ \\$m\\$ \\# \\| \\\\',
    );
  });

  test('stays one line', () => {
    expect(escapeMarkdownCell('a\n| b | c |\r\x1b')).toBe('a\\\\n\\| b \\| c \\|\\\\r\\\\x1b');
  });

  test('a GFM renderer shows a hostile name as its text, in one cell', async () => {
    const { marked } = await import('marked');
    const name = 'x\n::error | <img src=x onerror=alert(1)> [y](z) ![i](u) *b* _i_ `c` ~s~ \\| https://e.example';
    const html = await marked.parse(`| submission | passed |\n| --- | --- |\n| ${escapeMarkdownCell(name)} | 1/1 |\n`);
    expect(html).toContain(
      '<tbody><tr>\n<td>x\\n::error | &lt;img src=x onerror=alert(1)&gt; [y](z) ![i](u) *b* _i_ `c` ~s~ \\| https://e.example</td>\n<td>1/1</td>\n</tr>\n</tbody>',
    );
  });

  test('ordinary names are unchanged', () => {
    expect(escapeMarkdownCell('transformer-core/foundations/matmul')).toBe('transformer-core/foundations/matmul');
    expect(escapeMarkdownCell('李雷 1.0.0')).toBe('李雷 1.0.0');
  });
});

describe('escapeHtml', () => {
  test('text and double-quoted attributes, on one line', () => {
    expect(escapeHtml('<script>alert("x")</script> & \x1b[2K')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; \\x1b[2K');
    expect(`<td title="${escapeHtml('" onmouseover="alert(1)')}">`).toBe('<td title="&quot; onmouseover=&quot;alert(1)">');
    expect(escapeHtml('x\n::error')).toBe('x\\n::error');
  });

  test('escapeHtmlText keeps lines and tabs for a <pre>, and nothing in it is markup', () => {
    expect(escapeHtmlText('</pre><script>alert(1)</script>\n\t<img src=x onerror="alert(2)">\r\x1b[2K')).toBe(
      '&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n\t&lt;img src=x onerror=&quot;alert(2)&quot;&gt;\\r\\x1b[2K',
    );
  });
});

/** Anything outside XML 1.0's Char production; with the u flag an unpaired surrogate is one code point, and matches. */
const notXmlChar = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

describe('escapeXml', () => {
  test('characters XML 1.0 forbids become visible escapes', () => {
    expect(escapeXml('a\x00b\x1bc\ufffe\uffff')).toBe('a\\x00b\\x1bc\\ufffe\\uffff');
    expect(escapeXml('lone \ud800 and \udfff; pair \ud83d\ude00')).toBe('lone \\ud800 and \\udfff; pair \ud83d\ude00');
    expect(escapeXml('keeps\nlines\tand tabs')).toBe('keeps\nlines\tand tabs');
    expect(escapeXmlLine('one\nline')).toBe('one\\nline');
  });

  test('a document built from the escaped text holds only XML 1.0 characters and parses', () => {
    const hostile = `\x00\x01\x1b]0;pwned\x07\x1b[2K\rPASS\ufffe\ud800]]>`;
    expect(hostile).toMatch(notXmlChar);
    expect(escapeXml(hostile)).not.toMatch(notXmlChar);
    expect(escapeXmlLine(hostile)).not.toMatch(notXmlChar);
    // What any XML writer does on top: the five markup characters as entities.
    const markup = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
    const xml = `<?xml version="1.0" encoding="UTF-8"?><r a="${markup(escapeXmlLine(hostile))}">${markup(escapeXml(hostile))}</r>`;
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml).r.a).toBe('\\x00\\x01\\x1b]0;pwned\\x07\\x1b[2K\\rPASS\\ufffe\\ud800]]>');
  });
});
