import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runnableCommands, tutorCommand } from '../../src/core/common/invocation.js';
import { repoRoot } from '../helpers/cli.js';

const saved = { PATH: process.env.PATH, LLM_TUTOR_COMMAND: process.env.LLM_TUTOR_COMMAND };

beforeEach(() => {
  // Node's folder only: llm-tutor is not installed (the module remembers the first lookup, made here).
  process.env.PATH = path.dirname(process.execPath);
  delete process.env.LLM_TUTOR_COMMAND;
});
afterEach(() => {
  process.env.PATH = saved.PATH;
  if (saved.LLM_TUTOR_COMMAND === undefined) delete process.env.LLM_TUTOR_COMMAND;
  else process.env.LLM_TUTOR_COMMAND = saved.LLM_TUTOR_COMMAND;
});

describe('tutorCommand', () => {
  test('not on the PATH: node and the path of bin/llm-tutor.js from where the command is printed', () => {
    expect(tutorCommand(repoRoot)).toBe(`node ${path.join('bin', 'llm-tutor.js')}`);
    expect(tutorCommand(path.join(repoRoot, 'llm-tutor-workspace'))).toBe(`node ${path.join('..', 'bin', 'llm-tutor.js')}`);
    // Further away, the absolute path reads better than a climb of folders.
    expect(tutorCommand(path.join(repoRoot, 'llm-tutor-workspace', 'exercises', 'pack'))).toBe(`node ${path.join(repoRoot, 'bin', 'llm-tutor.js')}`);
  });

  test('LLM_TUTOR_COMMAND overrides, and runnableCommands rewrites every quoted command', () => {
    process.env.LLM_TUTOR_COMMAND = 'npx llm-tutor';
    expect(runnableCommands('Run `llm-tutor init` to create one, or `llm-tutor doctor`.', repoRoot)).toBe('Run `npx llm-tutor init` to create one, or `npx llm-tutor doctor`.');
    process.env.LLM_TUTOR_COMMAND = 'llm-tutor';
    expect(runnableCommands('Run `llm-tutor init`.', repoRoot)).toBe('Run `llm-tutor init`.');
  });
});
