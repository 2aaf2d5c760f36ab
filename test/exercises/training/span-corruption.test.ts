import { describe, expect, test } from 'vitest';
import { spanCorrupt } from '../../../exercises/training/objectives/span-corruption/solution.js';
import { randomInts, Rng } from '../../../src/core/authoring/rng.js';
import { reference, wrong } from '../../helpers/exercises.js';
import { expectDiagnosedAs, expectTrainingPropertyBroken, testMisconceptionsAndSolution, trainingSolutionWith } from './objectives-helpers.js';

const id = 'objectives/span-corruption';
/** The id as reference() and wrong() take it, qualified by its pack. */
const qualified = `training/${id}`;
const filledBack = 'putting each span back in place of its sentinel gives the tokens';
const counts = 'n spans give n sentinels in the inputs and n + 1 in the targets';

// The T5 paper's figure 2, one toy id per word; the sentinels are T5's <extra_id_0>, <extra_id_1>, <extra_id_2>.
const words = ['Thank', 'you', 'for', 'inviting', 'me', 'to', 'your', 'party', 'last', 'week', '.'];
const ids = words.map((_, i) => 100 + i);
const sentinelNames = new Map([[32099, '<X>'], [32098, '<Y>'], [32097, '<Z>']]);
const spell = (out: number[]) => out.map((t) => sentinelNames.get(t) ?? words[t - 100]).join(' ');
const spans: [number, number][] = [[2, 2], [8, 1]];

describe('objectives/span-corruption', () => {
  test('the reference reproduces the T5 figure: "Thank you <X> me to your party <Y> week ." and "<X> for inviting <Y> last <Z>"', async () => {
    const got = (await reference(qualified, ids, spans, 32099)) as { inputs: number[]; targets: number[] };
    expect(spell(got.inputs)).toBe('Thank you <X> me to your party <Y> week .');
    expect(spell(got.targets)).toBe('<X> for inviting <Y> last <Z>');
  });

  test('the reference agrees with the model solution on seeded texts and spans, and on the edge cases', async () => {
    const rng = new Rng(7);
    for (const length of [6, 12, 25]) {
      const tokens = randomInts(rng, length, 3, 999);
      const chosen: [number, number][] = [];
      for (let start = rng.int(0, 1); start < length; start += rng.int(3, 6)) chosen.push([start, Math.min(rng.int(1, 2), length - start)]);
      expect(await reference(qualified, tokens, chosen, 32099)).toEqual(spanCorrupt(tokens, chosen, 32099));
    }
    expect(await reference(qualified, [5, 6, 7], [], 32099)).toEqual({ inputs: [5, 6, 7], targets: [32099] });
    expect(await reference(qualified, [5, 6, 7], [[0, 3]], 999)).toEqual({ inputs: [999], targets: [999, 5, 6, 7, 998] });
  });

  test("the pitfalls' outputs on the figure", async () => {
    expect(((await wrong(qualified, 'sentinels-counting-up', ids, spans, 32099)) as { targets: number[] }).targets).toEqual([32099, 102, 103, 32100, 108, 32101]);
    expect(spell(((await wrong(qualified, 'final-sentinel-missing', ids, spans, 32099)) as { targets: number[] }).targets)).toBe('<X> for inviting <Y> last');
    expect(spell(((await wrong(qualified, 'sentinel-per-token', ids, spans, 32099)) as { inputs: number[] }).inputs)).toBe('Thank you <X> <Y> me to your party <Z> week .');
    expect(((await wrong(qualified, 'one-sentinel-for-all', ids, spans, 32099)) as { targets: number[] }).targets).toEqual([32099, 102, 103, 32099, 108, 32099]);
    expect(((await wrong(qualified, 'targets-without-sentinels', ids, spans, 32099)) as { targets: number[] }).targets).toEqual([102, 103, 108]);
  });

  test('grading: a learner who counts the sentinels up is diagnosed as sentinels-counting-up', async () => {
    await expectDiagnosedAs(id, await trainingSolutionWith(id, ['sentinel--;', 'sentinel++;']), 'sentinels-counting-up');
  });

  testMisconceptionsAndSolution(id, { [filledBack]: 2, [counts]: 2 });

  test('check yourself: one sentinel for every span breaks filling back; no final sentinel breaks the count', async () => {
    await expectTrainingPropertyBroken(id, await trainingSolutionWith(id, ['sentinel--;', '']), filledBack, /^Replacing each sentinel of your inputs by the tokens after the same sentinel in your targets gives \[/);
    await expectTrainingPropertyBroken(id, await trainingSolutionWith(id, ['targets.push(sentinel);', '']), counts, /^With (2 spans|0 spans) your inputs hold (2|0) sentinels and your targets (2|0); they should hold (2|0) and (3|1)\./);
  });
});
