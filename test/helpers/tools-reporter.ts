import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import type { Tool, ToolNeed } from './tools.js';

const order: Tool[] = ['chromium', 'tmux', 'bubblewrap'];

/** The tool a test needs, marked by `needs()` on the test or on a describe block around it. */
function needOf(test: TestCase): ToolNeed | undefined {
  let task: TestCase | TestCase['parent'] = test;
  while (task.type !== 'module') {
    const need = task.meta().needs;
    if (need) return need;
    task = task.parent;
  }
  return undefined;
}

/**
 * The line that says which tests did not run on this machine for want of a
 * tool, and why: "Not run here: 2 tests need chromium (not installed), 1
 * needs tmux (not installed); CI runs them all." Undefined when all ran.
 */
export function notRunLine(modules: ReadonlyArray<TestModule>): string | undefined {
  const skipped = new Map<Tool, { count: number; why: string }>();
  for (const module of modules) {
    for (const test of module.children.allTests('skipped')) {
      const need = needOf(test);
      // A test skipped for another reason (a -t filter, say) where the tool works is not for want of it.
      if (!need?.why) continue;
      const entry = skipped.get(need.tool) ?? { count: 0, why: need.why };
      entry.count++;
      skipped.set(need.tool, entry);
    }
  }
  if (skipped.size === 0) return undefined;
  const parts = order
    .filter((tool) => skipped.has(tool))
    .map((tool, i) => {
      const { count, why } = skipped.get(tool)!;
      const subject = i === 0 ? `${count} test${count === 1 ? '' : 's'}` : String(count);
      return `${subject} need${count === 1 ? 's' : ''} ${tool} (${why})`;
    });
  return `Not run here: ${parts.join(', ')}; CI runs them all.`;
}

/** Adds one line at the end of a run, after the default reporter's summary: the tests a missing tool kept from running. */
export default class ToolsReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const line = notRunLine(modules);
    if (line) this.vitest?.logger.log(line);
  }
}
