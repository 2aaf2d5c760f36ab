import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { catalogKey, catalogOf } from '../../src/i18n/i18n.js';
import { zhCNParts } from '../../src/i18n/zh-CN/index.js';

/**
 * The zh-CN catalog held to the code: every text the code passes to `t` (a
 * tagged template or a call with a literal) has a translation with the same
 * placeholders, and the catalog has no key the code no longer uses.
 */
const srcDir = path.join(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return full.endsWith(`${path.sep}i18n`) ? [] : sourceFiles(full);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The catalog keys of the `t` texts in a file, with where each is. */
function keysIn(file: string): { key: string; where: string }[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: { key: string; where: string }[] = [];
  const where = (node: ts.Node) => `${path.relative(srcDir, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node) => {
    const isT = (e: ts.Expression) => ts.isIdentifier(e) && e.text === 't';
    if (ts.isTaggedTemplateExpression(node) && isT(node.tag)) {
      const tpl = node.template;
      const pieces = ts.isNoSubstitutionTemplateLiteral(tpl) ? [tpl.text] : [tpl.head.text, ...tpl.templateSpans.map((s) => s.literal.text)];
      found.push({ key: catalogKey(pieces), where: where(node) });
    } else if (ts.isCallExpression(node) && isT(node.expression) && node.arguments.length > 0) {
      const first = node.arguments[0];
      if (ts.isStringLiteralLike(first)) found.push({ key: first.text, where: where(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The plural() nouns: their singular is a catalog key (`plural(n, 'case')`). */
function pluralNouns(file: string): { key: string; where: string }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: { key: string; where: string }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'plural' && node.arguments.length > 1 && ts.isStringLiteralLike(node.arguments[1])) {
      found.push({ key: node.arguments[1].text, where: `${path.relative(srcDir, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const placeholders = (text: string) => [...new Set(text.match(/\{\d+\}/g) ?? [])].sort();

const used = sourceFiles(srcDir).flatMap(keysIn);
const nouns = sourceFiles(srcDir).flatMap(pluralNouns);
const zh = await catalogOf('zh-CN');

describe('the zh-CN catalog', () => {
  test('the code passes texts to t (the scan finds them)', () => {
    expect(used.length).toBeGreaterThan(100);
  });

  test('every text passed to t has a zh-CN translation', () => {
    const missing = used.filter((u) => !Object.hasOwn(zh, u.key)).map((u) => `${u.where}: ${JSON.stringify(u.key)}`);
    expect([...new Set(missing)]).toEqual([]);
  });

  test('every noun counted by plural() has a zh-CN counted noun', () => {
    const missing = nouns.filter((u) => !Object.hasOwn(zh, u.key)).map((u) => `${u.where}: ${JSON.stringify(u.key)}`);
    expect([...new Set(missing)]).toEqual([]);
  });

  test('each translation has the placeholders of its English, and some Chinese in it', () => {
    const wrong = Object.entries(zh).filter(([en, text]) => placeholders(en).join() !== placeholders(text).join() || (/[a-z]{3}/i.test(en) && !/\p{Script=Han}/u.test(text) && text !== en));
    expect(wrong).toEqual([]);
  });

  test('no key is unused, and none is in two parts of the catalog', () => {
    const keys = new Set([...used, ...nouns].map((u) => u.key));
    expect(Object.keys(zh).filter((k) => !keys.has(k))).toEqual([]);
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [part, texts] of Object.entries(zhCNParts)) {
      for (const key of Object.keys(texts)) {
        if (seen.has(key)) twice.push(`${JSON.stringify(key)} in ${seen.get(key)} and ${part}`);
        seen.set(key, part);
      }
    }
    expect(twice).toEqual([]);
  });
});
