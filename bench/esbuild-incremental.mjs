// Bundling one learner file as watch mode does (a fresh esbuild build each save) against
// an incremental esbuild context's rebuild, in one process with esbuild's service warm.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';

/** Returns { full: ms[], incremental: ms[] } over `runs` builds of `learnerFile`. */
export async function measureBundling(root, learnerFile, allowedRoot, runs = 30) {
  const { bundleLearnerFile, harnessBuildOptions } = await import(path.join(root, 'dist', 'sandbox', 'bundle.js'));
  const out = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-esbuild-'));
  const touch = () => {
    const now = new Date();
    utimesSync(learnerFile, now, now);
  };
  const full = [];
  const incremental = [];
  await bundleLearnerFile(learnerFile, allowedRoot, path.join(out, 'bundle.mjs'));
  for (let i = 0; i < runs; i++) {
    touch();
    const started = performance.now();
    await bundleLearnerFile(learnerFile, allowedRoot, path.join(out, 'bundle.mjs'));
    full.push(performance.now() - started);
  }
  // The same options as the fresh build, kept in memory and written by hand as watch mode would.
  const context = await esbuild.context({ ...harnessBuildOptions({ main: learnerFile }, allowedRoot, path.join(out, 'bundle.mjs')), write: false });
  await context.rebuild();
  for (let i = 0; i < runs; i++) {
    touch();
    const started = performance.now();
    const result = await context.rebuild();
    writeFileSync(path.join(out, 'bundle.mjs'), result.outputFiles[0].contents);
    incremental.push(performance.now() - started);
  }
  await context.dispose();
  rmSync(out, { recursive: true, force: true });
  return { full, incremental };
}
