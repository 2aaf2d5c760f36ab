import os from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/helpers/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file more than there are cores. Vitest's default is one less (a single file at a time on two cores),
    // but most files spend much of their time waiting for the processes they start (the CLI, sandbox children,
    // tmux, chromium): on two cores, a whole run took 645 s with two files at a time and 505 s with three.
    maxWorkers: os.availableParallelism() + 1,
    sequence: { sequencer: SlowFirstSequencer },
    globalSetup: ['./test/helpers/global-setup.ts'],
    // English unless a test asks for another language: the machine's locale must not change what the tests read.
    env: { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '', LLM_TUTOR_LANG: '' },
    // The default output, then one line naming the tests a missing chromium, tmux or bubblewrap kept from running here.
    reporters: ['default', './test/helpers/tools-reporter.ts'],
  },
});
