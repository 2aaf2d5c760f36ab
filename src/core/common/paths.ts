import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';

/** `to` relative to `from` with / separators, `.` when they are the same: how results files and messages write a path. */
export function posixRelative(from: string, to: string): string {
  return (path.relative(from, to) || '.').split(path.sep).join('/');
}

/** The root of the installed llm-tutor package (holds dist/, exercises/, fixtures/). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Folder of the built-in packs, one sub-folder per pack. */
export const builtinPacksDir = path.join(packageRoot, 'exercises');

/** The compiled module pack definitions import as `llm-tutor/pack`. */
export const packApiFile = path.join(packageRoot, 'dist', 'pack-api.js');

/** The sandbox harness as one self-contained module (scripts/build-harness.mjs): the program every sandbox child runs. */
export const harnessFile = path.join(packageRoot, 'dist', 'sandbox', 'harness-child.mjs');

/** tfjs-core's gradient functions, bundled at build time (scripts/build-harness.mjs). */
export const tfGradientsFile = path.join(packageRoot, 'dist', 'reference', 'tf-gradients.cjs');

/**
 * The tutor's cache folder: compiled exercise definitions (so `hint` and `check` skip esbuild when nothing
 * changed), the last bubblewrap probe that worked, and the definition digests of passed exercises with the
 * files they were computed from. LLM_TUTOR_CACHE_DIR, else $XDG_CACHE_HOME/llm-tutor, else ~/.cache/llm-tutor.
 */
export function cacheDir(): string {
  if (process.env.LLM_TUTOR_CACHE_DIR) return process.env.LLM_TUTOR_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'llm-tutor');
}
