import { render } from 'ink-testing-library';
import { describe, expect, test, vi } from 'vitest';
import { compareOutputs } from '../../src/core/grading/compare.js';
import type { ExerciseRef, Pack } from '../../src/core/packs/packs.js';
import type { State } from '../../src/core/common/schemas.js';
import type { CaseResult, Verdict } from '../../src/core/grading/verdict.js';
import { DiffView } from '../../src/ui/DiffView.js';
import { HeatmapView } from '../../src/ui/HeatmapView.js';
import { HintsView } from '../../src/ui/HintsView.js';
import { ListView } from '../../src/ui/ListView.js';
import { VerdictView } from '../../src/ui/VerdictView.js';
import { plain, waitForFrame } from './helpers.js';

function valuesMismatch(want: unknown, got: unknown) {
  const result = compareOutputs(want, got, { atol: 1e-5, rtol: 1e-4 });
  if (result.ok || result.mismatch.kind !== 'values') throw new Error('expected a values mismatch');
  return result.mismatch;
}

const want = [
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9, 10, 11, 12],
];
const got = [
  [1, 2, 3, 4],
  [5, 6, 7, 8.5],
  [9, 10.41, 11, 12],
];

function verdict(overrides: Partial<Verdict> = {}): Verdict {
  const mismatch = valuesMismatch(want, got);
  const cases: CaseResult[] = [
    { index: 0, name: 'the lesson example', status: 'pass' },
    { index: 1, name: 'random [3, 4]', status: 'fail', message: mismatch.message, mismatch, input: '[[1, 2], [3, 4]]' },
    { index: 2, name: 'large values', status: 'not-run' },
  ];
  return {
    exerciseKey: 'p/foundations/matmul',
    exerciseId: 'foundations/matmul',
    packId: 'p',
    learnerFile: '/ws/exercises/p/foundations/matmul.ts',
    learnerFiles: ['/ws/exercises/p/foundations/matmul.ts'],
    status: 'fail',
    summary: '1 of 3 cases pass; first failing: "random [3, 4]".',
    cases,
    firstFailure: 1,
    diagnosis: { misconceptionId: 'transposed-result', title: 'the result is transposed', message: 'Loop over rows of a outside.', matched: 2, failing: 2, confidence: 'full' },
    notes: [],
    output: { stdout: 'debug 1\n', stderr: '', droppedBytes: 0 },
    seed: 1,
    tolerance: { atol: 1e-5, rtol: 1e-4 },
    backend: 'wasm',
    durationMs: 312,
    timings: { referenceMs: 1, bundleMs: 1, sandboxMs: 1 },
    ...overrides,
  };
}

describe('DiffView', () => {
  test('shows expected and got grids around the worst element, every number with the decimals of the most precise', () => {
    const { lastFrame } = render(<DiffView diff={valuesMismatch(want, got).diff} width={80} />);
    expect(plain(lastFrame())).toBe(
      [
        'expected',
        '               0         1         2         3',
        '   0        1.00      2.00      3.00      4.00',
        '   1        5.00      6.00      7.00      8.00',
        '   2        9.00     10.00     11.00     12.00',
        'got',
        '               0         1         2         3',
        '   0        1.00      2.00      3.00      4.00',
        '   1        5.00      6.00      7.00      8.50',
        '   2        9.00     10.41     11.00     12.00',
      ].join('\n'),
    );
  });

  test('compact puts the grids side by side, at most three rows, fitting the width', () => {
    const big = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => i * 10 + j));
    const off = big.map((row) => [...row]);
    off[6][7] = -1;
    const { lastFrame } = render(<DiffView diff={valuesMismatch(big, off).diff} width={80} compact />);
    const lines = plain(lastFrame()).split('\n');
    expect(lines[0]).toMatch(/^expected\s+got$/);
    expect(lines).toHaveLength(5);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(lines.find((l) => l.includes('-1'))).toMatch(/^\s+6\s+.*67.*\s+6\s+.*-1/);
  });

  test('a vector is a table with the mismatched rows marked', () => {
    const { lastFrame } = render(<DiffView diff={valuesMismatch([0.5, 0.25, 0.25], [NaN, 0.25, 0.25]).diff} />);
    expect(plain(lastFrame())).toBe(
      ['   index      expected           got', '     [0]          0.50           NaN  ✗', '     [1]          0.25          0.25', '     [2]          0.25          0.25'].join('\n'),
    );
  });
});

describe('HeatmapView', () => {
  test('marks the wrong cells', () => {
    const { lastFrame } = render(<HeatmapView heatmap={valuesMismatch(want, got).diff.heatmap!} />);
    expect(plain(lastFrame())).toBe(['where the errors are (3×4; █ wrong, · right)', '  ····', '  ···█', '  ·█··'].join('\n'));
  });
});

describe('VerdictView', () => {
  test('a failing verdict: cases, the first failure with its diff, the diagnosis box and the output', () => {
    const { lastFrame } = render(<VerdictView verdict={verdict()} width={80} cwd="/ws" />);
    const frame = plain(lastFrame());
    expect(frame).toContain(' FAIL  1/3 cases pass (0.31 s)');
    expect(frame).toContain('✓ the lesson example');
    expect(frame).toContain('✗ random [3, 4]');
    expect(frame).toContain('- large values');
    expect(frame).toContain('Case “random [3, 4]”');
    expect(frame).toContain('input: [[1, 2], [3, 4]]');
    expect(frame).toContain('Mismatched elements: 2 / 12 (16.7%). Greatest absolute difference 0.5 at [1, 3]');
    expect(frame).toContain('where the errors are (3×4');
    expect(frame).toMatch(/╭─+╮\n│ Likely mistake: the result is transposed\s+│\n│ Loop over rows of a outside\.\s+│/);
    expect(frame).toContain('│ debug 1');
  });

  test('an error verdict shows the learner file and line', () => {
    const v = verdict({
      status: 'error',
      summary: 'Your function threw Error: boom (matmul.ts:3).',
      diagnosis: undefined,
      firstFailure: 0,
      cases: [{ index: 0, name: 'the lesson example', status: 'error', message: 'Your function threw Error: boom (matmul.ts:3).' }],
      error: { kind: 'throw', message: 'boom', location: { file: '/ws/exercises/p/foundations/matmul.ts', line: 3, column: 9, lineText: "  throw new Error('boom');" } },
    });
    const frame = plain(render(<VerdictView verdict={v} width={80} cwd="/ws" />).lastFrame());
    expect(frame).toContain(' ERROR  0/1 cases pass');
    expect(frame).toContain('at exercises/p/foundations/matmul.ts:3:9');
    expect(frame).toContain("throw new Error('boom');");
  });

  test("the learner's output, messages, notes and source line are shown escaped, never as control sequences", () => {
    const hostile = verdict({
      status: 'error',
      summary: 'Your function threw Error: \x1b]0;pwned\x07boom\n::error::forged.',
      diagnosis: undefined,
      notes: ['Code that ran later (a timer or a promise) threw Error: \u202eSSAP.'],
      firstFailure: 0,
      cases: [{ index: 0, name: 'the lesson example', status: 'error', message: 'Your function threw Error: \x9b2K\rPASS.' }],
      error: { kind: 'throw', message: 'boom', location: { file: '/ws/exercises/p/\x1b[31mred.ts', line: 3, column: 9, lineText: "  throw new Error('\x1b[2K');" } },
      output: { stdout: 'fine\n\x1b]0;pwned\x07\x1b[2K\rPASS transformer-core/foundations/softmax\n', stderr: '\x1b[1A\x1b[2K', droppedBytes: 0 },
    });
    const raw = render(<VerdictView verdict={hostile} width={100} cwd="/ws" />).lastFrame() ?? '';
    // Ink's own colours are CSI sequences ending in m; nothing else may reach the terminal.
    expect(raw.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    const frame = plain(raw);
    expect(frame).toContain('Your function threw Error: \\x1b]0;pwned\\x07boom\\n::error::forged.');
    expect(frame).toContain('Note: Code that ran later (a timer or a promise) threw Error: \\u202eSSAP.');
    expect(frame).toContain('at exercises/p/\\x1b[31mred.ts:3:9');
    expect(frame).toContain("throw new Error('\\x1b[2K');");
    expect(frame).toContain('│ fine\n│ \\x1b]0;pwned\\x07\\x1b[2K\\rPASS transformer-core/foundations/softmax\n│ \\x1b[1A\\x1b[2K');
  });

  test('compact mode lists cases as a strip of marks', () => {
    const frame = plain(render(<VerdictView verdict={verdict()} width={80} compact />).lastFrame());
    expect(frame).toContain('✓✗-');
    expect(frame).not.toContain('✓ the lesson example');
  });
});

describe('HintsView', () => {
  test('shows the revealed hints in the order revealed, each with its label, escaped', () => {
    expect(plain(render(<HintsView hints={[]} />).lastFrame())).toBe('');
    const hints = [
      { label: 'Hint for “exponentiating without subtracting the max”', text: 'Evaluate Math.exp(1000).' },
      { label: 'Hint 1/3', text: 'a nudge\u001b[2J' },
    ];
    const frame = plain(render(<HintsView hints={hints} />).lastFrame());
    expect(frame).toBe(['Hint for “exponentiating without subtracting the max”', '  Evaluate Math.exp(1000).', 'Hint 1/3', '  a nudge\\x1b[2J'].join('\n'));
  });
});

describe('ListView', () => {
  const pack = { dir: '/p', builtin: true, manifest: { id: 'p', title: 'P', version: '1.0.0', description: '', formatVersion: 1, requires: { packs: [] }, exercises: [] } } as unknown as Pack;
  const refs: ExerciseRef[] = ['a/one', 'a/two', 'b/three'].map((id, i) => ({ packId: 'p', id, key: `p/${id}`, title: `Title ${i + 1}`, dir: `/p/${id}`, number: i + 1, pack }));
  const progress: State = { formatVersion: 1, packVersions: {}, packExercises: {}, exercises: { 'p/a/one': { status: 'passed', attempts: 1, revealedHints: [] } } };

  function renderList() {
    const onJump = vi.fn();
    const onReset = vi.fn();
    const onClose = vi.fn();
    const view = render(<ListView exercises={refs} progress={progress} currentKey="p/a/two" onJump={onJump} onReset={onReset} onClose={onClose} />);
    return { ...view, onJump, onReset, onClose };
  }

  test('starts on the current exercise; j/k and arrows move; Enter jumps', async () => {
    const { lastFrame, stdin, onJump } = renderList();
    let frame = await waitForFrame(lastFrame, (f) => f.includes('Title 2 ←'));
    expect(frame).toContain(' ✓   1 a/one');
    expect(frame).toContain('›·   2 a/two');
    stdin.write('j');
    frame = await waitForFrame(lastFrame, (f) => f !== frame);
    stdin.write('\r');
    await vi.waitFor(() => expect(onJump).toHaveBeenCalledWith(refs[2]));
    stdin.write('k');
    stdin.write('k');
    frame = await waitForFrame(lastFrame, (f) => f !== frame);
    stdin.write('\r');
    await vi.waitFor(() => expect(onJump).toHaveBeenLastCalledWith(refs[0]));
  });

  test("a line names the selected exercise's pack, its progress and the track", async () => {
    const { lastFrame, stdin } = renderList();
    const frame = await waitForFrame(lastFrame, (f) => f.includes('Title 2 ←'));
    expect(frame.split('\n')[1]).toBe('P (p 1.0.0) 1/3 passed · a');
    stdin.write('j');
    const moved = await waitForFrame(lastFrame, (f) => f.includes('· b'));
    expect(moved.split('\n')[1]).toBe('P (p 1.0.0) 1/3 passed · b');
  });

  test('a pass whose files changed since shows as ~ and is not counted as solved', async () => {
    const changed: State = { ...progress, exercises: { ...progress.exercises, 'p/b/three': { status: 'changed', attempts: 2, hintsRevealed: 0 } } };
    const frame = plain(render(<ListView exercises={refs} progress={changed} currentKey="p/a/two" onJump={() => {}} onReset={() => {}} onClose={() => {}} />).lastFrame());
    expect(frame).toContain(' ~   3 b/three');
    expect(frame).toContain('(1/3 solved; showing all)');
  });

  test('f filters unsolved, then solved', async () => {
    const { lastFrame, stdin } = renderList();
    await waitForFrame(lastFrame, (f) => f.includes('showing all'));
    stdin.write('f');
    const unsolved = await waitForFrame(lastFrame, (f) => f.includes('showing unsolved'));
    expect(unsolved).not.toContain('a/one');
    expect(unsolved).toContain('a/two');
    stdin.write('f');
    const solved = await waitForFrame(lastFrame, (f) => f.includes('showing solved'));
    expect(solved).toContain('a/one');
    expect(solved).not.toContain('b/three');
  });

  test('x asks for confirmation; n cancels, y resets', async () => {
    const { lastFrame, stdin, onReset } = renderList();
    await waitForFrame(lastFrame, (f) => f.includes('showing all'));
    stdin.write('x');
    await waitForFrame(lastFrame, (f) => f.includes('Reset a/two to its starter?'));
    stdin.write('n');
    await waitForFrame(lastFrame, (f) => !f.includes('Reset a/two'));
    expect(onReset).not.toHaveBeenCalled();
    stdin.write('x');
    await waitForFrame(lastFrame, (f) => f.includes('Reset a/two to its starter?'));
    stdin.write('y');
    await vi.waitFor(() => expect(onReset).toHaveBeenCalledWith(refs[1]));
  });

  test('keys that arrive together are handled one by one', async () => {
    const { lastFrame, stdin, onJump } = renderList();
    await waitForFrame(lastFrame, (f) => f.includes('showing all'));
    stdin.write('jkk');
    // From a/two: j → b/three, k → a/two, k → a/one.
    await waitForFrame(lastFrame, (f) => f.includes('›✓   1 a/one'));
    stdin.write('\r');
    await vi.waitFor(() => expect(onJump).toHaveBeenCalledWith(refs[0]));
  });

  test('Esc closes', async () => {
    const { lastFrame, stdin, onClose } = renderList();
    await waitForFrame(lastFrame, (f) => f.includes('showing all'));
    stdin.write('\u001B');
    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
  });
});

describe('PlanView', () => {
  test('draws the plan as a grid with its titles, around the first mark, and escapes every cell', async () => {
    const { PlanView } = await import('../../src/ui/PlanView.js');
    const plan = { rowTitle: 'rank', colTitle: 'step', rows: ['0', '1'], cols: ['1', '2'], cells: [['→1', '●'], ['\x1b[2J', '']], marks: [[0, 0]] as [number, number][] };
    const frame = render(<PlanView plan={plan} width={60} />).lastFrame()!;
    expect(frame.split('\n')[0]).toMatch(/^rank\\step 1 +2$/);
    expect(frame).toMatch(/\n?0 +→1 +●/);
    expect(frame).toContain('\\x1b');
    expect(frame).not.toContain('\x1b[2J');
  });
});
