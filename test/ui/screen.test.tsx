import { afterEach, describe, expect, test, vi } from 'vitest';
import { compareOutputs } from '../../src/core/grading/compare.js';
import type { ExerciseRef, Pack } from '../../src/core/packs/packs.js';
import type { CaseResult, Verdict } from '../../src/core/grading/verdict.js';
import type { WatchSession, WatchSnapshot } from '../../src/core/workspace/watch-session.js';
import { previewNamed } from '../../src/core/grading/value-preview.js';
import { App } from '../../src/ui/App.js';
import { ListView } from '../../src/ui/ListView.js';
import { layoutBody } from '../../src/ui/screen-layout.js';
import type { Section } from '../../src/ui/verdict-lines.js';
import { plainText } from '../../src/report/lines.js';
import { afterPassSections } from '../../src/core/packs/lesson-sections.js';
import { textWidth } from '../../src/report/wrap.js';
import { plain, renderSized } from './helpers.js';

const pack = { manifest: { id: 'transformer-core', title: 'Transformer core', version: '0.3.0' } } as unknown as Pack;
const exercise: ExerciseRef = { packId: 'transformer-core', id: 'attention/padding-mask', key: 'transformer-core/attention/padding-mask', title: 'Attention with a padding mask', dir: '/x', number: 6, pack };

/** The longest verdict a pack produces: many long-named cases, a 10×10 diff with its heatmap, a diagnosis, notes, a source line, much output. */
function longestVerdict(): Verdict {
  const want = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => i + j / 10));
  const got = want.map((row) => row.map((x, j) => (j % 3 === 0 ? x + 0.5 : x)));
  const result = compareOutputs(want, got, { atol: 1e-5, rtol: 1e-4 });
  if (result.ok) throw new Error('expected a mismatch');
  const cases: CaseResult[] = Array.from({ length: 30 }, (_, i) => ({
    index: i,
    name: `random case ${i} with a name much longer than any column: queries 7, keys 9, padding on the right of rows 2 and 5`,
    status: i % 4 === 0 ? 'pass' : 'fail',
    ...(i === 1
      ? {
          mismatch: result.mismatch,
          message: result.mismatch.message,
          input: '[[1, 0, 1, 0], [0, 2, 0, 2]], [[true, false, true]]',
          args: previewNamed(['q', 'mask'], [want, want.map((row) => row.map((_, j) => j % 2 === 0))]),
          trace: previewNamed(['scores', 'weights'], [got, want]),
        }
      : {}),
  }));
  return {
    exerciseKey: exercise.key,
    exerciseId: exercise.id,
    packId: exercise.packId,
    learnerFile: '/ws/exercises/transformer-core/attention/padding-mask.ts',
    learnerFiles: [],
    status: 'fail',
    summary: '8 of 30 cases pass; first failing: "random case 1 with a name much longer than any column: queries 7, keys 9".',
    cases,
    firstFailure: 1,
    diagnosis: { misconceptionId: 'mask-ignored', title: 'the mask is not applied', message: 'Your output is plain attention: every query sees every key. '.repeat(4), matched: 22, failing: 22, confidence: 'full' },
    error: { kind: 'throw', message: 'boom', location: { file: '/ws/exercises/transformer-core/attention/padding-mask.ts', line: 12, column: 5, lineText: '    const scores = q.map((row) => row.map((x) => x * scale)); // a long line of code' } },
    notes: ['This file imports softmax.ts (transformer-core/foundations/softmax), which does not pass yet: if its code is wrong, this exercise fails too.', 'Your function changed its argument mask in place.'],
    output: { stdout: Array.from({ length: 40 }, (_, i) => `debug line ${i}: ${'x'.repeat(150)}`).join('\n'), stderr: '', droppedBytes: 0 },
    seed: 1,
    tolerance: { atol: 1e-5, rtol: 1e-4 },
    backend: 'wasm',
    durationMs: 912,
    timings: { referenceMs: 1, bundleMs: 1, sandboxMs: 1 },
  };
}

function fakeSession(verdict: Verdict) {
  let snapshot: WatchSnapshot = {
    exercise,
    exercises: [exercise],
    progress: { version: 1, exercises: {} } as unknown as WatchSnapshot['progress'],
    learnerFile: '/ws/exercises/transformer-core/attention/padding-mask.ts',
    lessonSummary: 'Sequences in a batch have different lengths, so the short ones are padded to a common length with tokens that mean nothing. '.repeat(3),
    afterPass: { properties: [] },
    phase: 'idle',
    verdict,
    hints: [
      { label: 'Hint for “the mask is not applied”', text: 'Which keys may query i see? '.repeat(5) },
      { label: 'Hint 1/3', text: 'Work one query at a time. '.repeat(6) },
      { label: 'Hint 2/3', text: 'A query that sees no key returns zeros. '.repeat(4) },
    ],
    watching: 'files',
    notice: 'Watching your files is slow on this file system. '.repeat(3),
  };
  const listeners = new Set<(s: WatchSnapshot) => void>();
  const session = {
    getSnapshot: () => snapshot,
    subscribe: (listener: (s: WatchSnapshot) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    passed: false,
    revealHint: vi.fn(async () => {}),
    setNotice: vi.fn(),
    openEditor: vi.fn(),
  };
  const set = (patch: Partial<WatchSnapshot>) => {
    snapshot = { ...snapshot, ...patch };
    for (const listener of listeners) listener(snapshot);
  };
  return { session: session as unknown as WatchSession, set, fake: session };
}

const sizes: [number, number][] = [
  [80, 24],
  [100, 30],
  [120, 40],
];

/** Every rule the screen keeps in a frame: no taller than the terminal (one row spare), no row wider, the header and the verdict line in view. */
function expectFits(frame: string, columns: number, rows: number) {
  const lines = plain(frame).replace(/\n$/, '').split('\n');
  expect(lines.length, plain(frame)).toBeLessThanOrEqual(rows - 1);
  for (const text of lines) expect(textWidth(text), text).toBeLessThanOrEqual(columns);
  expect(lines[0]).toContain('Transformer core');
  expect(lines[0]).toMatch(/\d+\/1 solved$/);
  expect(lines[1]).toContain('6. Attention with a padding mask');
  expect(lines.some((text) => text.startsWith(' FAIL  8/30 cases pass'))).toBe(true);
  expect(lines.some((text) => text.includes('Likely mistake: the mask is not applied'))).toBe(true);
  expect(lines[lines.length - 1]).toMatch(/^h hint/);
}

afterEach(() => vi.restoreAllMocks());

describe('the screen fits the terminal', () => {
  test.each(sizes)('at %i×%i the longest verdict keeps the header, the verdict line and the key bar in view', async (columns, rows) => {
    const { session } = fakeSession(longestVerdict());
    const screen = renderSized(<App session={session} cwd="/ws" />, columns, rows);
    await vi.waitFor(() => expect(screen.frames.length).toBeGreaterThan(0));
    for (const frame of screen.frames) expectFits(frame, columns, rows);
    // It scrolls: the line of sections is there, and the first failure's case is shown first.
    expect(plain(screen.lastFrame())).toMatch(/1 cases · +2 failure +· 3 mistake/);
    expect(plain(screen.lastFrame())).toContain('Case “random case 1');
    screen.unmount();
  });

  test('keys scroll the body and jump between its sections; every frame still fits', async () => {
    const { session, fake } = fakeSession(longestVerdict());
    const screen = renderSized(<App session={session} cwd="/ws" />, 80, 24);
    await vi.waitFor(() => expect(screen.frames.length).toBeGreaterThan(0));
    const press = async (key: string, check: (frame: string) => boolean) => {
      screen.stdin.write(key);
      await vi.waitFor(() => {
        const frame = plain(screen.lastFrame());
        expect(check(frame), `after ${JSON.stringify(key)}:\n${frame}`).toBe(true);
      });
    };
    await press('\t', (f) => /3 mistake /.test(f) && f.includes('│ Your output is plain attention'));
    await press('\u001B[B', (f) => !f.includes('╭──'));
    // The arguments by name, a 10×10 matrix with its middle rows left out (the first and last three shown).
    await press('4', (f) => /4 inputs /.test(f) && f.includes('q  number[10][10]') && /^ {2}9 /m.test(f) && !/^ {2}5 /m.test(f));
    // e shows more of them: all ten rows.
    await press('e', (f) => /^ {2}5 /m.test(f) && /^ {2}4 /m.test(f));
    await press('5', (f) => /5 inside /.test(f) && f.includes('Inside the reference, on these arguments') && f.includes('scores  number[10][10]'));
    await press('6', (f) => /6 output /.test(f) && f.includes('Your console output'));
    await press('\u001B[Z', (f) => /5 inside /.test(f));
    await press('\u001B[D', (f) => /4 inputs /.test(f));
    await press('\u001B[D', (f) => /3 mistake /.test(f));
    await press('1', (f) => f.includes('8 of 30 cases pass'));
    await press('h', (f) => / 7 hints/.test(f) && f.includes('Hint for “the mask is not applied”\n  Which keys'));
    expect(fake.revealHint).toHaveBeenCalledTimes(1);
    for (const frame of screen.frames) expectFits(frame, 80, 24);
    screen.unmount();
  });

  test('a resize lays the screen out again for the new size', async () => {
    const { session } = fakeSession(longestVerdict());
    const screen = renderSized(<App session={session} cwd="/ws" />, 120, 40);
    await vi.waitFor(() => expect(screen.frames.length).toBeGreaterThan(0));
    const before = screen.frames.length;
    screen.stdout.resize(80, 24);
    await vi.waitFor(() => expect(screen.frames.length).toBeGreaterThan(before));
    await vi.waitFor(() => expectFits(screen.lastFrame(), 80, 24));
    // Narrowing clears the screen first, so that nothing of the wider frame is left behind.
    expect(screen.frames.slice(before).some((frame) => frame.includes('\u001B[2J'))).toBe(true);
    screen.unmount();
  });

  test('a verdict that fits is shown whole, without the line of sections', async () => {
    const verdict = longestVerdict();
    const small: Verdict = { ...verdict, cases: verdict.cases.slice(0, 3).map(({ args: _args, trace: _trace, ...c }) => c), notes: [], error: undefined, output: { stdout: '', stderr: '', droppedBytes: 0 }, diagnosis: { ...verdict.diagnosis!, message: 'Mask it.' } };
    const { session, set } = fakeSession(small);
    set({ hints: [], notice: undefined });
    const screen = renderSized(<App session={session} cwd="/ws" />, 120, 40);
    await vi.waitFor(() => expect(plain(screen.lastFrame())).toContain('Mask it.'));
    expect(plain(screen.lastFrame())).not.toContain('tab: next');
    screen.unmount();
  });
});

describe('after a pass', () => {
  const lesson = [
    '# Attention with a padding mask',
    '',
    '**The idea.** Mask the padding.',
    '',
    '## Check yourself',
    '',
    'Shuffle the keys and values together: the output must not change.',
    '',
    '## What it is for',
    '',
    'Batches.',
    '',
    '## In practice: PyTorch and TensorFlow.js',
    '',
    'PyTorch takes the mask as an argument:',
    '',
    '```python',
    'result = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)',
    '```',
    '',
    '**What differs.** A boolean `attn_mask` in PyTorch is True where a key may be seen.',
  ].join('\n');

  function passed(): Verdict {
    const verdict = longestVerdict();
    const cases = verdict.cases.slice(0, 4).map((c): CaseResult => ({ index: c.index, name: c.name, status: 'pass' }));
    return { ...verdict, status: 'pass', summary: 'All 4 cases pass.', cases, firstFailure: undefined, diagnosis: undefined, error: undefined, notes: [], output: { stdout: '', stderr: '', droppedBytes: 0 } };
  }

  test.each(sizes)('at %i×%i the screen shows the properties checked, the lesson’s “Check yourself” and “In practice”, and still fits', async (columns, rows) => {
    const { session, set } = fakeSession(passed());
    set({ hints: [], notice: undefined, afterPass: { ...afterPassSections(lesson), properties: ['permuting keys and values together leaves the output unchanged'] } });
    const screen = renderSized(<App session={session} cwd="/ws" />, columns, rows);
    await vi.waitFor(() => expect(plain(screen.lastFrame())).toMatch(/check yourself|Check yourself/));
    // Every part reachable: scroll through the body with the down arrow and collect what is shown.
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      for (const row of plain(screen.lastFrame()).split('\n')) seen.add(row.trim());
      screen.stdin.write('\u001B[B');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const all = [...seen].join('\n');
    expect(all).toContain('✓ permuting keys and values together leaves the output unchanged');
    expect(all).toContain('Shuffle the keys and values together');
    expect(all).toContain('In practice: PyTorch and TensorFlow.js');
    expect(all).toContain('result = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)');
    expect(all).toContain('What differs. A boolean attn_mask');
    // The lesson's other sections are not part of it.
    expect(all).not.toContain('Batches.');
    for (const frame of screen.frames) {
      const lines = plain(frame).replace(/\n$/, '').split('\n');
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const text of lines) expect(textWidth(text), text).toBeLessThanOrEqual(columns);
    }
    screen.unmount();
  });

  test('a failing verdict does not show them', async () => {
    const { session, set } = fakeSession(longestVerdict());
    set({ afterPass: { ...afterPassSections(lesson), properties: ['a property'] } });
    const screen = renderSized(<App session={session} cwd="/ws" />, 120, 40);
    await vi.waitFor(() => expect(plain(screen.lastFrame())).toContain('FAIL'));
    expect(plain(screen.lastFrame())).not.toMatch(/check yourself|in practice/);
    screen.unmount();
  });
});

describe('the exercise list fits the terminal', () => {
  test('26 exercises with long titles at 80×24: one row each, cut, never wrapped', async () => {
    const refs: ExerciseRef[] = Array.from({ length: 26 }, (_, i) => ({ ...exercise, id: `attention/online-softmax-${i}`, key: `transformer-core/x-${i}`, number: i + 1, title: `Online softmax: attention in one pass over blocks, number ${i}` }));
    const progress = { formatVersion: 1, packVersions: {}, packExercises: {}, exercises: {} } as unknown as WatchSnapshot['progress'];
    const screen = renderSized(<ListView exercises={refs} progress={progress} currentKey={refs[12].key} height={24} width={79} onJump={vi.fn()} onReset={vi.fn()} onClose={vi.fn()} />, 80, 24);
    await vi.waitFor(() => expect(screen.frames.length).toBeGreaterThan(0));
    const rows = plain(screen.lastFrame()).replace(/\n$/, '').split('\n');
    expect(rows.length).toBeLessThanOrEqual(23);
    for (const row of rows) expect(textWidth(row), row).toBeLessThanOrEqual(79);
    expect(rows[1]).toBe('Transformer core (transformer-core 0.3.0) 0/26 passed · attention');
    expect(rows.filter((row) => /^.[·✓✗]\s+\d+ attention\/online-softmax-\d+/.test(row))).toHaveLength(rows.length - 3);
    screen.unmount();
  });
});

describe('layoutBody', () => {
  const section = (id: Section['id'], count: number): Section => ({ id, title: id, lines: Array.from({ length: count }, (_, i) => [{ text: `${id} ${i}` }]) });

  test('the first variant that fits is shown whole', () => {
    const layout = layoutBody([[section('cases', 20)], [section('cases', 5)]], [section('cases', 20)], 10, {}, 80, { gap: true });
    expect(layout.mode).toBe('all');
    expect(layout.lines.map(plainText)).toEqual(['cases 0', 'cases 1', 'cases 2', 'cases 3', 'cases 4']);
  });

  test('otherwise the sections scroll under a line naming them, never taller than the height', () => {
    const scrolled = [section('cases', 4), section('failure', 12), section('hints', 2)];
    for (const height of [1, 2, 5, 9, 30]) {
      const layout = layoutBody([[section('cases', 40)]], scrolled, height, {}, 60, { gap: true, prefer: ['failure'] });
      expect(layout.lines.length).toBeLessThanOrEqual(height);
    }
    const layout = layoutBody([[section('cases', 40)]], scrolled, 6, {}, 60, { gap: true, prefer: ['failure'] });
    expect(layout.mode).toBe('scroll');
    expect(layout.anchors).toEqual([
      { id: 'cases', row: 0 },
      { id: 'failure', row: 5 },
      { id: 'hints', row: 18 },
    ]);
    expect(layout.current).toBe('failure');
    expect(layout.lines.slice(1).map(plainText)).toEqual(['failure 0', 'failure 1', 'failure 2', 'failure 3', 'failure 4']);
    expect(plainText(layout.lines[0])).toBe('1 cases ·  2 failure  · 3 hints  ↓ 10 more');
    expect(plainText(layoutBody([[section('cases', 40)]], scrolled, 6, {}, 80, { gap: true, prefer: ['failure'] }).lines[0])).toBe('1 cases ·  2 failure  · 3 hints  ↓ 10 more · ↑↓ scroll · tab: next');
    // The last section can be scrolled to the top, though it is shorter than the view.
    const end = layoutBody([[section('cases', 40)]], scrolled, 6, { section: 'hints' }, 60, { gap: true });
    expect(end.scroll).toBe(18);
    expect(end.current).toBe('hints');
    expect(end.lines.slice(1).map(plainText)).toEqual(['hints 0', 'hints 1']);
  });
});

describe('the model solution on a pass', () => {
  /** A pass of the exercise, in a pack whose manifest says whether it ships its solutions. */
  function passIn(solutions: boolean) {
    const ref: ExerciseRef = { ...exercise, pack: { manifest: { ...pack.manifest, solutions } } as unknown as Pack };
    const verdict = longestVerdict();
    const cases: CaseResult[] = verdict.cases.slice(0, 3).map(({ index, name }) => ({ index, name, status: 'pass' }));
    const passed: Verdict = { ...verdict, status: 'pass', summary: 'All 3 cases pass.', cases, firstFailure: undefined, diagnosis: undefined, error: undefined, notes: [], output: { stdout: '', stderr: '', droppedBytes: 0 } };
    const { session, set } = fakeSession(passed);
    set({ exercise: ref, exercises: [ref], hints: [], notice: undefined });
    return session;
  }

  test.each([
    [true, 'Solved! Press n for the next exercise, s for the model solution.'],
    [false, 'Solved! Press n for the next exercise.'],
  ])('a pack with solutions %s offers: %s', async (solutions, offer) => {
    const screen = renderSized(<App session={passIn(solutions)} cwd="/ws" />, 120, 40);
    await vi.waitFor(() => expect(plain(screen.lastFrame())).toContain('Solved!'));
    expect(plain(screen.lastFrame()).split('\n')).toContain(offer);
    screen.unmount();
  });
});
