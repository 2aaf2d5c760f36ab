import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { choosePager, showInPager } from '../../src/launch/pager.js';
import { tempDir } from '../helpers/cli.js';

const terminal = { isTTY: true, paging: true };

describe('choosing a pager', () => {
  test('never pages when stdout is not a terminal, whatever PAGER says', () => {
    expect(choosePager({ isTTY: false, paging: true }, { PAGER: 'less' })).toBeUndefined();
    expect(choosePager({ isTTY: false, paging: true }, {})).toBeUndefined();
  });

  test('--no-pager prints', () => {
    expect(choosePager({ isTTY: true, paging: false }, { PAGER: 'less' })).toBeUndefined();
  });

  test('PAGER=cat and an empty PAGER print', () => {
    expect(choosePager(terminal, { PAGER: 'cat' })).toBeUndefined();
    expect(choosePager(terminal, { PAGER: '' })).toBeUndefined();
  });

  test('less by default, told to quit on one screen and keep colours', () => {
    const pager = choosePager(terminal, { TERM: 'xterm' });
    expect(pager).toMatchObject({ command: 'less', args: [], env: { TERM: 'xterm', LESS: 'FRX', LV: '-c' } });
  });

  test("the learner's LESS is kept", () => {
    expect(choosePager(terminal, { LESS: '-S' })?.env.LESS).toBe('-S');
  });

  test('LLM_TUTOR_PAGER comes before PAGER, and may be set empty to print', () => {
    expect(choosePager(terminal, { LLM_TUTOR_PAGER: 'most -s', PAGER: 'less' })).toMatchObject({ command: 'most', args: ['-s'] });
    expect(choosePager(terminal, { LLM_TUTOR_PAGER: '', PAGER: 'less' })).toBeUndefined();
    expect(choosePager(terminal, { PAGER: '"my pager" -r' })).toMatchObject({ command: 'my pager', args: ['-r'] });
  });
});

describe('showing text in a pager', () => {
  // The tutor's own SIGINT handler (it ends sandbox children), which paging must hand back exactly once.
  const tutorHandler = () => {};
  beforeEach(() => {
    process.on('SIGINT', tutorHandler);
  });
  afterEach(() => {
    process.off('SIGINT', tutorHandler);
  });

  test('the pager reads the whole text, with its environment; the SIGINT handlers are given back', async () => {
    const handlers = process.listeners('SIGINT');
    const out = path.join(tempDir(), 'paged.txt');
    const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(${JSON.stringify(out)},process.env.LESS+'|'+s))`;
    const shown = await showInPager('line one\nline two', { command: process.execPath, args: ['-e', script], env: { ...process.env, LESS: 'FRX' } });
    expect(shown).toBe(true);
    expect(await fs.readFile(out, 'utf8')).toBe('FRX|line one\nline two\n');
    expect(process.listeners('SIGINT')).toEqual(handlers);
  });

  test('a pager that quits before reading everything is not an error', async () => {
    const shown = await showInPager('x'.repeat(1 << 20), { command: process.execPath, args: ['-e', 'process.exit(0)'], env: process.env });
    expect(shown).toBe(true);
  });

  test('a pager that cannot be started says so, so that the caller prints', async () => {
    const handlers = process.listeners('SIGINT');
    expect(await showInPager('text', { command: 'llm-tutor-no-such-pager', args: [], env: process.env })).toBe(false);
    // Its late close, if any, must not give the handlers back a second time.
    await new Promise((resolve) => setImmediate(resolve));
    expect(process.listeners('SIGINT')).toEqual(handlers);
  });
});
