import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

/** The import specifiers of every TypeScript file under a folder of src, by file. */
function importsUnder(folder: string): { file: string; specifier: string }[] {
  const root = path.join(repoRoot, 'src', folder);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .flatMap((f) => [...readFileSync(path.join(root, f), 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => ({ file: path.join(folder, f), specifier: m[1] })));
}

describe('which modules import which', () => {
  test('commands do not import the CLI that loads them (Io and GlobalOptions come from commands/io.ts)', () => {
    const imports = importsUnder('commands');
    expect(imports.filter((i) => i.specifier === './io.js').length).toBeGreaterThan(10);
    expect(imports.filter((i) => i.specifier === '../cli.js')).toEqual([]);
  });

  test('the core imports no React, ink or chalk', () => {
    expect(importsUnder('core').filter((i) => /^(react|ink|chalk)(\/|$)/.test(i.specifier))).toEqual([]);
  });

  test('the UI starts no editor itself: it asks the session', () => {
    expect(importsUnder('ui').filter((i) => i.specifier.includes('launch/'))).toEqual([]);
  });
});
