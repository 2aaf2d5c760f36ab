import { describe, expect, test } from 'vitest';
import { beamSearch } from '../../../exercises/inference/decoding/beam-search/solution.js';
import { droppedEosLogProbs, lessonLogProbs, lessonProbs, type Hypothesis } from '../../../exercises/inference/decoding/beam-search/exercise.js';
import { loadTf } from '../../../src/reference/backend.js';
import { reference, solutionWith, wrong } from '../../helpers/exercises.js';
import { allBars, barRows, expectEachMisconceptionDiagnosed, grade, lessonBlock, namedCase, runLessonJs, seededCases } from './speculative-helpers.js';

const id = 'decoding/beam-search';
const qualified = `inference/${id}`;
type Args = [number[][], number, number, number, number, number];
const search = async (...args: Args) => (await reference(qualified, ...args)) as Hypothesis;
const L = Math.log;

/**
 * Hugging Face's loop transcribed as it is laid out in `_beam_search` and
 * `BeamSearchScorer`: num_beams copies of the prompt with scores [0, −1e9, …],
 * the flattened [num_beams·V] scores ranked (equal scores: lower flat index),
 * the best 2·num_beams walked with `beam_token_rank`, a BeamHypotheses list
 * that keeps the best num_beams finished (dropping the worst), and finalize
 * adding the running beams.
 */
function hfBeamSearch(logProbs: number[][], start: number, eos: number, numBeams: number, maxLen: number, lengthPenalty: number): Hypothesis {
  const V = logProbs.length;
  let inputIds = Array.from({ length: numBeams }, () => [start]);
  let beamScores: number[] = Array.from({ length: numBeams }, (_, b) => (b === 0 ? 0 : -1e9));
  const hyps: { score: number; tokens: number[] }[] = [];
  const add = (tokens: number[], sumLogprobs: number, generatedLen: number) => {
    hyps.push({ score: sumLogprobs / generatedLen ** lengthPenalty, tokens });
    if (hyps.length > numBeams) {
      let worst = 0;
      hyps.forEach((h, i) => h.score < hyps[worst].score && (worst = i));
      hyps.splice(worst, 1);
    }
  };
  for (let curLen = 1; curLen <= maxLen; curLen++) {
    const flat = inputIds.flatMap((ids, b) => logProbs[ids.at(-1)!].map((lp) => beamScores[b] + lp));
    const order = flat.map((_, i) => i).sort((a, b) => flat[b] - flat[a] || a - b).slice(0, 2 * numBeams);
    const nextIds: number[][] = [];
    const nextScores: number[] = [];
    for (let rank = 0; rank < order.length; rank++) {
      const beam = Math.floor(order[rank] / V);
      const token = order[rank] % V;
      if (token === eos) {
        if (rank >= numBeams) continue;
        add([...inputIds[beam].slice(1), eos], flat[order[rank]], curLen);
      } else {
        nextIds.push([...inputIds[beam], token]);
        nextScores.push(flat[order[rank]]);
      }
      if (nextIds.length === numBeams) break;
    }
    inputIds = nextIds;
    beamScores = nextScores;
  }
  inputIds.forEach((ids, b) => add(ids.slice(1), beamScores[b], maxLen));
  const best = hyps.reduce((a, h) => (h.score > a.score ? h : a));
  return { tokens: best.tokens, score: best.score };
}

describe(id, () => {
  test('the lesson example by hand: [2, 1, 3] with Σ log p = log 0.4 + log 0.3 + log 0.5, divided by 3', async () => {
    const got = await search(lessonLogProbs, 0, 3, 2, 3, 1);
    expect(got.tokens).toEqual([2, 1, 3]);
    expect(got.score).toBeCloseTo((L(0.4) + L(0.3) + L(0.5)) / 3, 12);
    expect(got.score).toBeCloseTo(-0.9378, 4);
    // The finished rivals of the lesson's tables.
    expect((L(0.3) + L(0.5)) / 2).toBeCloseTo(-0.9486, 4);
    expect((L(0.4) + L(0.35)) / 2).toBeCloseTo(-0.9831, 4);
    expect((L(0.4) + L(0.2) + L(0.4)) / 3).toBeCloseTo(-1.1473, 4);
  });

  test('the lesson example with lengthPenalty 0 returns [1, 3], maxLen 4 still [2, 1, 3]', async () => {
    expect(await search(lessonLogProbs, 0, 3, 2, 3, 0)).toEqual({ tokens: [1, 3], score: L(0.3) + L(0.5) });
    const longer = await search(lessonLogProbs, 0, 3, 2, 4, 1);
    expect(longer.tokens).toEqual([2, 1, 3]);
  });

  test('an end-of-sequence candidate ranked third of four is not kept, though its log 0.2 beats every finished hypothesis', async () => {
    const got = await search(droppedEosLogProbs, 0, 3, 2, 3, 0);
    expect(got.tokens).toEqual([2, 3]);
    expect(got.score).toBeCloseTo(L(0.4) + L(0.35), 12);
    expect(L(0.2)).toBeGreaterThan(got.score);
  });

  test('when nothing finishes, the best live beam comes back without end-of-sequence, maxLen tokens long', async () => {
    const c = await namedCase(id, 'nothing finishes');
    const [, , eos, , maxLen] = c.args as Args;
    const got = await search(...(c.args as Args));
    expect(got.tokens).toHaveLength(maxLen);
    expect(got.tokens).not.toContain(eos);
  });

  test('the reference and the model solution follow Hugging Face\'s loop as transcribed on every seeded case', async () => {
    for (const c of await seededCases(id)) {
      const args = c.args as Args;
      const want = hfBeamSearch(...args);
      for (const got of [await search(...args), beamSearch(...args)]) {
        expect(got.tokens, c.name).toEqual(want.tokens);
        expect(got.score, c.name).toBeCloseTo(want.score, 12);
      }
    }
  });

  test('the lesson\'s heatmap is the model of the worked example', async () => {
    const rows = (await lessonBlock(id, 'heatmap')).trim().split('\n').slice(2).map((line) => line.trim().split(/\s+/).slice(1).map(Number));
    expect(rows).toEqual(lessonProbs.slice(0, 3));
  });

  test('the lesson\'s step-2 bars are the products of the model\'s probabilities along each path, the kept four the best four', async () => {
    const [all, kept] = (await allBars(id)).map(barRows);
    const path = (label: string) => JSON.parse(label.replace(' eos', '')) as number[];
    const probability = (tokens: number[]) => tokens.reduce((acc, t, i) => acc * lessonProbs[i === 0 ? 0 : tokens[i - 1]][t], 1);
    expect(all).toHaveLength(8);
    for (const [label, value] of all) expect(value, label).toBeCloseTo(probability(path(label)), 12);
    expect(all.map(([, v]) => v)).toEqual([...all.map(([, v]) => v)].sort((a, b) => b - a));
    expect(kept).toEqual(all.slice(0, 4));
    for (const [label] of all) expect(label.endsWith(' eos'), label).toBe(path(label).at(-1) === 3);
  });

  test('the wrong variants on the lesson: greedy [2, 3] −0.9831, the carried score −0.5844 ([2, 1, 1, 3] at maxLen 4), slots taken [1, 3] −0.9486', async () => {
    const args: Args = [lessonLogProbs, 0, 3, 2, 3, 1];
    const greedy = (await wrong(qualified, 'greedy', ...args)) as Hypothesis;
    expect(greedy.tokens).toEqual([2, 3]);
    expect(greedy.score).toBeCloseTo(-0.9831, 4);
    const carried = (await wrong(qualified, 'normalised-score-carried', ...args)) as Hypothesis;
    expect(carried.tokens).toEqual([2, 1, 3]);
    expect(carried.score).toBeCloseTo(((L(0.4) + L(0.3)) / 2 + L(0.5)) / 3, 12);
    expect(carried.score).toBeCloseTo(-0.5844, 4);
    expect(((await wrong(qualified, 'normalised-score-carried', lessonLogProbs, 0, 3, 2, 4, 1)) as Hypothesis).tokens).toEqual([2, 1, 1, 3]);
    const slots = (await wrong(qualified, 'finished-take-slots', ...args)) as Hypothesis;
    expect(slots.tokens).toEqual([1, 3]);
    expect(slots.score).toBeCloseTo(-0.9486, 4);
  });

  test('every misconception fails the reference and is diagnosed as itself (seeds 7 and 99)', async () => {
    expect(await expectEachMisconceptionDiagnosed(id)).toEqual(['greedy', 'normalised-score-carried', 'finished-take-slots']);
  });

  test('grading: a search that takes only the top `beams` candidates is diagnosed as finished hypotheses taking slots', async () => {
    const source = await solutionWith(qualified, ['rank < 2 * beams && rank < candidates.length', 'rank < beams && rank < candidates.length']);
    const verdict = await grade(id, source);
    expect(verdict.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'finished-take-slots', confidence: 'full' });
  });

  test('the ```js block of In practice gives the reference\'s output on the lesson example and with lengthPenalty 0', async () => {
    const { tf } = await loadTf();
    for (const lengthPenalty of [1, 0]) {
      const args = { logProbs: lessonLogProbs, start: 0, eos: 3, beams: 2, maxLen: 3, lengthPenalty };
      const got = (await runLessonJs(id, tf, args)) as Hypothesis;
      const want = await search(lessonLogProbs, 0, 3, 2, 3, lengthPenalty);
      expect(got.tokens).toEqual(want.tokens);
      expect(got.score).toBeCloseTo(want.score, 10);
    }
  });
});
