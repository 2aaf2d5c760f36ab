/**
 * Reading an exercise's `signature` string (`maskedAttention(q: Matrix, …,
 * mask: boolean[][]): Matrix`) for the names of its parameters, so that a
 * case's arguments can be shown by name. A small scanner of TypeScript's
 * parameter list, not a TypeScript parser: it knows brackets, strings and `=>`.
 */

/** One parameter of a signature. */
export interface SignatureParameter {
  /** Its name; a destructured parameter is named by its pattern (`{ q, k }`). */
  name: string;
  /** Its type as written, when it has one. */
  type?: string;
  /** `x?: T` or `x = default`. */
  optional: boolean;
  /** `...xs: T[]`: it takes every remaining argument. */
  rest: boolean;
}

export interface ParsedSignature {
  entry: string;
  parameters: SignatureParameter[];
}

const identifier = /^[A-Za-z_$][\w$]*/;
const opening: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };

/**
 * The index just past the bracket that closes the one at `start`, or -1 when
 * it is never closed. Strings are skipped, and the `>` of an arrow `=>` closes nothing.
 */
function closingIndex(text: string, start: number): number {
  const stack: string[] = [];
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      i = stringEnd(text, i);
      if (i < 0) return -1;
    } else if (ch in opening) {
      stack.push(opening[ch]);
    } else if (ch === '>' && text[i - 1] === '=') {
      continue;
    } else if (ch === ')' || ch === ']' || ch === '}' || ch === '>') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** The index of the quote that ends the string starting at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/** `text` cut at its top-level commas (none inside brackets or strings). */
function splitTopLevel(text: string): string[] | undefined {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch in opening || ch === '"' || ch === "'" || ch === '`') {
      const end = ch in opening ? closingIndex(text, i) : stringEnd(text, i) + 1;
      if (end <= 0) return undefined;
      i = end - 1;
    } else if (ch === ',') {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim()).filter((p, i, all) => p !== '' || i < all.length - 1);
}

/** One parameter as written (`...xs: T[]`, `{ a, b }: Opts`, `n?: number`, `n = 3`), or undefined when it is none of these. */
function parameter(text: string): SignatureParameter | undefined {
  const rest = text.startsWith('...');
  let body = rest ? text.slice(3).trimStart() : text;
  let name: string;
  if (body[0] === '{' || body[0] === '[') {
    const end = closingIndex(body, 0);
    if (end < 0) return undefined;
    name = body.slice(0, end).replace(/\s+/g, ' ');
    body = body.slice(end);
  } else {
    const match = identifier.exec(body);
    if (!match) return undefined;
    name = match[0];
    body = body.slice(name.length);
  }
  body = body.trimStart();
  let optional = false;
  if (body.startsWith('?')) {
    optional = true;
    body = body.slice(1).trimStart();
  }
  let type: string | undefined;
  if (body.startsWith(':')) {
    const typeAndDefault = splitDefault(body.slice(1));
    type = typeAndDefault.type;
    optional ||= typeAndDefault.hasDefault;
  } else if (body.startsWith('=')) {
    optional = true;
  } else if (body !== '') {
    return undefined;
  }
  if (type === '') return undefined;
  return { name, type, optional, rest };
}

/** A type annotation and whether a default value follows it (`T = 3`). */
function splitDefault(text: string): { type: string; hasDefault: boolean } {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch in opening || ch === '"' || ch === "'" || ch === '`') {
      const end = ch in opening ? closingIndex(text, i) : stringEnd(text, i) + 1;
      if (end <= 0) break;
      i = end - 1;
    } else if (ch === '=' && text[i + 1] !== '>') {
      return { type: text.slice(0, i).trim(), hasDefault: true };
    }
  }
  return { type: text.trim(), hasDefault: false };
}

/**
 * The function name and parameters of a signature such as
 * `f<T>(x: T[], { a, b }: Opts, n = 3, ...rest: number[]): T`, or undefined
 * when it does not read as one (no name, brackets that do not close, a
 * parameter that is not `name`, `name?`, `name: type`, `name = value` or a pattern).
 */
export function parseSignature(signature: string): ParsedSignature | undefined {
  const text = signature.trim().replace(/^(export\s+)?(async\s+)?(function\s+)?/, '');
  const match = identifier.exec(text);
  if (!match) return undefined;
  let at = match[0].length;
  while (text[at] === ' ') at++;
  if (text[at] === '<') {
    at = closingIndex(text, at);
    if (at < 0) return undefined;
    while (text[at] === ' ') at++;
  }
  if (text[at] !== '(') return undefined;
  const end = closingIndex(text, at);
  if (end < 0) return undefined;
  const after = text.slice(end).trim();
  if (after !== '' && !after.startsWith(':')) return undefined;
  const parts = splitTopLevel(text.slice(at + 1, end - 1));
  if (!parts) return undefined;
  const parameters: SignatureParameter[] = [];
  for (const part of parts) {
    const p = parameter(part);
    if (!p) return undefined;
    parameters.push(p);
  }
  return { entry: match[0], parameters };
}

/**
 * A name for each of `count` arguments: the signature's parameter names
 * (a rest parameter's as `xs[0]`, `xs[1]`…), and `arg1`, `arg2`… where the
 * signature does not parse or names fewer parameters.
 */
export function argumentNames(signature: string, count: number): string[] {
  const parameters = parseSignature(signature)?.parameters ?? [];
  return Array.from({ length: count }, (_, i) => {
    const restAt = parameters.findIndex((p) => p.rest);
    if (restAt >= 0 && i >= restAt) return `${parameters[restAt].name}[${i - restAt}]`;
    return parameters[i]?.name ?? `arg${i + 1}`;
  });
}
