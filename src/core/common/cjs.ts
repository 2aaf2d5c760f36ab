import { createRequire } from 'node:module';

/**
 * Loads a CommonJS package (tfjs, esbuild, semver) as it is. `import()` of
 * CommonJS first scans the whole source for export names, which for tfjs's
 * megabyte builds was about 100 ms of a cold check.
 */
export const requireCjs = createRequire(import.meta.url);

/** esbuild, loaded only on the paths that bundle something. */
export function loadEsbuild(): typeof import('esbuild') {
  return requireCjs('esbuild') as typeof import('esbuild');
}
