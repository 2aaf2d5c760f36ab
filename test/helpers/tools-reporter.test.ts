import { describe, expect, test } from 'vitest';
import type { TestModule } from 'vitest/node';
import { notRunLine } from './tools-reporter.js';
import type { ToolNeed } from './tools.js';

/** A test module as the reporter sees it: skipped tests, each needing a tool by itself or through its describe block. */
function moduleOf(...tests: { needs?: ToolNeed; inSuite?: ToolNeed }[]): TestModule {
  const module = { type: 'module' } as const;
  const cases = tests.map(({ needs, inSuite }) => {
    const suite = { type: 'suite', parent: module, meta: () => ({ needs: inSuite }) };
    return { type: 'test', parent: suite, meta: () => ({ needs }) };
  });
  return { ...module, children: { *allTests() { yield* cases; } } } as unknown as TestModule;
}

describe('the line about tests a missing tool kept from running', () => {
  test('counts each tool once, in a fixed order, with its reason, from the test or its describe block', () => {
    const tmux = { tool: 'tmux', why: 'not installed' } as const;
    const bwrap = { tool: 'bubblewrap', why: 'not usable: bwrap: setting up uid map: Permission denied' } as const;
    const chromium = { tool: 'chromium', why: 'not installed' } as const;
    const line = notRunLine([moduleOf({ inSuite: bwrap }, { needs: tmux }, { inSuite: bwrap }), moduleOf({ needs: chromium }, { needs: chromium })]);
    expect(line).toBe('Not run here: 2 tests need chromium (not installed), 1 needs tmux (not installed), 2 need bubblewrap (not usable: bwrap: setting up uid map: Permission denied); CI runs them all.');
    expect(notRunLine([moduleOf({ needs: tmux })])).toBe('Not run here: 1 test needs tmux (not installed); CI runs them all.');
  });

  test('says nothing when the tools are here and tests were skipped for other reasons', () => {
    expect(notRunLine([moduleOf({}, { needs: { tool: 'tmux' } })])).toBeUndefined();
    expect(notRunLine([])).toBeUndefined();
  });
});
