import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder that lasts the run: a result one test file computes, another reads instead of computing it again. */
    runCacheDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-test-run-'));
  project.provide('runCacheDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
