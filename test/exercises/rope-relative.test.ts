import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { Rng, randomVector } from '../../src/pack-api.js';
import { gradeLearnerSource, maxAbsDiff, reference } from '../helpers/exercises.js';

const id = 'positions/rope-relative';
const q = [1, 2, 3, 4];
const k = [4, 3, 2, 1];
const source = (exercise: string) => fs.readFile(path.join(builtinPacksDir, 'transformer-core', exercise, 'solution.ts'), 'utf8');

/** A learner file whose ropeScore is ⟨R_m q, R_n k⟩ computed with the given body, using the learner's applyRope. */
const learnerFile = (body: string) => `import { applyRope } from './rope.js';
export function ropeScore(q: Vector, k: Vector, m: number, n: number, base: number): number {
  ${body}
}`;
const dotOf = (a: string, b: string) => `const a = ${a}; const b = ${b}; return a.reduce((s, x, i) => s + x * b[i], 0);`;

describe(id, () => {
  test('reference: the lesson example scores 1.190051 at (5, 3) and at (12, 10), 20 = q·k at m = n, 10.483012 at (3, 5)', async () => {
    const at = async (m: number, n: number) => (await reference(id, q, k, m, n, 10000)) as number;
    expect(await at(5, 3)).toBeCloseTo(1.190051, 5);
    expect(await at(12, 10)).toBeCloseTo(1.190051, 5);
    expect(await at(1_000_005, 1_000_003)).toBeCloseTo(1.190051, 5);
    expect(await at(7, 7)).toBeCloseTo(20, 5);
    expect(await at(3, 5)).toBeCloseTo(10.483012, 5);
  });

  test('reference: ropeScore equals the dot product of the rows of applyRope (positions/rope)', async () => {
    const rng = new Rng(2024);
    for (const [d, m, n, base] of [
      [8, 5, 3, 10000],
      [16, 0, 40, 10000],
      [64, 37, 12, 500000],
      [6, 99990, 100000, 10000],
    ]) {
      const [qv, kv] = [randomVector(rng, d), randomVector(rng, d)];
      const rows = (await reference('positions/rope', [qv, kv], [m, n], base)) as number[][];
      const dot = rows[0].reduce((s, x, i) => s + x * rows[1][i], 0);
      expect(maxAbsDiff(await reference(id, qv, kv, m, n, base), dot), `d=${d}, m=${m}, n=${n}`).toBeLessThan(1e-5);
    }
  });

  test('grading: a solution built on the learner’s own applyRope passes every value case and every shift, up to s = 1,000,000', async () => {
    const verdict = await gradeLearnerSource(id, {
      'positions/rope.ts': await source('positions/rope'),
      'positions/rope-relative.ts': learnerFile(dotOf('applyRope([q], [m], base)[0]', 'applyRope([k], [n], base)[0]')),
    });
    expect(verdict.summary).toMatch(/^All \d+ cases pass\.$/);
    const shifts = verdict.cases.filter((c) => c.name.startsWith('f(m+s, n+s) = f(m, n): '));
    expect(shifts.map((c) => c.name.match(/s = (\d+)/)?.[1])).toEqual(['1', expect.stringMatching(/^\d+$/), '4096', '1000000']);
  });

  test('grading: rotating only q fails every shift check with a message, and is diagnosed', async () => {
    const verdict = await gradeLearnerSource(id, {
      'positions/rope.ts': await source('positions/rope'),
      'positions/rope-relative.ts': learnerFile(dotOf('applyRope([q], [m], base)[0]', 'k')),
    });
    expect(verdict.status).toBe('fail');
    const shifts = verdict.cases.filter((c) => c.name.startsWith('f(m+s, n+s) = f(m, n)'));
    expect(shifts).toHaveLength(4);
    for (const c of shifts) {
      expect(c.status).toBe('fail');
      expect(c.message).toMatch(/^ropeScore\(q, k, \d+, \d+\) = \S+ but ropeScore\(q, k, \d+, \d+\) = \S+ \(difference \S+, allowed \S+\)\. Both pairs of positions are the same distance apart/);
    }
    expect(verdict.diagnosis?.misconceptionId).toBe('one-vector-rotated');
  });

  test('grading: half-split pairs keep the relative property (every shift passes) but fail the values, and are diagnosed', async () => {
    const verdict = await gradeLearnerSource(id, {
      'positions/rope-half-split.ts': await source('positions/rope-half-split'),
      'positions/rope-relative.ts': `import { applyRopeHalf } from './rope-half-split.js';
export function ropeScore(q: Vector, k: Vector, m: number, n: number, base: number): number {
  ${dotOf('applyRopeHalf([q], [m], base)[0]', 'applyRopeHalf([k], [n], base)[0]')}
}`,
    });
    expect(verdict.status).toBe('fail');
    const shifts = verdict.cases.filter((c) => c.name.startsWith('f(m+s, n+s) = f(m, n)'));
    expect(shifts.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(verdict.cases.find((c) => c.name.startsWith('the lesson example:'))?.status).toBe('fail');
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'half-split-pairs', confidence: 'full' });
  });

  test('grading: a score that is not a number fails the shift checks with a clear message', async () => {
    const verdict = await gradeLearnerSource(id, {
      'positions/rope-relative.ts': 'export function ropeScore(q: Vector): number { return [q[0]] as unknown as number; }',
    });
    const shift = verdict.cases.find((c) => c.name.startsWith('f(m+s, n+s) = f(m, n)'));
    expect(shift?.message).toBe('ropeScore must return a number; it returned number[] of shape [1].');
  });
});
