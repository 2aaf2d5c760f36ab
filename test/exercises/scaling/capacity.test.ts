import { describe, expect, test } from 'vitest';
import { dispatch } from '../../../exercises/scaling/moe/capacity/solution.js';
import { lessonExperts } from '../../../exercises/scaling/moe/capacity/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';
import { casesOn, expectEachMisconceptionDiagnosed, runLessonJs, seededCases } from './scaling-helpers.js';

const id = 'moe/capacity';
const qualified = `scaling/${id}`;
const conserved = "every choice is either in its expert's slots or dropped, once, and no expert holds more than its capacity";
type Dispatch = { slots: number[][][]; dropped: number[][] };
const run = async (experts: number[][], E: number, factor: number) => (await reference(qualified, experts, E, factor)) as Dispatch;

/**
 * The dispatch written without a queue: claim (t, c) of expert e is kept when
 * fewer than `capacity` claims on e come before it, a claim (t', c') coming
 * before when c' < c, or c' = c and t' < t (GShard's and DeepSpeed's
 * locations2 += sum(mask1)). Pairs are listed in that same order.
 */
function byPosition(experts: number[][], E: number, factor: number): Dispatch {
  const T = experts.length;
  const k = experts[0].length;
  const capacity = Math.floor((factor * T * k) / E);
  const pairs = experts.flatMap((row, t) => row.map((e, c) => ({ t, c, e })));
  const before = (a: { t: number; c: number }, b: { t: number; c: number }) => a.c < b.c || (a.c === b.c && a.t < b.t);
  const kept = (p: (typeof pairs)[number]) => pairs.filter((q) => q.e === p.e && before(q, p)).length < capacity;
  const inOrder = [...pairs].sort((a, b) => a.c - b.c || a.t - b.t);
  return {
    slots: Array.from({ length: E }, (_, e) => inOrder.filter((p) => p.e === e && kept(p)).map((p) => [p.t, p.c])),
    dropped: inOrder.filter((p) => !kept(p)).map((p) => [p.t, p.c]),
  };
}

describe(id, () => {
  test('the lesson example by hand: capacity 2, token 0 and token 3 lose their second choices', async () => {
    expect(await run(lessonExperts, 4, 1)).toEqual({ slots: [[[0, 0], [2, 1]], [[1, 0], [2, 0]], [[1, 1]], [[3, 0]]], dropped: [[0, 1], [3, 1]] });
  });

  test('the lesson example with factors 1.5 (capacity 3: only [3, 1] dropped) and 2 (nothing dropped)', async () => {
    const three = await run(lessonExperts, 4, 1.5);
    expect(three.slots[1]).toEqual([[1, 0], [2, 0], [0, 1]]);
    expect(three.dropped).toEqual([[3, 1]]);
    expect((await run(lessonExperts, 4, 2)).dropped).toEqual([]);
  });

  test('capacity 0 drops every token; the capacities the case names state are floor(factor · T · k / E)', async () => {
    expect(await run([[2], [0]], 4, 0.25)).toEqual({ slots: [[], [], [], []], dropped: [[0, 0], [1, 0]] });
    for (const c of await casesOn(id, 7)) {
      const [experts, E, factor] = c.args as [number[][], number, number];
      const stated = /capacity (?:floor\([\d.]+\) = )?(\d+)/.exec(c.name);
      if (stated) expect(Math.floor((factor * experts.length * experts[0].length) / E), c.name).toBe(Number(stated[1]));
    }
  });

  test('the reference and the model solution agree with the queue-free computation on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const [experts, E, factor] = c.args as [number[][], number, number];
      const want = byPosition(experts, E, factor);
      expect(await run(experts, E, factor), c.name).toEqual(want);
      expect(dispatch(experts, E, factor), c.name).toEqual(want);
    }
  });

  test('some random cases drop choices, so the order of the claims matters in them', async () => {
    const random = (await seededCases(id)).filter((c) => c.name.startsWith('random'));
    const droppedCounts = await Promise.all(random.map(async (c) => (await run(...(c.args as [number[][], number, number]))).dropped.length));
    expect(droppedCounts.filter((n) => n > 0).length).toBeGreaterThan(0);
  });

  test('the wrong variants on the lesson example: token by token drops [2, 0]; capacity 1 without k drops four choices', async () => {
    const tokenByToken = (await wrong(qualified, 'token-by-token', lessonExperts, 4, 1)) as Dispatch;
    expect(tokenByToken.slots[1]).toEqual([[0, 1], [1, 0]]);
    expect(tokenByToken.dropped).toEqual([[2, 0], [3, 1]]);
    const withoutK = (await wrong(qualified, 'capacity-without-k', lessonExperts, 4, 1)) as Dispatch;
    expect(withoutK).toEqual({ slots: [[[0, 0]], [[1, 0]], [[1, 1]], [[3, 0]]], dropped: [[2, 0], [0, 1], [2, 1], [3, 1]] });
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['token-by-token', 'capacity-without-k']);
  });

  test('check yourself: the model solution holds the conservation property; a capacity check with <= breaks it', async () => {
    await expectSolutionHolds(qualified, { [conserved]: 2 });
    const overfull = await solutionWith(qualified, ['if (slots[e].length < capacity)', 'if (slots[e].length <= capacity)']);
    await expectPropertyBroken(qualified, overfull, conserved, /^Expert \d holds \d choices; its capacity is floor\([\d.]+ · \d+ · \d \/ \d\) = \d\.$/);
  });

  test("check yourself: a learner who forgets the dropped list is told which choice went missing", async () => {
    const forgetful = await solutionWith(qualified, ['else dropped.push([token, choice]);', '']);
    await expectPropertyBroken(qualified, forgetful, conserved, /^Choice \d of token \d+ \(expert \d\) appears 0 times in slots and dropped together/);
  });

  test("the ```js block of In practice gives the reference's output on the lesson example and on a random case", async () => {
    const { tf } = await loadTf();
    const random = (await casesOn(id, 7)).find((c) => c.name.startsWith('random: 10 tokens'))!;
    for (const [experts, numExperts, capacityFactor] of [[lessonExperts, 4, 1], random.args] as [number[][], number, number][]) {
      expect(await runLessonJs(id, tf, { experts, numExperts, capacityFactor })).toEqual(await run(experts, numExperts, capacityFactor));
    }
  });
});
