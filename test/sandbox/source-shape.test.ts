import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { findPathologicalShape } from '../../src/sandbox/source-shape.js';
import { repoRoot } from '../helpers/cli.js';

const shapeOf = (source: string) => findPathologicalShape(Buffer.from(source));
const repeat = (text: string, times: number) => text.repeat(times);

/** Every TypeScript file under a folder of the repository. */
function sourcesUnder(folder: string): string[] {
  return readdirSync(path.join(repoRoot, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') || f.endsWith('.tsx'))
    .map((f) => path.join(repoRoot, folder, f));
}

// Shapes that overflowed esbuild's stack, or took it minutes or gigabytes, at 1 MiB; here about 200 KB each.
const pathological: Record<string, [string, RegExp]> = {
  parentheses: [`export const x = ${repeat('(', 100_000)}1${repeat(')', 100_000)};`, /nests brackets more than 500 deep/],
  arrays: [`export const x = ${repeat('[', 100_000)}${repeat(']', 100_000)};`, /nests brackets more than 500 deep/],
  blocks: [`export function f() {${repeat('{', 100_000)}${repeat('}', 100_000)}}`, /nests brackets more than 500 deep/],
  'nested templates': [`export const x = ${repeat('`${', 50_000)}1${repeat('}`', 50_000)};`, /nests brackets|chains more than 1000/],
  'not operators': [`export const x = ${repeat('!', 200_000)}1;`, /chains more than 1000/],
  'unary minus with spaces': [`export const x = ${repeat('- ', 100_000)}1;`, /chains more than 1000/],
  typeof: [`export const x = ${repeat('typeof ', 30_000)}1;`, /chains more than 1000/],
  new: [`class A {}\nexport const x = ${repeat('new ', 50_000)}A;`, /chains more than 1000/],
  calls: [`const a: any = () => a;\nexport const x = a${repeat('()', 100_000)};`, /chains more than 1000/],
  'member chain': [`const a: any = {};\nexport const x = a${repeat('.b', 100_000)};`, /chains more than 1000/],
  'index chain with comma operators': [`const a: any = [];\nexport const x = a[${repeat('1,', 100_000)}1];`, /chains more than 1000/],
  'tagged templates': [`const t = (s: any) => t;\nexport const x = t${repeat('``', 100_000)};`, /chains more than 1000/],
  assignments: [`let a;\nexport const x = ${repeat('a=', 100_000)}1;`, /chains more than 1000/],
  'assignments across lines': [`let a;\nexport const x = a\n${repeat('= a\n', 50_000)};`, /chains more than 1000/],
  exponents: [`export const x = ${repeat('2**', 70_000)}1;`, /chains more than 1000/],
  conditionals: [`const a = 1;\nexport const x = ${repeat('a?a:', 50_000)}a;`, /chains more than 1000/],
  arrows: [`export const x = ${repeat('a=>', 70_000)}1;`, /chains more than 1000/],
  'nested ifs': [`let a = 1;\nexport function f() {${repeat('if(a)\n', 40_000)};}`, /chains more than 1000/],
  'else-if chain': [`let a = 1;\nexport function f() {${repeat('if (a) {}\nelse ', 20_000)}{}}`, /chains more than 1000/],
  labels: [`export function f() {${Array.from({ length: 30_000 }, (_, i) => `l${i}:`).join('')};}`, /chains more than 1000/],
  'comma operators': [`export const x = (${repeat('1,', 100_000)}1);`, /chains more than 1000/],
  'comma operators in a block': [`export function f() { ${repeat('1,', 100_000)}1 }`, /chains more than 1000/],
  'string concatenation': [`export const x = ${Array.from({ length: 500 }, () => `"${'a'.repeat(400)}"`).join('+')};`, /joins too many long strings/],
};

describe('findPathologicalShape', () => {
  test.each(Object.keys(pathological))('%s is refused', (name) => {
    const [source, message] = pathological[name];
    expect(shapeOf(source)?.message).toMatch(message);
  });

  test('every source file of the repository passes: exercises, fixtures, the tutor itself, its tests', () => {
    const files = [...sourcesUnder('exercises'), ...sourcesUnder('fixtures'), ...sourcesUnder('src'), ...sourcesUnder('test')];
    expect(files.length).toBeGreaterThan(100);
    const refused = files.map((file) => ({ file, problem: findPathologicalShape(readFileSync(file)) })).filter((r) => r.problem);
    expect(refused).toEqual([]);
  });

  test('brackets and operators in strings, comments, templates and regular expressions do not count', () => {
    const text = repeat('((([[[{{{!!!', 200);
    const source = [
      `const a = "${text}";`,
      `const b = '${text}';`,
      `// ${text}`,
      `/* ${text}\n${text} */`,
      `const c = \`${text}\${a}${text}\`;`,
      `const d = /\\(\\(\\(\\[[(]{3}/.test(a) ? 1 : 2;`,
      'export { a, b, c, d };',
    ].join('\n');
    expect(shapeOf(source)).toBeUndefined();
  });

  test('long honest shapes pass: flat data, many statements, code without semicolons', () => {
    expect(shapeOf(`export const data = [${repeat('-0.125, ', 100_000)}1];`)).toBeUndefined();
    expect(shapeOf(`export const table = {${Array.from({ length: 20_000 }, (_, i) => `k${i}: -${i}`).join(', ')}};`)).toBeUndefined();
    expect(shapeOf(`let total = 0;\n${repeat('total += Math.max(1, 2) * 3;\n', 20_000)}`)).toBeUndefined();
    expect(shapeOf(`let total = 0\n${repeat('total = total + Math.max(1, 2) * 3\nconsole.log(total)\n', 10_000)}`)).toBeUndefined();
    expect(shapeOf(`export function f(a: number) {\n${repeat('  if (a > 1) { a -= 1 } else if (a < 0) { a += 1 }\n', 5_000)}  return a\n}\n`)).toBeUndefined();
    expect(shapeOf(`export const s = ${Array.from({ length: 300 }, (_, i) => `'line ${i} of a long message'`).join(' +\n  ')};`)).toBeUndefined();
  });

  test('names the line where the limit is passed', () => {
    expect(shapeOf(`const a = 1;\n\n// (((\nexport const x = ${repeat('(', 600)}1${repeat(')', 600)};`)).toEqual({ line: 4, message: 'nests brackets more than 500 deep' });
  });
});
