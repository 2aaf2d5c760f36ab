import { describe, expect, test } from 'vitest';
import { exerciseScore, roundScore, totalScore } from '../../../src/core/class/scores.js';

const partial = { points: 3, partialCredit: true };
const allOrNothing = { points: 3, partialCredit: false };

describe('exerciseScore', () => {
  test('a pass earns every point, with or without partial credit', () => {
    expect(exerciseScore(partial, { status: 'pass', casesPassed: 4, casesTotal: 4 })).toBe(3);
    expect(exerciseScore(allOrNothing, { status: 'pass', casesPassed: 4, casesTotal: 4 })).toBe(3);
  });

  test('with partial credit, a failure earns points × cases passed / cases, to 4 decimals', () => {
    expect(exerciseScore(partial, { status: 'fail', casesPassed: 3, casesTotal: 4 })).toBe(2.25);
    expect(exerciseScore({ points: 2, partialCredit: true }, { status: 'fail', casesPassed: 1, casesTotal: 3 })).toBe(0.6667);
    // A file that threw after some cases passed keeps the credit of those.
    expect(exerciseScore(partial, { status: 'error', casesPassed: 2, casesTotal: 4 })).toBe(1.5);
  });

  test('without partial credit a failure earns nothing; nothing run earns nothing either way', () => {
    expect(exerciseScore(allOrNothing, { status: 'fail', casesPassed: 3, casesTotal: 4 })).toBe(0);
    expect(exerciseScore(partial, { status: 'error', casesPassed: 0, casesTotal: 0 })).toBe(0);
  });
});

describe('totalScore', () => {
  test('sums scores and points, rounded so that thirds add up as they read', () => {
    const third = { score: roundScore(1 / 3), maxScore: 1 };
    expect(totalScore([third, third, third])).toEqual({ score: 0.9999, maxScore: 3 });
    expect(totalScore([{ score: 0.1, maxScore: 0.2 }, { score: 0.2, maxScore: 0.1 }])).toEqual({ score: 0.3, maxScore: 0.3 });
    expect(totalScore([])).toEqual({ score: 0, maxScore: 0 });
  });
});
