import { describe, expect, test } from 'vitest';
import { groupedQueryAttention } from '../../exercises/transformer-core/attention/grouped-query/solution.js';
import { diagnoseEachMisconception, reference, solutionWith, wrong, wrongAlternatives } from '../helpers/exercises.js';
import { expectClose } from '../helpers/matrices.js';
import { expectPropertyBroken, expectSolutionHolds } from '../helpers/properties.js';
import { gradeSource, seededMatrix } from './attention-helpers.js';

const id = 'attention/grouped-query';
const sameQuery = 'query heads of one group given the same q give the same output';
const repeated = 'repeating each KV head for its group (H_kv = H) gives the same output';

// The lesson's worked example: 4 query heads, 2 KV heads, T = 2, d = 2.
const q = [
  [
    [1, 0],
    [0, 1],
  ],
  [
    [0, 1],
    [1, 1],
  ],
  [
    [2, 0],
    [0, 2],
  ],
  [
    [1, 1],
    [2, 0],
  ],
];
const k = [
  [
    [1, 0],
    [0, 1],
  ],
  [
    [1, 1],
    [0, 2],
  ],
];
const v = [
  [
    [1, 0],
    [0, 1],
  ],
  [
    [2, 2],
    [0, -2],
  ],
];

const heads = (seed: number, count: number, rows: number, cols: number) => Array.from({ length: count }, (_, h) => seededMatrix(seed * 31 + h, rows, cols));

describe(id, () => {
  test('reference matches the lesson worked example', async () => {
    expectClose(await reference(id, q, k, v), [
      [
        [1, 0],
        [0.330238, 0.669762],
      ],
      [
        [1, 0],
        [0.5, 0.5],
      ],
      [
        [2, 2],
        [0.391141, -1.217719],
      ],
      [
        [2, 2],
        [1.608859, 1.217719],
      ],
    ]);
  });

  test('query head h is attention/causal-mask against KV head ⌊h / (H/H_kv)⌋ (H = 6, H_kv = 2; a cache with n < m; more queries than keys)', async () => {
    // n > m: the first queries see no key, and give zeros there as attention/causal-mask does (not the NaN of an empty softmax).
    for (const [n, m] of [
      [4, 4],
      [2, 5],
      [4, 2],
    ]) {
      const [qq, kk, vv] = [heads(1, 6, n, 3), heads(2, 2, m, 3), heads(3, 2, m, 2)];
      const got = (await reference(id, qq, kk, vv)) as number[][][];
      for (let h = 0; h < 6; h++) {
        const g = Math.floor(h / 3);
        expectClose(got[h], await reference('attention/causal-mask', qq[h], kk[g], vv[g]), 5, `head ${h}`);
      }
    }
  });

  test('with H_kv = H it is multi-head attention: head h reads KV head h', async () => {
    const [qq, kk, vv] = [heads(4, 3, 4, 2), heads(5, 3, 4, 2), heads(6, 3, 4, 2)];
    const got = (await reference(id, qq, kk, vv)) as number[][][];
    for (let h = 0; h < 3; h++) expectClose(got[h], await reference('attention/causal-mask', qq[h], kk[h], vv[h]), 5, `head ${h}`);
  });

  test('a query that sees no key outputs zeros', async () => {
    const got = (await reference(id, heads(10, 4, 3, 3), heads(11, 2, 2, 3), heads(12, 2, 2, 2))) as number[][][];
    for (const head of got) {
      expect(head[0]).toEqual([0, 0]);
      expect(head.flat().every(Number.isFinite)).toBe(true);
    }
  });

  test('the model solution agrees with the reference (H = 8, H_kv = 4)', async () => {
    const [qq, kk, vv] = [heads(7, 8, 5, 4), heads(8, 4, 5, 4), heads(9, 4, 5, 3)];
    expectClose(groupedQueryAttention(qq, kk, vv), await reference(id, qq, kk, vv));
  });

  test('h mod H_kv agrees with the reference only when H_kv = 1 or H_kv = H', async () => {
    const same = async (qq: number[][][], kk: number[][][], vv: number[][][]) => {
      const a = (await wrong(id, 'kv-head-modulo', qq, kk, vv)) as number[][][];
      const b = (await reference(id, qq, kk, vv)) as number[][][];
      return a.flat(2).every((x, i) => Math.abs(x - b.flat(2)[i]) < 1e-4);
    };
    expect(await same(heads(10, 4, 3, 2), heads(11, 1, 3, 2), heads(12, 1, 3, 2))).toBe(true);
    expect(await same(heads(13, 4, 3, 2), heads(14, 4, 3, 2), heads(15, 4, 3, 2))).toBe(true);
    expect(await same(heads(16, 4, 3, 2), heads(17, 2, 3, 2), heads(18, 2, 3, 2))).toBe(false);
  });

  test('the lesson example with h mod H_kv: heads 1 and 2 read the wrong KV head', async () => {
    const got = (await wrong(id, 'kv-head-modulo', q, k, v)) as number[][][];
    expectClose(got[1], [
      [2, 2],
      [1, 0],
    ]);
    expectClose(got[2], [
      [1, 0],
      [0.19557, 0.80443],
    ]);
  });

  test('Math.round(h / group) moves the upper half of each group (h mod group ≥ group / 2) to the next KV head, the last head one past the end', () => {
    for (const [H, Hkv] of [
      [4, 2],
      [6, 2],
      [8, 4],
      [6, 3],
      [4, 1],
      [64, 8],
    ]) {
      const group = H / Hkv;
      for (let h = 0; h < H; h++) {
        const next = h % group >= group / 2 ? 1 : 0;
        expect(Math.round(h / group), `H = ${H}, H_kv = ${Hkv}, h = ${h}`).toBe(Math.floor(h / group) + next);
      }
      expect(Math.round((H - 1) / group), `H = ${H}, H_kv = ${Hkv}`).toBe(Hkv);
    }
  });

  test('the lesson example with Math.round, clamped or wrapped into range: head 1 reads KV head 1; wrapped, head 3 reads KV head 0', async () => {
    // Hand-worked. Head 1 against KV head 1: token 1's query [1, 1] scores [2, 2] / √2, equal weights: 0.5·[2, 2] + 0.5·[0, −2].
    const head1 = [
      [2, 2],
      [1, 0],
    ];
    // Head 3 against KV head 0 (k = v = I): token 1's query [2, 0] scores [2, 0] / √2.
    const w = 1 / (1 + Math.exp(-Math.SQRT2));
    expectClose([w, 1 - w], [0.80443, 0.19557], 6);
    const head3Wrapped = [
      [1, 0],
      [w, 1 - w],
    ];
    const [clamped, wrapped] = (await wrongAlternatives(id, 'kv-head-rounded', q, k, v)) as number[][][][];
    const expected = (await reference(id, q, k, v)) as number[][][];
    expectClose(clamped, [expected[0], head1, expected[2], expected[3]]);
    expectClose(wrapped, [expected[0], head1, expected[2], head3Wrapped]);
  });

  test('grading: plain Math.round crashes on the last head; clamped into range it is diagnosed as kv-head-rounded', async () => {
    const floor = 'const g = Math.floor(h / group);';
    const rounded = await gradeSource(id, await solutionWith(id, [floor, 'const g = Math.round(h / group);']));
    expect(rounded.status).toBe('error');
    expect(rounded.diagnosis).toBeUndefined();
    const clamped = await gradeSource(id, await solutionWith(id, [floor, 'const g = Math.min(Math.round(h / group), k.length - 1);']));
    expect(clamped.status).toBe('fail');
    expect(clamped.diagnosis).toMatchObject({ misconceptionId: 'kv-head-rounded', confidence: 'full' });
  });

  for (const seed of [7, 42, 2024]) {
    test(`every misconception fails the reference and is diagnosed as itself (seed ${seed})`, async () => {
      for (const result of await diagnoseEachMisconception(id, seed)) {
        expect(result.failingCases, result.id).toBeGreaterThan(0);
        expect(result.diagnosed, result.id).toBe(result.id);
      }
    });
  }

  test('reference, Check yourself: head 1 given head 0\'s q outputs head 0\'s [[1, 0], [0.330238, 0.669762]]; KV heads repeated give the lesson output', async () => {
    const lesson = (await reference(id, q, k, v)) as number[][][];
    const shared = (await reference(id, [q[0], q[0], q[2], q[3]], k, v)) as number[][][];
    expectClose(shared[1], [
      [1, 0],
      [0.330238, 0.669762],
    ]);
    expectClose((await reference(id, q, [k[0], k[0], k[1], k[1]], [v[0], v[0], v[1], v[1]])) as number[][][], lesson);
  });

  test('check yourself: the model solution holds both properties on seeds 7 and 99', async () => {
    await expectSolutionHolds(id, { [sameQuery]: 2, [repeated]: 2 });
  });

  test('check yourself: keys by group but values by h mod H_kv breaks both properties', async () => {
    const mixed = `export function groupedQueryAttention(q: Matrix[], k: Matrix[], v: Matrix[]): Matrix[] {
  const group = q.length / k.length;
  return q.map((qh, h) => {
    const keys = k[Math.floor(h / group)];
    const values = v[h % k.length];
    const m = keys.length;
    return qh.map((row, i) => {
      const seen = keys.slice(0, m - qh.length + i + 1);
      if (seen.length === 0) return values[0].map(() => 0);
      const s = seen.map((kj) => kj.reduce((acc, x, c) => acc + x * row[c], 0) / Math.sqrt(row.length));
      const max = Math.max(...s);
      const e = s.map((x) => Math.exp(x - max));
      const sum = e.reduce((a, b) => a + b, 0);
      return values[0].map((_, c) => e.reduce((acc, w, j) => acc + (w / sum) * values[j][c], 0));
    });
  });
}`;
    await expectPropertyBroken(id, mixed, sameQuery, /^Query heads \d and \d are in the same group of (2|3) and were given the same q, but your outputs for them differ \(\[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. Both read KV head \d/);
    await expectPropertyBroken(id, mixed, repeated, /^Your output with (2|3) KV heads differs from your output with each KV head repeated in place to (4|6) \(head \d: \[\d\]\[\d\] is \S+ in the first and \S+ in the second\)\. This is how PyTorch/);
  });
});
