import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ringAllReduceSchedule } from '../../../exercises/scaling/collectives/ring-all-reduce/solution.js';
import { checkPlan, drawPlan, type Plan } from '../../../exercises/scaling/collectives/ring-all-reduce/exercise.js';
import { builtinPacksDir } from '../../../src/core/common/paths.js';
import { loadTf } from '../../../src/reference/backend.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise, reference, solutionWith, wrongAlternatives } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';

const id = 'collectives/ring-all-reduce';
const qualified = `scaling/${id}`;
const dir = path.join(builtinPacksDir, 'scaling', id);
const lesson = readFileSync(path.join(dir, 'lesson.md'), 'utf8');
const validForAll = 'every ring from 1 to 12 ranks gets a plan that checks out';
const planOf = async (n: number) => (await reference(qualified, n)) as Plan;
const wrongPlans = async (misconception: string, n: number) => (await wrongAlternatives(qualified, misconception, n)) as Plan[];

/**
 * The all-reduce written apart from the exercise: rank r's chunk c starts as
 * 10^r·(c + 1), every step reads all senders' values before any receiver
 * changes, reduce-scatter adds and all-gather copies. Returns every rank's
 * numbers after each step, and what each rank received at each step.
 */
function runOnNumbers(plan: Plan, n: number) {
  let values = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => 10 ** r * (c + 1)));
  const after: number[][][] = [];
  const received: string[][] = Array.from({ length: n }, () => []);
  for (const { phase, sends } of plan) {
    const next = values.map((row) => row.slice());
    for (const { from, to, chunk } of sends) next[to][chunk] = (phase === 'reduce-scatter' ? next[to][chunk] : 0) + values[from][chunk];
    for (const { to, chunk } of sends) received[to].push(`c${chunk} ${next[to][chunk]}`);
    values = next;
    after.push(values);
  }
  return { values, after, received };
}

/** The text of the lesson's ```text block whose first line matches `header`, without that line, one string per rank. */
function lessonGrid(header: RegExp): string[] {
  const block = [...lesson.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => header.test(b))!;
  return block.trim().split('\n').slice(1);
}

describe(id, () => {
  test("the lesson's first table by hand: the chunk each of 4 ranks sends at each of the 6 steps", async () => {
    const plan = await planOf(4);
    expect(plan.map((s) => s.phase)).toEqual(['reduce-scatter', 'reduce-scatter', 'reduce-scatter', 'all-gather', 'all-gather', 'all-gather']);
    const sent = [0, 1, 2, 3].map((r) => plan.map((step) => step.sends.find((x) => x.from === r)!.chunk));
    expect(sent).toEqual([
      [0, 3, 2, 1, 0, 3],
      [1, 0, 3, 2, 1, 0],
      [2, 1, 0, 3, 2, 1],
      [3, 2, 1, 0, 3, 2],
    ]);
    expect(lessonGrid(/^step\s+1\s+2\s+3\s+4/).map((row) => [...row.matchAll(/c(\d)/g)].map((m) => Number(m[1])))).toEqual(sent);
  });

  test("the lesson's second table: run on the numbers 10^r·(c + 1), every rank ends with 1111, 2222, 3333, 4444", async () => {
    const { values, received, after } = runOnNumbers(await planOf(4), 4);
    expect(values).toEqual([0, 1, 2, 3].map(() => [1111, 2222, 3333, 4444]));
    expect(received[0]).toEqual(['c3 4004', 'c2 3303', 'c1 2222', 'c0 1111', 'c3 4444', 'c2 3333']);
    expect(received[2].slice(0, 2)).toEqual(['c1 220', 'c0 111']);
    expect(lessonGrid(/^step\s+1\s+2\s+3\s+4\s+5\s+6\n.*\d{4}/).map((row) => [...row.matchAll(/c(\d)\s+(\d+)/g)].map((m) => `c${m[1]} ${m[2]}`))).toEqual(received);
    // Following chunk 1 as the lesson does: 20 → 220 → 2220 → 2222 on rank 0 after step 3.
    expect(after.slice(0, 3).map((v, s) => v[[2, 3, 0][s]][1])).toEqual([220, 2220, 2222]);
  });

  test("the trace for N = 4: the lesson's chunks sent, and the drawing's cells of what each rank received", async () => {
    const { definition, ctx } = await loadExercise(qualified);
    const trace = (await definition.trace!(ctx, 4)) as Record<string, unknown>;
    expect(trace['chunk sent (rank × step)']).toEqual([0, 1, 2, 3].map((r) => lessonGrid(/^step\s+1\s+2\s+3\s+4/)[r].match(/\d+/g)!.slice(1).map(Number)));
    expect(trace['received, and what it holds after the step (rank × step)']).toEqual(drawPlan(await planOf(4), 4).cells);
  });

  test('the reference is a valid ring all-reduce for N = 1 … 12, by a simulation written apart from the check', async () => {
    for (let n = 1; n <= 12; n++) {
      const plan = await planOf(n);
      expect(plan, `N = ${n}`).toHaveLength(2 * (n - 1));
      const { values } = runOnNumbers(plan, n);
      const sums = Array.from({ length: n }, (_, c) => Array.from({ length: n }, (_, r) => 10 ** r * (c + 1)).reduce((a, b) => a + b, 0));
      for (const row of values) expect(row, `N = ${n}`).toEqual(sums);
      for (const [s, step] of plan.entries()) {
        expect(step.sends.map((x) => x.from).sort((a, b) => a - b), `N = ${n}, step ${s + 1}`).toEqual([...Array(n).keys()]);
        for (const x of step.sends) expect(x.to).toBe((x.from + 1) % n);
      }
      expect(checkPlan(plan, n), `N = ${n}`).toBeUndefined();
      expect(ringAllReduceSchedule(n), `N = ${n}`).toEqual(plan);
    }
  });

  test('the bandwidth: each rank sends 2(N − 1) chunks of S/N, 1.5 S for N = 4 and below 2 S for every N', async () => {
    for (const n of [2, 4, 8, 16]) {
      const plan = await planOf(n);
      const perRank = [...Array(n).keys()].map((r) => plan.flatMap((s) => s.sends).filter((x) => x.from === r).length / n);
      expect(new Set(perRank)).toEqual(new Set([(2 * (n - 1)) / n]));
      expect(perRank[0]).toBeLessThan(2);
    }
  });

  test("NCCL's numbering passes the check too: rank r sends chunk r − 1 first and finishes chunk r", () => {
    for (let n = 2; n <= 9; n++) {
      const mod = (a: number) => ((a % n) + n) % n;
      const steps = (phase: 'reduce-scatter' | 'all-gather', first: number): Plan =>
        Array.from({ length: n - 1 }, (_, s) => ({ phase, sends: [...Array(n).keys()].map((r) => ({ from: r, to: (r + 1) % n, chunk: mod(r + first - s) })) }));
      const nccl = [...steps('reduce-scatter', -1), ...steps('all-gather', 0)];
      expect(checkPlan(nccl, n), `N = ${n}`).toBeUndefined();
      expect(runOnNumbers(nccl, n).after[n - 2].map((row, r) => row[r]), `N = ${n}`).toEqual([...Array(n).keys()].map((c) => ((10 ** n - 1) / 9) * (c + 1)));
    }
  });

  test('the drawing of the reference for N = 4: the chunk received and what it holds, c3 2/4 … c1 Σ', async () => {
    const drawing = drawPlan(await planOf(4), 4);
    expect(drawing).toMatchObject({ rowTitle: 'rank', colTitle: 'step', rows: ['0', '1', '2', '3'], cols: ['1', '2', '3', '4', '5', '6'], marks: [] });
    expect(drawing.cells[0]).toEqual(['c3 2/4', 'c2 3/4', 'c1 Σ', 'c0 Σ', 'c3 Σ', 'c2 Σ']);
    expect(drawing.cells.flat().every((cell) => cell.length <= 6)).toBe(true);
  });

  describe('the check, on plans broken by hand', () => {
    const broken = async (edit: (plan: Plan) => Plan) => checkPlan(edit(structuredClone(await planOf(4))), 4);

    test('plans of the wrong shape are refused with a message, not a crash', () => {
      const bad: unknown[] = [undefined, 3, 'plan', [[]], [{ phase: 'scatter', sends: [] }], [{ phase: 'all-gather' }], [{ phase: 'all-gather', sends: [{ from: 0, to: 1, chunk: 4 }] }], [{ phase: 'all-gather', sends: [{ from: -1, to: 0, chunk: 0 }] }], [{ phase: 'all-gather', sends: [{ from: 0.5, to: 1, chunk: 0 }] }], [{ phase: 'all-gather', sends: [null] }]];
      for (const plan of bad) {
        const v = checkPlan(plan as Plan, 4);
        expect(v?.property, JSON.stringify(plan)).toBe('a plan is a list of steps { phase, sends: [{ from, to, chunk }] }');
        expect(v?.drawing).toBeUndefined();
      }
      expect(checkPlan([{ phase: 'all-gather', sends: [{ from: 0, to: 1, chunk: 4 }] }] as Plan, 4)?.message).toBe('step 1 has the send {"from":0,"to":1,"chunk":4}; a send is { from, to, chunk } with ranks and chunks whole numbers from 0 to 3.');
    });

    test('an all-gather step before a reduce-scatter step breaks the phase order, marked on that step', async () => {
      const v = await broken((p) => [p[0], p[1], p[3], p[2], p[4], p[5]]);
      expect(v?.property).toBe('every reduce-scatter step comes before the all-gather');
      expect(v?.message).toMatch(/^step 4 is a reduce-scatter step, but step 3 was already an all-gather\./);
      expect(v?.drawing?.marks).toEqual([[0, 3], [1, 3], [2, 3], [3, 3]]);
    });

    test('a send to a rank that is not the next one breaks the ring rule, marked at the receiver and the sender', async () => {
      const v = await broken((p) => ((p[1].sends[0].to = 2), p));
      expect(v?.property).toBe('each rank sends only to the next rank on the ring, (r + 1) mod N');
      expect(v?.message).toBe('at step 2, rank 0 sends chunk 3 to rank 2; its one link goes to rank 1.');
      expect(v?.drawing?.marks).toEqual([[2, 1], [0, 1]]);
    });

    test('a rank sending two chunks in one step breaks "one chunk per step"', async () => {
      const v = await broken((p) => (p[0].sends.push({ from: 1, to: 2, chunk: 3 }), p));
      expect(v?.property).toBe('a rank sends one chunk per step');
      expect(v?.message).toMatch(/^at step 1, rank 1 sends 2 chunks \(1 and 3\)\./);
      expect(v?.drawing?.marks).toEqual([[2, 0], [1, 0]]);
      expect(v?.drawing?.cells[2][0]).toBe('2 in');
    });

    test('a plan without its last step leaves partial sums, every rank marked at the last step', async () => {
      const v = await broken((p) => p.slice(0, 5));
      expect(v?.property).toBe('every rank ends with the full sum of every chunk');
      // Rank 0's chunk 2 is 3303 = 3 + 300 + 3000 without step 6.
      expect(v?.message).toBe("after the last step, rank 0's chunk 2 holds the values of ranks 0, 2 and 3 only (3 of 4), not the sum of all 4 ranks' chunk 2.");
      expect(runOnNumbers((await planOf(4)).slice(0, 5), 4).values[0][2]).toBe(3303);
      expect(v?.drawing?.marks).toEqual([[0, 4], [1, 4], [2, 4], [3, 4]]);
    });

    test('an all-gather labelled reduce-scatter adds finished sums again: a rank counted twice', async () => {
      const v = await broken((p) => p.map((step) => ({ ...step, phase: 'reduce-scatter' })));
      expect(v?.property).toBe('every rank ends with the full sum of every chunk');
      expect(v?.message).toMatch(/^after the last step, rank 0's chunk \d holds ranks? [\d, and]+'s values (twice|\d times), not the sum/);
    });

    test('a seventh step that only repeats the sixth sends too much, marked at its first extra send', async () => {
      const v = await broken((p) => [...p, p[5]]);
      expect(v?.property).toBe('each rank sends 2(N − 1) = 6 chunks, 2(N − 1)/N of its data');
      expect(v?.message).toMatch(/^rank 0 sends 7 chunks \(7\/4 of its data\)\./);
      expect(v?.drawing?.marks).toEqual([[1, 6]]);
    });

    test('an empty step makes the plan longer than 2(N − 1) steps', async () => {
      const v = await broken((p) => [...p.slice(0, 3), { phase: 'all-gather', sends: [] }, ...p.slice(3)]);
      expect(v?.property).toBe('a ring of 4 needs 2(N − 1) = 6 steps');
      expect(v?.message).toMatch(/^the plan takes 7; at step 4 rank 0 sends nothing\./);
      expect(v?.drawing?.marks).toEqual([[1, 3]]);
    });

    test('N = 1 needs no step; an empty plan for N = 2 never sums', () => {
      expect(checkPlan([], 1)).toBeUndefined();
      expect(checkPlan([], 2)).toMatchObject({ property: 'every rank ends with the full sum of every chunk', drawing: undefined });
    });
  });

  describe('the misconceptions, on the lesson example (N = 4)', () => {
    test('everything to everyone: 12 chunks from rank 0, 3 S instead of 1.5 S, through links the ring lacks', async () => {
      const [oneStep, steps] = await wrongPlans('naive-all-to-all', 4);
      for (const plan of [oneStep, steps]) expect(plan.flatMap((s) => s.sends).filter((x) => x.from === 0)).toHaveLength(12);
      expect(oneStep).toHaveLength(1);
      expect(steps).toHaveLength(3);
      expect(checkPlan(oneStep, 4)?.message).toBe('at step 1, rank 0 sends chunk 0 to rank 2; its one link goes to rank 1.');
      expect(checkPlan(steps, 4)?.property).toBe('a rank sends one chunk per step');
    });

    test('N steps per phase: rank 0 holds 1112 after step 4, and each rank sends 8 chunks', async () => {
      const [plan] = await wrongPlans('n-steps-per-phase', 4);
      expect(plan).toHaveLength(8);
      const { after, values } = runOnNumbers(plan, 4);
      expect(after[3][0][0]).toBe(1112);
      expect(values[0]).toEqual([1111, 2222, 3333, 4444]);
      expect(checkPlan(plan, 4)?.message).toMatch(/^rank 0 sends 8 chunks/);
    });

    test("its own chunk every time: rank 1's chunk 0 is 13 after the reduce-scatter, rank 0 ends with 1000", async () => {
      const [plan] = await wrongPlans('own-chunk-every-step', 4);
      const { after, values } = runOnNumbers(plan, 4);
      expect(after[2][1][0]).toBe(13);
      expect(values[0][0]).toBe(1000);
      expect(checkPlan(plan, 4)?.message).toBe("after the last step, rank 0's chunk 0 holds the values of rank 3 only (1 of 4), not the sum of all 4 ranks' chunk 0.");
    });

    test('the all-gather from an unfinished chunk: every rank ends with 1, 20, 300, 4000', async () => {
      const [plan] = await wrongPlans('gather-unfinished-chunk', 4);
      expect(runOnNumbers(plan, 4).values).toEqual([0, 1, 2, 3].map(() => [1, 20, 300, 4000]));
      expect(checkPlan(plan, 4)?.property).toBe('every rank ends with the full sum of every chunk');
    });

    test('every misconception fails the check and is diagnosed as itself (seeds 7 and 99)', async () => {
      for (const seed of [7, 99]) {
        const results = await diagnoseEachMisconception(id, seed, 'scaling');
        expect(results.map((r) => r.id)).toEqual(['naive-all-to-all', 'n-steps-per-phase', 'own-chunk-every-step', 'gather-unfinished-chunk']);
        for (const r of results) {
          expect(r.failingCases, `${r.id} (seed ${seed})`).toBeGreaterThan(0);
          expect(r.diagnosed, `${r.id} (seed ${seed})`).toBe(r.id);
        }
      }
    });
  });

  test('grading: a learner who passes each rank its own chunk fails with the drawing and is diagnosed', async () => {
    const source = (await solutionWith(qualified, ["step('reduce-scatter', (r) => r - s)", "step('reduce-scatter', (r) => r)"])) as string;
    const verdict = await gradeLearnerSource(id, { [`${id}.ts`]: source }, 7, 'scaling');
    expect(verdict.status).toBe('fail');
    const first = verdict.cases[verdict.firstFailure!];
    expect(first.name).toBe("N = 4: the lesson's table");
    expect(first.message).toBe("every rank ends with the full sum of every chunk: after the last step, rank 0's chunk 0 holds the values of rank 3 only (1 of 4), not the sum of all 4 ranks' chunk 0.");
    expect(first.plan?.rows).toEqual(['0', '1', '2', '3']);
    expect(first.plan?.marks).toEqual([[0, 5], [1, 5], [2, 5], [3, 5]]);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'own-chunk-every-step', confidence: 'full' });
  });

  test('check yourself: the model solution holds the property (seeds 7 and 99)', async () => {
    await expectSolutionHolds(id, { [validForAll]: 1 }, 'scaling');
  });

  test('check yourself: an all-gather of N steps breaks it first at N = 1', async () => {
    const source = await solutionWith(qualified, ["for (let s = 0; s < n - 1; s++) plan.push(step('all-gather'", "for (let s = 0; s < n; s++) plan.push(step('all-gather'"]);
    await expectPropertyBroken(id, source, validForAll, /^For N = 1 your plan breaks a property: each rank sends 2\(N − 1\) = 0 chunks/, 'scaling');
  });

  test("the ```js block of In practice builds the reference's plan for N = 1 … 7 (its float32 sums of 10^r·(c + 1) are exact up to 2^24)", async () => {
    const { tf } = await loadTf();
    const last = lesson.slice(lesson.lastIndexOf('\n## '));
    const code = /```js\n([\s\S]*?)```/.exec(last)![1];
    const run = new Function('tf', 'ranks', `${code}\nreturn result;`) as (tf: unknown, ranks: number) => Plan;
    for (let n = 1; n <= 7; n++) expect(run(tf, n), `N = ${n}`).toEqual(await planOf(n));
  });
});
