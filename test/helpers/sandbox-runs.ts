import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleLearnerFile } from '../../src/sandbox/bundle.js';
import { bundleFileName } from '../../src/sandbox/run-child.js';

/**
 * A run folder under `root` holding `source` bundled as a learner file
 * (`exercises/learner.ts` beside it), ready for a sandbox child: a fresh
 * folder on every call.
 */
export async function bundledRunDir(root: string, source: string): Promise<string> {
  const dir = path.join(root, `r${bundledRunDir.count++}`);
  const exercises = path.join(dir, 'exercises');
  mkdirSync(exercises, { recursive: true });
  mkdirSync(path.join(dir, 'run'));
  writeFileSync(path.join(exercises, 'learner.ts'), source);
  const bundle = await bundleLearnerFile(path.join(exercises, 'learner.ts'), exercises, path.join(dir, 'run', bundleFileName));
  if (!bundle.ok) throw new Error(bundle.problem.message);
  return path.join(dir, 'run');
}
bundledRunDir.count = 0;
