import { createRequire } from 'node:module';

const requireCjs = createRequire(import.meta.url);

/**
 * esbuild, loaded only on the paths that bundle something. It is a CommonJS
 * package: `require` loads it without the export-name scan that `import()`
 * runs on CommonJS source.
 */
export function loadEsbuild(): typeof import('esbuild') {
  return requireCjs('esbuild') as typeof import('esbuild');
}
