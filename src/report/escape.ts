/**
 * Escaping for text that comes from a submission or a learner (folder names,
 * console output, thrown messages, returned values, paths in a workspace,
 * config and state values) before it is shown in a terminal, a CI log,
 * Markdown, XML or HTML. Pure functions; each says where its result is safe.
 */

// C0 controls but tab and newline, DEL, C1 controls (0x9b is CSI, 0x9d OSC), and the
// invisible characters that reorder or hide text: bidi embeddings, overrides and isolates,
// direction marks, deprecated format controls, interlinear annotations, line and paragraph separators.
const hidden = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u206f\\ufff9-\\ufffb';
const multiLineUnsafe = new RegExp(`[${hidden}]`, 'g');
const singleLineUnsafe = new RegExp(`[${hidden}\\t\\n]`, 'g');

const named: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** `\x1b` for a code point below 0x100, `\u202e` above; `\n`, `\r` and `\t` by name. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  return named[char] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/**
 * Text for a terminal, keeping its lines and tabs: every control character
 * (C0 but `\n` and `\t`, DEL, C1) and every invisible bidi or format control
 * becomes a visible escape such as `\x1b` or `\u202e`. Everything else,
 * CJK and emoji included, is unchanged.
 */
export function escapeTerminal(text: string): string {
  return text.replace(multiLineUnsafe, visible);
}

/** Like {@link escapeTerminal}, for a field that must stay on one line: `\n`, `\r` and `\t` become visible too. */
export function escapeTerminalLine(text: string): string {
  return text.replace(singleLineUnsafe, visible);
}

// What .NET's TrimStart drops and what ICU's culture-aware comparison ignores, both of which
// the GitHub runner may skip before it looks for `::` at the start of a line.
const skippedAtLineStart = /^[\s\p{Default_Ignorable_Code_Point}]*:/u;
// The runner's older command syntax, `##[command]data`, is found anywhere in a line.
const oldCommandBracket = /(?<=#\p{Default_Ignorable_Code_Point}*#\p{Default_Ignorable_Code_Point}*)\[/gu;

function noCommands(line: string): string {
  const lead = skippedAtLineStart.exec(line);
  const safe = lead ? `${line.slice(0, lead[0].length - 1)}\\x3a${line.slice(lead[0].length)}` : line;
  return safe.replace(oldCommandBracket, '\\x5b');
}

/**
 * A one-line field for output that may be a CI log (everything the CLI prints
 * outside the interactive screen): {@link escapeTerminalLine}, then a `:`
 * that would be the line's first visible character becomes `\x3a` and the `[`
 * of `##[` becomes `\x5b`, so the field cannot be read as a GitHub workflow
 * command wherever it sits in a line. Two fields must not be joined with
 * nothing of the tool's own between them.
 */
export function escapeLogLine(text: string): string {
  return noCommands(escapeTerminalLine(text));
}

/**
 * Multi-line text (a learner's console output) for a CI log: one string per
 * line, each escaped as {@link escapeLogLine} and starting with `prefix`,
 * which must hold a visible character (whitespace alone is skipped by the
 * runner), so that no line can start a workflow command.
 */
export function escapeLogLines(text: string, prefix: string): string[] {
  if (!/[^\s\p{Default_Ignorable_Code_Point}]/u.test(prefix)) throw new Error(`escapeLogLines needs a visible prefix, got ${JSON.stringify(prefix)}`);
  return text.split('\n').map((line) => `${prefix}${escapeLogLine(line)}`);
}

/**
 * The message of a GitHub workflow command (`::error …::message`): control
 * characters made visible as in {@link escapeTerminal}, then the runner's own
 * escaping (`%` → `%25`, `\r` → `%0D`, `\n` → `%0A`), so the command is one
 * line and its message keeps its line breaks in the annotation.
 */
export function escapeCommandData(text: string): string {
  return escapeTerminal(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value of a GitHub workflow command (`file=`, `title=`): as {@link escapeCommandData} on one line, plus `:` → `%3A` and `,` → `%2C`. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(escapeTerminalLine(text)).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Inline Markdown text, safe in a table cell of a GitHub job summary: one line
 * (controls visible as in {@link escapeTerminalLine}), `&`, `<` and `>` as
 * entities so that no HTML renders, and a backslash before every character
 * that could start a link, image, emphasis, code, math, heading, emoji code or
 * cell boundary (`\ ` * _ [ ] ( ) ! | ~ # $ :`).
 */
export function escapeMarkdownCell(text: string): string {
  return escapeTerminalLine(text)
    .replace(/[\\`*_[\]()!|~#$:]/g, '\\$&')
    .replace(/[&<>]/g, (c) => htmlEntities[c]);
}

/**
 * Text or a double-quoted attribute value in HTML: one line, controls visible
 * as in {@link escapeTerminalLine}, then `&`, `<`, `>` and `"` as entities.
 */
export function escapeHtml(text: string): string {
  return escapeTerminalLine(text).replace(/[&<>"]/g, (c) => htmlEntities[c]);
}

/**
 * Multi-line text (a learner's console output) for HTML, inside a `<pre>`:
 * lines and tabs kept, other controls visible as in {@link escapeTerminal},
 * then `&`, `<`, `>` and `"` as entities.
 */
export function escapeHtmlText(text: string): string {
  return escapeTerminal(text).replace(/[&<>"]/g, (c) => htmlEntities[c]);
}

// Left after escapeTerminal, XML 1.0 still forbids the noncharacters U+FFFE and U+FFFF and unpaired surrogates.
const xmlForbidden = /[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text for an XML 1.0 document (JUnit): controls visible as in
 * {@link escapeTerminal}, and U+FFFE, U+FFFF and unpaired surrogates, which
 * XML does not allow, as `\ufffe`-style escapes. Markup characters are left
 * to the XML writer.
 */
export function escapeXml(text: string): string {
  return escapeTerminal(text).replace(xmlForbidden, visible);
}

/** Like {@link escapeXml}, for a one-line value (an attribute): `\n`, `\r` and `\t` become visible too. */
export function escapeXmlLine(text: string): string {
  return escapeTerminalLine(text).replace(xmlForbidden, visible);
}
