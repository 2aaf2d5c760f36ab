import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, longest first (measured in a full run on two
 * cores, three files at a time). Vitest orders files by the durations it
 * cached from the last run, and a clean clone or a CI runner has none: it
 * would start with the largest files, and a long one drawn last would run
 * alone while the other workers idle. Started first, the long files run
 * beside the many short ones.
 */
export const slowestFiles = [
  'test/e2e/bench.test.ts',
  'test/e2e/adversarial.test.ts',
  'test/e2e/packs.test.ts',
  'test/exercises/pack.test.ts',
  'test/e2e/crash-safety.test.ts',
  'test/exercises/mini-gpt/forward.test.ts',
  'test/e2e/commands.test.ts',
  'test/exercises/mini-gpt/perplexity.test.ts',
  'test/e2e/adversarial-bundling.test.ts',
  'test/mini-gpt/models.test.ts',
  'test/e2e/grading.test.ts',
  'test/e2e/play.test.ts',
  'test/e2e/kinds.test.ts',
  'test/core/fuzz.test.ts',
  'test/e2e/pack-authoring.test.ts',
  'test/e2e/package.test.ts',
  'test/e2e/grade.test.ts',
  'test/exercises/mini-gpt/generate.test.ts',
  'test/e2e/several-packs.test.ts',
  'test/e2e/interactive.test.ts',
];

/** The listed slow files first, in the list's order; the others after them, in vitest's own order. */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = slowestFiles.indexOf(path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join('/'));
      return i < 0 ? slowestFiles.length : i;
    };
    // Array.prototype.sort is stable: files of equal rank keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
