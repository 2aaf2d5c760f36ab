/**
 * Points in a class's results: what one exercise scored, and totals. Scores
 * are rounded to 4 decimals, so that totals read the same in every report and
 * after `grade merge`.
 */

/** How an exercise is scored: its points, and whether cases passed earn a share of them. */
export interface Scoring {
  points: number;
  partialCredit: boolean;
}

/** A score rounded to 4 decimals (2/3 of a point is 0.6667). */
export function roundScore(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/**
 * The points one result earns: all of them when every case passed; with
 * partial credit, points × casesPassed / casesTotal; else none. A result with
 * no cases run (a missing file, a file that did not load) earns nothing.
 */
export function exerciseScore(scoring: Scoring, result: { status: 'pass' | 'fail' | 'error'; casesPassed: number; casesTotal: number }): number {
  if (result.status === 'pass') return scoring.points;
  if (result.casesTotal === 0) return 0;
  return scoring.partialCredit ? roundScore((scoring.points * result.casesPassed) / result.casesTotal) : 0;
}

/** The sums of scores and of the points possible, rounded. */
export function totalScore(parts: { score: number; maxScore: number }[]): { score: number; maxScore: number } {
  return {
    score: roundScore(parts.reduce((sum, p) => sum + p.score, 0)),
    maxScore: roundScore(parts.reduce((sum, p) => sum + p.maxScore, 0)),
  };
}
