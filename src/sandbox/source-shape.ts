import { t } from '../i18n/i18n.js';
/**
 * A cheap linear scan of a learner's source for shapes that esbuild cannot
 * take: it parses and visits expressions recursively, so a few hundred
 * thousand nested brackets or chained operators (`((((`, `!!!!`, `a()()()`,
 * `a=a=a=`, `if(a)if(a)`, tagged templates) overflow its stack and kill its
 * process, and some long chains (comma operators, labels, `"…"+"…"` over long
 * strings) take it minutes or gigabytes. Honest code stays far below these
 * limits. The scan knows strings, comments, templates and regular
 * expressions only roughly; whatever gets past it still meets the time limit
 * and the crash recovery of the build.
 *
 * Over 300 lines because it is one scanner: a single pass with one state
 * machine over strings, comments, templates and brackets, which reads best
 * in one place.
 */

/** The limits the scan enforces. */
export const shapeLimits = {
  /** Brackets ((, [, {, `${`) open at once. */
  nesting: 500,
  /** Brackets open plus operators, keywords and labels chained in the statements they sit in. */
  chain: 1000,
  /** Operators chained × bytes of string literals in one statement: what `"…" + "…"` costs esbuild to fold. */
  stringFolding: 32 * 1024 * 1024,
} as const;

export interface ShapeProblem {
  /** 1-based line where the limit was passed. */
  line: number;
  message: string;
}

interface Frame {
  /** What opened it: a block of statements, an object or array literal, call arguments, a group, a template's `${`. */
  kind: 'top' | 'block' | 'object' | 'list' | 'args' | 'group' | 'template';
  /** Operators chained in the current statement or element of this frame. */
  ops: number;
  /** Bytes of string literals in the current statement or element. */
  strings: number;
  /** A `(` after if/for/while/with/switch/catch: its `)` does not end a value. */
  head?: boolean;
}

// Operator characters: each one counts (`===` counts three), an upper bound on the nesting it can cause.
const operatorChars = new Set('!%&*+-./:<=>?^|~@#'.split('').map((c) => c.charCodeAt(0)));
// Keywords that chain like operators or nest statements.
const chainingKeywords = new Set(['typeof', 'void', 'delete', 'new', 'await', 'yield', 'in', 'of', 'instanceof', 'as', 'satisfies', 'keyof', 'if', 'else', 'for', 'while', 'do', 'with', 'extends', 'infer', 'is']);
// After these a `/` starts a regular expression and a `{` an object.
const expressionKeywords = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'as', 'satisfies', 'extends', 'keyof']);
const headKeywords = new Set(['if', 'for', 'while', 'with', 'switch', 'catch']);
// A statement may start with these after a line break (automatic semicolon insertion), ending the previous one.
const continuingKeywords = new Set(['in', 'of', 'instanceof', 'as', 'satisfies', 'extends', 'is', 'else']);
// After these a `{` opens a block; after import, export and declarations it opens a list of names.
const blockKeywords = new Set(['else', 'do', 'try', 'finally']);
const listKeywords = new Set(['import', 'export', 'const', 'let', 'var']);

const isIdentifierStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
const isIdentifierPart = (c: number) => isIdentifierStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** The identifier at [start, end) when it may be a keyword (2 to 10 lower-case letters), else ''. */
function wordAt(source: Uint8Array, start: number, end: number): string {
  if (end - start < 2 || end - start > 10) return '';
  let word = '';
  for (let k = start; k < end; k++) {
    const c = source[k];
    if (c < 97 || c > 122) return '';
    word += String.fromCharCode(c);
  }
  return word;
}

/** Where a source passes one of `shapeLimits`, or undefined when it stays within them. Reads UTF-8 bytes. */
export function findPathologicalShape(source: Uint8Array): ShapeProblem | undefined {
  const frames: Frame[] = [{ kind: 'top', ops: 0, strings: 0 }];
  let chained = 0; // Σ ops over the open frames
  let line = 1;
  let i = 0;
  const n = source.length;
  // What the previous significant token was, for regex-or-division, block-or-object and line-break decisions.
  let prev: 'start' | 'value' | 'operator' | 'open' | 'keyword' | 'block-end' | 'paren-end' | 'head-end' = 'start';
  let prevWord = '';
  let afterDot = false;
  let lineBreak = false;
  let pendingReset = false;

  const top = () => frames[frames.length - 1];
  const reset = (frame: Frame) => {
    chained -= frame.ops;
    frame.ops = 0;
    frame.strings = 0;
  };
  const count = (amount: number): ShapeProblem | undefined => {
    top().ops += amount;
    chained += amount;
    if (frames.length - 1 + chained > shapeLimits.chain) {
      return { line, message: t`chains more than ${shapeLimits.chain} operators, keywords and brackets in one statement` };
    }
    const frame = top();
    if (frame.ops * frame.strings > shapeLimits.stringFolding) {
      return { line, message: t('joins too many long strings with operators in one statement') };
    }
    return undefined;
  };
  // A token is about to be read: settle what the line break or block end before it meant.
  const beginToken = (startsStatement: boolean, isElse: boolean) => {
    if (pendingReset) {
      pendingReset = false;
      if (!isElse) reset(top());
    }
    if (lineBreak) {
      lineBreak = false;
      if (startsStatement && (prev === 'value' || prev === 'paren-end' || prev === 'block-end')) reset(top());
    }
  };
  const open = (kind: Frame['kind'], head = false): ShapeProblem | undefined => {
    frames.push({ kind, ops: 0, strings: 0, head });
    if (frames.length - 1 > shapeLimits.nesting) return { line, message: t`nests brackets more than ${shapeLimits.nesting} deep` };
    if (frames.length - 1 + chained > shapeLimits.chain) return { line, message: t`chains more than ${shapeLimits.chain} operators, keywords and brackets in one statement` };
    return undefined;
  };
  // Skips a template's text up to its end or its next `${`; returns true at a `${`.
  const templateText = (): boolean => {
    while (i < n) {
      const c = source[i];
      if (c === 92) {
        if (source[i + 1] === 10) line++;
        i += 2;
      } else if (c === 96) {
        i++;
        return false;
      } else if (c === 36 && source[i + 1] === 123) {
        i += 2;
        return true;
      } else {
        if (c === 10) line++;
        i++;
      }
    }
    return false;
  };

  while (i < n) {
    const c = source[i];
    if (c === 10) {
      line++;
      lineBreak = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    if (c === 47 && source[i + 1] === 47) {
      while (i < n && source[i] !== 10) i++;
      continue;
    }
    if (c === 47 && source[i + 1] === 42) {
      i += 2;
      while (i < n && !(source[i] === 42 && source[i + 1] === 47)) {
        if (source[i] === 10) {
          line++;
          lineBreak = true;
        }
        i++;
      }
      i += 2;
      continue;
    }
    if (isIdentifierStart(c)) {
      const start = i;
      while (i < n && isIdentifierPart(source[i])) i++;
      const word = wordAt(source, start, i);
      const keyword = !afterDot && chainingKeywords.has(word);
      beginToken(!continuingKeywords.has(word), word === 'else' && !afterDot);
      if (keyword) {
        const problem = count(1);
        if (problem) return problem;
      }
      prev = !afterDot && (expressionKeywords.has(word) || keyword) ? 'keyword' : 'value';
      prevWord = afterDot ? '' : word;
      afterDot = false;
      continue;
    }
    if (isDigit(c)) {
      beginToken(true, false);
      while (i < n && (isIdentifierPart(source[i]) || source[i] === 46)) i++;
      prev = 'value';
      prevWord = '';
      afterDot = false;
      continue;
    }
    if (c === 34 || c === 39) {
      beginToken(true, false);
      const start = i++;
      while (i < n && source[i] !== c && source[i] !== 10) {
        if (source[i] === 92 && source[i + 1] === 10) line++;
        i += source[i] === 92 ? 2 : 1;
      }
      if (source[i] === c) i++;
      top().strings += i - start;
      const problem = count(0);
      if (problem) return problem;
      prev = 'value';
      prevWord = '';
      afterDot = false;
      continue;
    }
    if (c === 96) {
      beginToken(false, false);
      // Each template counts as an operator: `tag```` chains them.
      const problem = count(1);
      if (problem) return problem;
      i++;
      if (templateText()) {
        const opened = open('template');
        if (opened) return opened;
        prev = 'open';
      } else prev = 'value';
      prevWord = '';
      afterDot = false;
      continue;
    }
    if (c === 47 && (prev === 'start' || prev === 'operator' || prev === 'open' || prev === 'keyword')) {
      // A regular expression: up to the closing `/` outside a class, on this line.
      beginToken(true, false);
      i++;
      let inClass = false;
      while (i < n && source[i] !== 10) {
        const r = source[i];
        if (r === 92) i++;
        else if (r === 91) inClass = true;
        else if (r === 93) inClass = false;
        else if (r === 47 && !inClass) break;
        i++;
      }
      if (source[i] === 47) i++;
      while (i < n && isIdentifierPart(source[i])) i++;
      prev = 'value';
      prevWord = '';
      afterDot = false;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) {
      beginToken(c === 123, false);
      let kind: Frame['kind'];
      let head = false;
      if (c === 40) {
        head = headKeywords.has(prevWord);
        kind = prev === 'value' || prev === 'paren-end' || head ? 'args' : 'group';
        // A call's parentheses chain too: a()()().
        if (kind === 'args' && !head) {
          const problem = count(1);
          if (problem) return problem;
        }
      } else if (c === 91) {
        // An index: a[0][0] chains, and its commas are comma operators.
        if (prev === 'value' || prev === 'paren-end') {
          const problem = count(1);
          if (problem) return problem;
          kind = 'group';
        } else kind = 'list';
      } else {
        const parent = top().kind;
        const blockAfter =
          prev === 'start' || prev === 'head-end' || prev === 'paren-end' || prev === 'block-end' || (prev === 'value' && prevWord !== '' && !listKeywords.has(prevWord)) || (prev === 'keyword' && blockKeywords.has(prevWord));
        const blockInside = prev === 'open' && (parent === 'block' || parent === 'top');
        kind = blockAfter || blockInside || (prev === 'operator' && prevWord === '=>') ? 'block' : 'object';
      }
      const problem = open(kind, head);
      if (problem) return problem;
      i++;
      prev = 'open';
      prevWord = '';
      afterDot = false;
      continue;
    }
    if (c === 41 || c === 93 || c === 125) {
      beginToken(false, false);
      i++;
      const frame = top();
      const matches = frame.kind !== 'top' && (c === 41 ? frame.kind === 'args' || frame.kind === 'group' : c === 93 ? frame.kind === 'list' || frame.kind === 'group' : frame.kind === 'block' || frame.kind === 'object' || frame.kind === 'template');
      // A stray closer is left open: counting on keeps the scan on the safe side.
      if (!matches) continue;
      reset(frame);
      frames.pop();
      if (frame.kind === 'template') {
        if (templateText()) {
          const opened = open('template');
          if (opened) return opened;
          prev = 'open';
        } else prev = 'value';
      } else if (frame.kind === 'block') {
        pendingReset = true;
        prev = 'block-end';
      } else if (c === 41) prev = frame.head ? 'head-end' : 'paren-end';
      else prev = 'value';
      prevWord = '';
      afterDot = false;
      continue;
    }
    if (c === 59) {
      beginToken(false, false);
      i++;
      reset(top());
      prev = 'start';
      prevWord = '';
      continue;
    }
    if (c === 44) {
      beginToken(false, false);
      i++;
      const kind = top().kind;
      if (kind === 'object' || kind === 'list' || kind === 'args') reset(top());
      else {
        const problem = count(1);
        if (problem) return problem;
      }
      prev = 'operator';
      prevWord = '';
      continue;
    }
    if (operatorChars.has(c)) {
      beginToken(false, false);
      const start = i;
      // A run stops before a `/` that may start a comment or a regular expression: `x=/re/`.
      i++;
      while (i < n && operatorChars.has(source[i]) && source[i] !== 47) i++;
      const problem = count(i - start);
      if (problem) return problem;
      const length = i - start;
      const text = length === 1 && source[start] === 46 ? '.' : length === 2 && source[start] === 63 && source[start + 1] === 46 ? '?.' : length === 2 && source[start] === 61 && source[start + 1] === 62 ? '=>' : '';
      afterDot = text === '.' || text === '?.';
      prev = 'operator';
      prevWord = text;
      continue;
    }
    // Anything else (a backslash, a stray byte) is passed over.
    i++;
  }
  return undefined;
}
