import { Chalk } from 'chalk';
import { afterEach, expect, test, vi } from 'vitest';
import { makeChalk } from '../../src/report/chalk.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

test('--no-color (color false) writes plain text', () => {
  vi.stubEnv('NO_COLOR', '');
  expect(makeChalk(false).level).toBe(0);
  expect(makeChalk(false).red('x')).toBe('x');
});

test('a non-empty NO_COLOR writes plain text even without --no-color', () => {
  vi.stubEnv('NO_COLOR', '1');
  expect(makeChalk(true).level).toBe(0);
  expect(makeChalk().level).toBe(0);
});

test('otherwise chalk decides from the terminal and FORCE_COLOR', () => {
  vi.stubEnv('NO_COLOR', '');
  expect(makeChalk(true).level).toBe(new Chalk().level);
  expect(makeChalk().level).toBe(new Chalk().level);
});
