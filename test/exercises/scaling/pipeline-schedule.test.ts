import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { pipelineSchedule } from '../../../exercises/scaling/parallel/pipeline-schedule/solution.js';
import { checkGrid, drawGrid, IDLE, type Grid, type Kind } from '../../../exercises/scaling/parallel/pipeline-schedule/exercise.js';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { loadTf } from '../../../src/reference/backend.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise, reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';

const id = 'parallel/pipeline-schedule';
const qualified = `scaling/${id}`;
const lesson = readFileSync(path.join(builtinPacksDir, 'scaling', id, 'lesson.md'), 'utf8');
const validForAll = 'every pipeline of 1 to 5 stages and 0 to 9 microbatches gets a timetable that checks out, of both kinds';
const bubble = 'each stage is idle (p − 1)/(m + p − 1) of the time, in GPipe and in 1F1B alike';
const planOf = async (p: number, m: number, kind: Kind) => (await reference(qualified, p, m, kind)) as Grid;
const wrongGrid = async (misconception: string, p: number, m: number, kind: Kind) => (await wrong(qualified, misconception, p, m, kind)) as Grid;

/** The lesson's ```text timetable whose lines follow `title` in the lesson: rows of stage cells, idle as ''. */
function lessonTimetable(title: string): string[][] {
  const after = lesson.slice(lesson.indexOf(title));
  const block = /```text\n([\s\S]*?)```/.exec(after)![1];
  return block
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/^stage \d /, '').split(' ').map((cell) => (cell === IDLE ? '' : cell)));
}

/** GPipe by its closed form: F i on stage s at s + i, B i at m + p − 1 + i + (p − 1 − s). */
function gpipeByFormula(p: number, m: number): Grid {
  const grid: Grid = Array.from({ length: m === 0 ? 0 : 2 * (m + p - 1) }, () => new Array<string>(p).fill(''));
  for (let s = 0; s < p; s++) {
    for (let i = 0; i < m; i++) {
      grid[s + i][s] = `F${i}`;
      grid[m + p - 1 + i + (p - 1 - s)][s] = `B${i}`;
    }
  }
  return grid;
}

/**
 * The dependencies, completeness and memory of a timetable, counted apart
 * from the exercise's check: the slot of every operation, and the largest
 * number of microbatches in flight on each stage.
 */
function audit(grid: Grid, p: number, m: number) {
  const slot = (op: string, s: number) => grid.findIndex((row) => row[s] === op);
  const ok: boolean[] = [];
  for (let s = 0; s < p; s++) {
    for (let i = 0; i < m; i++) {
      const f = slot(`F${i}`, s);
      const b = slot(`B${i}`, s);
      ok.push(f >= 0 && b >= 0);
      if (s > 0) ok.push(slot(`F${i}`, s - 1) < f);
      ok.push(s < p - 1 ? slot(`B${i}`, s + 1) < b : f < b);
      ok.push(grid.filter((row) => row[s] === `F${i}`).length === 1 && grid.filter((row) => row[s] === `B${i}`).length === 1);
    }
  }
  const peak = Array.from({ length: p }, (_, s) => {
    let now = 0;
    let most = 0;
    for (const row of grid) {
      now += row[s].startsWith('F') ? 1 : row[s].startsWith('B') ? -1 : 0;
      most = Math.max(most, now);
    }
    return most;
  });
  const idle = Array.from({ length: p }, (_, s) => grid.filter((row) => row[s] === '').length);
  return { valid: ok.every(Boolean), peak, idle };
}

describe(id, () => {
  test("the lesson's GPipe timetable is the reference's and the closed form s + i, m + p − 1 + i + (p − 1 − s)", async () => {
    const grid = await planOf(4, 8, 'gpipe');
    expect(grid).toEqual(gpipeByFormula(4, 8));
    const drawn = lessonTimetable('GPipe (░░ is idle');
    expect(drawn).toEqual([0, 1, 2, 3].map((s) => grid.map((row) => row[s])));
  });

  test("the lesson's 1F1B timetable is the reference's: 3, 2, 1, 0 warm-up forwards, then one forward and one backward in turn", async () => {
    const grid = await planOf(4, 8, '1f1b');
    expect(lessonTimetable('1F1B (3, 2, 1 and 0 warm-up')).toEqual([0, 1, 2, 3].map((s) => grid.map((row) => row[s])));
    const busy = (s: number) => grid.map((row) => row[s]).filter(Boolean);
    expect(busy(0)).toEqual(['F0', 'F1', 'F2', 'F3', 'B0', 'F4', 'B1', 'F5', 'B2', 'F6', 'B3', 'F7', 'B4', 'B5', 'B6', 'B7']);
    expect(busy(3)).toEqual(['F0', 'B0', 'F1', 'B1', 'F2', 'B2', 'F3', 'B3', 'F4', 'B4', 'F5', 'B5', 'F6', 'B6', 'F7', 'B7']);
  });

  test('the bubble and the memory of the lesson: 22 slots, 6 idle on every stage, at most 8 vs 4, 3, 2, 1 in flight', async () => {
    const gpipe = audit(await planOf(4, 8, 'gpipe'), 4, 8);
    const oneF = audit(await planOf(4, 8, '1f1b'), 4, 8);
    expect(gpipe).toEqual({ valid: true, peak: [8, 8, 8, 8], idle: [6, 6, 6, 6] });
    expect(oneF).toEqual({ valid: true, peak: [4, 3, 2, 1], idle: [6, 6, 6, 6] });
    expect(lesson).toContain('a bubble of 3/11 = 27 %');
    expect(lesson).toMatch(/1F1B stage 0 +4\n1F1B stage 1 +3\n1F1B stage 2 +2\n1F1B stage 3 +1\n/);
  });

  test('the trace of the lesson example: 22 slots, a bubble of 3/11, at most 4, 3, 2, 1 microbatches in flight', async () => {
    const { definition, ctx } = await loadExercise(qualified);
    const trace = (await definition.trace!(ctx, 4, 8, '1f1b')) as Record<string, unknown>;
    expect(trace['slots, 2(m + p − 1)']).toBe(22);
    expect(trace['bubble, (p − 1)/(m + p − 1)']).toBeCloseTo(6 / 22, 12);
    expect(trace['most in flight on each stage']).toEqual(audit(await planOf(4, 8, '1f1b'), 4, 8).peak);
    expect((trace['in flight after each slot (stage × time)'] as number[][])[0].slice(0, 8)).toEqual([1, 2, 3, 4, 4, 4, 4, 3]);
  });

  test('for p ≤ 6 and m ≤ 10 the reference is valid, 2(m + p − 1) slots long, GPipe by the closed form, 1F1B within p − s in flight', async () => {
    for (let p = 1; p <= 6; p++) {
      for (let m = 0; m <= 10; m++) {
        const gpipe = await planOf(p, m, 'gpipe');
        const oneF = await planOf(p, m, '1f1b');
        expect(gpipe, `GPipe ${p}, ${m}`).toEqual(gpipeByFormula(p, m));
        const a = audit(oneF, p, m);
        expect(a.valid, `1F1B ${p}, ${m}`).toBe(true);
        expect(oneF, `1F1B ${p}, ${m}`).toHaveLength(m === 0 ? 0 : 2 * (m + p - 1));
        a.peak.forEach((k, s) => expect(k, `1F1B ${p}, ${m}, stage ${s}`).toBeLessThanOrEqual(Math.min(p - s, m)));
        for (const [kind, grid] of [['gpipe', gpipe], ['1f1b', oneF]] as const) {
          expect(checkGrid(grid, p, m, kind), `${kind} ${p}, ${m}`).toBeUndefined();
          expect(pipelineSchedule(p, m, kind), `${kind} ${p}, ${m}`).toEqual(grid);
        }
      }
    }
  });

  test('GPipe with its backwards from the last microbatch to the first also checks out, as the lesson says', () => {
    const p = 3;
    const m = 4;
    const grid = gpipeByFormula(p, m).map((row, t) => (t < m + p - 1 ? row : row.map((op) => (op ? `B${m - 1 - Number(op.slice(1))}` : ''))));
    expect(checkGrid(grid, p, m, 'gpipe')).toBeUndefined();
  });

  test('the drawing: stages × time, idle slots shaded', async () => {
    const drawing = drawGrid(await planOf(3, 4, 'gpipe'), 3, [[1, 2]]);
    expect(drawing).toMatchObject({ rowTitle: 'stage', colTitle: 'time', rows: ['0', '1', '2'], marks: [[1, 2]] });
    expect(drawing.cols).toHaveLength(12);
    expect(drawing.cells[2].slice(0, 3)).toEqual(['░░', '░░', 'F0']);
  });

  describe('the check, on timetables broken by hand (p = 3, m = 4)', () => {
    const p = 3;
    const m = 4;
    const edited = async (kind: Kind, edit: (g: Grid) => Grid) => edit(structuredClone(await planOf(p, m, kind)));

    test('grids of the wrong shape are refused with a message, not a crash', () => {
      for (const grid of [undefined, 'F0', [['F0', '']], [['F0', '', '', '']], [['F4', '', '']], [['X0', '', '']], [['F01', '', '']], [[0, '', '']], [null]]) {
        const v = checkGrid(grid as unknown as Grid, p, m, 'gpipe');
        expect(v?.property, JSON.stringify(grid)).toBe('a timetable is grid[time][stage] of "F<i>", "B<i>" or ""');
        expect(v?.drawing).toBeUndefined();
      }
      expect(checkGrid([['F4', '', '']], p, m, 'gpipe')?.message).toBe('grid[0][0] is "F4"; an entry is "F<i>" or "B<i>" for a microbatch i from 0 to 3, or "" for an idle slot.');
    });

    test('an operation run twice on a stage is named, both slots marked', async () => {
      const grid = await edited('gpipe', (g) => ((g[8][0] = 'F1'), g));
      const v = checkGrid(grid, p, m, 'gpipe');
      expect(v).toMatchObject({ property: 'each forward and backward runs exactly once on every stage', message: 'stage 0 runs F1 twice, at times 1 and 8.' });
      expect(v?.drawing?.marks).toEqual([[0, 8], [0, 1]]);
    });

    test('a forward one slot early breaks its dependency, marked there and where its input is made', async () => {
      const grid = await edited('gpipe', (g) => ((g[1][2] = 'F0'), (g[2][2] = ''), g));
      const v = checkGrid(grid, p, m, 'gpipe');
      expect(v?.property).toBe('F i on stage s comes after F i on stage s − 1');
      expect(v?.message).toBe('at time 1, stage 2 runs F0, but stage 1 runs F0 in the same slot. F0 needs its input, the output of F0 on stage 1, ready in the slot after it.');
      expect(v?.drawing?.marks).toEqual([[2, 1], [1, 1]]);
      expect(v?.drawing?.cells[2][2]).toBe(IDLE);
    });

    test('a backward before the gradient from the next stage, and one before the last stage\'s own forward', async () => {
      const early = await edited('gpipe', (g) => ((g[6][1] = 'B0'), (g[7][1] = ''), g));
      expect(checkGrid(early, p, m, 'gpipe')).toMatchObject({ property: 'B i on stage s comes after B i on stage s + 1', message: expect.stringMatching(/^at time 6, stage 1 runs B0, but stage 2 runs B0 in the same slot\. B0 needs its gradient, from B0 on stage 2/) });
      const beforeLoss = await edited('1f1b', (g) => {
        const t = g.findIndex((row) => row[2] === 'F1');
        const u = g.findIndex((row) => row[2] === 'B1');
        [g[t][2], g[u][2]] = ['B1', 'F1'];
        return g;
      });
      const v = checkGrid(beforeLoss, p, m, '1f1b');
      expect(v?.property).toBe('B i on the last stage comes after F i on it');
      expect(v?.message).toMatch(/^at time (\d+), stage 2 runs B1, but stage 2 runs F1 only at time (\d+)\. B1 needs the loss of microbatch 1, which F1 on this last stage computes/);
      const [, t, u] = /at time (\d+), .* only at time (\d+)/.exec(v!.message)!;
      expect(v?.drawing?.marks).toEqual([[2, Number(t)], [2, Number(u)]]);
    });

    test('a missing backward breaks completeness, marked on its stage at the last slot', async () => {
      const grid = await edited('gpipe', (g) => ((g[11][0] = ''), g));
      const v = checkGrid(grid, p, m, 'gpipe');
      expect(v).toMatchObject({ property: 'each forward and backward runs exactly once on every stage', message: 'stage 0 never runs B3: every microbatch goes forward and backward through every stage.' });
      expect(v?.drawing?.marks).toEqual([[0, 11]]);
    });

    test('the 1F1B timetable graded as GPipe breaks "every forward before any backward"', async () => {
      const v = checkGrid(await planOf(p, m, '1f1b'), p, m, 'gpipe');
      expect(v?.property).toBe('GPipe: every forward on a stage comes before any backward on it');
      expect(v?.message).toMatch(/^stage 0 runs F3 at time 6, after B0 at time 5\./);
      expect(v?.drawing?.marks).toEqual([[0, 6], [0, 5]]);
    });

    test('the GPipe timetable graded as 1F1B holds 4 microbatches on stage 0 where p − s = 3', async () => {
      const v = checkGrid(await planOf(p, m, 'gpipe'), p, m, '1f1b');
      expect(v?.property).toBe('1F1B: at most p − s microbatches in flight on stage s');
      expect(v?.message).toMatch(/^after time 3, stage 0 holds the activations of 4 microbatches/);
      expect(v?.drawing?.marks).toEqual([[0, 3]]);
    });

    test('a trailing idle slot makes the timetable longer than 2(m + p − 1)', async () => {
      const v = checkGrid(await edited('gpipe', (g) => [...g, ['', '', '']]), p, m, 'gpipe');
      expect(v).toMatchObject({ property: 'the timetable takes 2(m + p − 1) = 12 slots', message: expect.stringMatching(/^yours takes 13\./) });
    });

    test('no microbatches: only the empty timetable passes', () => {
      expect(checkGrid([], 3, 0, '1f1b')).toBeUndefined();
      expect(checkGrid([['', '', '']], 3, 0, '1f1b')?.property).toBe('the timetable takes 2(m + p − 1) = 0 slots');
    });
  });

  describe('the misconceptions, on the lesson example (p = 4, m = 8)', () => {
    test('stages not offset: stage 1 runs F0 at time 0, with stage 0', async () => {
      const grid = await wrongGrid('stages-not-offset', 4, 8, 'gpipe');
      expect(grid[0]).toEqual(['F0', 'F0', 'F0', 'F0']);
      expect(checkGrid(grid, 4, 8, 'gpipe')?.message).toMatch(/^at time 0, stage 1 runs F0, but stage 0 runs F0 in the same slot/);
    });

    test('the backward in the forward direction: B0 on stage 0 at time 11, on stage 1 only at 12', async () => {
      const grid = await wrongGrid('backward-wrong-direction', 4, 8, 'gpipe');
      expect([0, 1, 2, 3].map((s) => grid.findIndex((row) => row[s] === 'B0'))).toEqual([11, 12, 13, 14]);
      const right = await planOf(4, 8, 'gpipe');
      expect([0, 1, 2, 3].map((s) => right.findIndex((row) => row[s] === 'B0'))).toEqual([14, 13, 12, 11]);
      expect(checkGrid(grid, 4, 8, 'gpipe')?.message).toMatch(/^at time 11, stage 0 runs B0, but stage 1 runs B0 only at time 12/);
    });

    test('1F1B with every forward first, and with p − s warm-ups: 5 in flight on stage 0 after time 4; 8 at the peak of the first', async () => {
      const allFirst = await wrongGrid('all-forwards-first', 4, 8, '1f1b');
      const offByOne = await wrongGrid('warmup-off-by-one', 4, 8, '1f1b');
      expect(audit(allFirst, 4, 8).peak[0]).toBe(8);
      expect(audit(offByOne, 4, 8)).toMatchObject({ valid: true, peak: [5, 4, 3, 2] });
      for (const grid of [allFirst, offByOne]) expect(checkGrid(grid, 4, 8, '1f1b')?.message).toMatch(/^after time 4, stage 0 holds the activations of 5 microbatches/);
    });

    test('one stage at a time: valid but 64 slots, each stage idle 3/4 of them', async () => {
      for (const kind of ['gpipe', '1f1b'] as const) {
        const grid = await wrongGrid('one-stage-at-a-time', 4, 8, kind);
        expect(audit(grid, 4, 8)).toMatchObject({ valid: true, idle: [48, 48, 48, 48] });
        expect(grid).toHaveLength(64);
        expect(checkGrid(grid, 4, 8, kind)?.message).toMatch(/^yours takes 64\./);
      }
    });

    test('every misconception fails the check and is diagnosed as itself (seeds 7 and 99)', async () => {
      for (const seed of [7, 99]) {
        const results = await diagnoseEachMisconception(id, seed, 'scaling');
        expect(results.map((r) => r.id)).toEqual(['stages-not-offset', 'backward-wrong-direction', 'all-forwards-first', 'warmup-off-by-one', 'one-stage-at-a-time']);
        for (const r of results) {
          expect(r.failingCases, `${r.id} (seed ${seed})`).toBeGreaterThan(0);
          expect(r.diagnosed, `${r.id} (seed ${seed})`).toBe(r.id);
        }
      }
    });
  });

  test('grading: a learner whose 1F1B runs every forward first fails on the lesson case, drawn, and is diagnosed', async () => {
    const source = await solutionWith(qualified, ["const warmup = kind === 'gpipe' ? m : Math.min(p - 1 - s, m);", 'const warmup = m;']);
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source }, 7, 'scaling');
    expect(verdict.status).toBe('fail');
    const first = verdict.cases[verdict.firstFailure!];
    expect(first.name).toBe("1F1B, 4 stages, 8 microbatches: the lesson's timetable");
    expect(first.plan).toMatchObject({ rowTitle: 'stage', colTitle: 'time', marks: [[0, 4]] });
    expect(first.plan?.cells[0].slice(4, 9)).toEqual(['F4', 'F5', 'F6', 'F7', IDLE]);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'all-forwards-first', confidence: 'full' });
  });

  test("grading: stages not offset, written another way than the misconception's plan (the bubble's slots left in), is a possible case of it", async () => {
    // Every stage runs F0…F(m−1) from time 0 and B0…B(m−1) from time m + p − 1: GPipe's slots, without the offsets.
    const source = [
      'export function pipelineSchedule(stages: number, microbatches: number, kind: "gpipe" | "1f1b"): string[][] {',
      '  const grid = Array.from({ length: microbatches ? 2 * (microbatches + stages - 1) : 0 }, () => new Array<string>(stages).fill(""));',
      '  for (let s = 0; s < stages; s++) {',
      '    for (let i = 0; i < microbatches; i++) grid[i][s] = `F${i}`;',
      '    for (let i = 0; i < microbatches; i++) grid[microbatches + stages - 1 + i][s] = `B${i}`;',
      '  }',
      '  return grid;',
      '}',
    ].join('\n');
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source }, 7, 'scaling');
    expect(verdict.status).toBe('fail');
    expect(verdict.cases[verdict.firstFailure!].message).toMatch(/^F i on stage s comes after F i on stage s − 1: at time 0, stage 1 runs F0/);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'stages-not-offset', confidence: 'partial' });
    // Not the misconception's own plan, which has no idle slots: 16 slots where this one has 22.
    expect(await wrongGrid('stages-not-offset', 4, 8, 'gpipe')).toHaveLength(16);
  });

  test('check yourself: the model solution holds both properties (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [validForAll]: 1, [bubble]: 2 }, 'scaling');
  });

  test('check yourself: a solution that forgets m = 0 breaks the first; one stage at a time breaks the bubble', async () => {
    const noEmpty = await solutionWith(qualified, ['const grid: string[][] = [];', "const grid: string[][] = m === 0 ? [orders.map(() => '')] : [];"]);
    await expectPropertyBroken(id, noEmpty, validForAll, /^For 1 stage, 0 microbatches and gpipe, your timetable breaks a property: the timetable takes 2\(m \+ p − 1\) = 0 slots/, 'scaling');
    const serial = await solutionWith(qualified, ["const ready = op[0] === 'F'", "const ready = row.every((x) => x === '') && (op[0] === 'F'"], ['finished[s + 1].has(`B${i}`);', 'finished[s + 1].has(`B${i}`));']);
    await expectPropertyBroken(id, serial, bubble, /^In your (gpipe|1f1b) timetable for \d stages and \d+ microbatches, stage 0 is idle \d+ of \d+ slots/, 'scaling');
  });

  test("the ```js block of In practice builds the reference's timetable for p ≤ 5, m ≤ 8, both kinds", async () => {
    const { tf } = await loadTf();
    const last = lesson.slice(lesson.lastIndexOf('\n## '));
    const code = /```js\n([\s\S]*?)```/.exec(last)![1];
    const run = new Function('tf', 'stages', 'microbatches', 'kind', `${code}\nreturn result;`) as (tf: unknown, p: number, m: number, kind: Kind) => Grid;
    for (let p = 1; p <= 5; p++) for (let m = 0; m <= 8; m++) for (const kind of ['gpipe', '1f1b'] as const) expect(run(tf, p, m, kind), `${kind} ${p}, ${m}`).toEqual(await planOf(p, m, kind));
  });
});
