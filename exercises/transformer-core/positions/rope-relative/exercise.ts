import { anyOf, defineExercise, describeType, randomVector, type ReferenceContext, type Rng, type Tf } from 'llm-tutor/pack';
import { angleTable, dot, frequencies, rotateNeighboursTf, rotateRows, type Layout } from '../rope-math.js';

type Args = [q: number[], k: number[], m: number, n: number, base: number];

/** ⟨R_{sign·m} q, R_{sign·n} k⟩ in float64 (a position of null leaves that vector unrotated). */
function score(q: number[], k: number[], m: number | null, n: number | null, base: number, layout: Layout = 'neighbours', sign = 1): number {
  const freqs = frequencies(q.length, base);
  const rq = m === null ? q : rotateRows([q], [m], freqs, layout, sign)[0];
  const rk = n === null ? k : rotateRows([k], [n], freqs, layout, sign)[0];
  return dot(rq, rk);
}

/**
 * How far apart f(m, n) and f(m + s, n + s) may be in float64: each angle p·θ_i
 * is rounded with an error of about p·2^−53, and cos and sin add one rounding
 * each, so the allowance grows with the largest position.
 */
function allowedDrift(q: number[], k: number[], maxPosition: number): number {
  const norms = Math.sqrt(dot(q, q) * dot(k, k));
  return norms * (1e-10 + 16 * Number.EPSILON * Math.abs(maxPosition));
}

const show = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(8)).toString() : String(x));

function shiftCase(rng: Rng, s: number, d: number) {
  const q = randomVector(rng, d);
  const k = randomVector(rng, d);
  const m = rng.int(0, 40);
  const n = rng.int(0, 40);
  const base = 10000;
  return { name: `s = ${s}, (m, n) = (${m}, ${n}), d = ${d}`, calls: [[q, k, m, n, base], [q, k, m + s, n + s, base]] as Args[] };
}

/** q rotated to position m and k to position n, each [1, d], in tfjs. */
function rotatedPair(tf: Tf, q: number[], k: number[], m: number, n: number, base: number) {
  const freqs = frequencies(q.length, base);
  return { rotatedQ: rotateNeighboursTf(tf, [q], angleTable([m], freqs)), rotatedK: rotateNeighboursTf(tf, [k], angleTable([n], freqs)) };
}

export default defineExercise<Args, number>({
  entry: 'ropeScore',
  signature: 'ropeScore(q: Vector, k: Vector, m: number, n: number, base: number): number',
  cases: (rng) => {
    const random = (d: number) => [randomVector(rng, d), randomVector(rng, d)] as const;
    const cases: { name: string; args: Args }[] = [
      { name: 'the lesson example: q = [1, 2, 3, 4] at 5, k = [4, 3, 2, 1] at 3', args: [[1, 2, 3, 4], [4, 3, 2, 1], 5, 3, 10000] },
      { name: 'the lesson example shifted: the same q at 12, k at 10', args: [[1, 2, 3, 4], [4, 3, 2, 1], 12, 10, 10000] },
    ];
    {
      const [m, n] = [rng.int(5, 30), rng.int(0, 4)];
      cases.push({ name: `random, query after key (m=${m}, n=${n}, d=8)`, args: [...random(8), m, n, 10000] });
    }
    {
      const [m, n] = [rng.int(0, 5), rng.int(10, 30)];
      cases.push({ name: `random, query before key (m=${m}, n=${n}, d=8)`, args: [...random(8), m, n, 10000] });
    }
    {
      const m = rng.int(1, 50);
      cases.push({ name: `same position (m = n = ${m}): the score is q·k`, args: [...random(8), m, m, 10000] });
    }
    {
      const d = 2 * rng.int(2, 12);
      const [m, n] = [rng.int(0, 100), rng.int(0, 100)];
      cases.push({ name: `random (m=${m}, n=${n}, d=${d})`, args: [...random(d), m, n, 10000] });
    }
    cases.push({ name: 'a wide head, base 500000 (m=37, n=12, d=64)', args: [...random(64), 37, 12, 500000] });
    cases.push({ name: 'key at position 0 (m=9, n=0, d=6)', args: [...random(6), 9, 0, 10000] });
    cases.push({ name: 'long-context positions (m=100000, n=99990, d=16)', args: [...random(16), 100000, 99990, 10000] });
    cases.push({ name: 'one pair (d=2, m=3, n=1)', args: [...random(2), 3, 1, 10000] });
    cases.push({ name: 'both at position 0: the plain dot product', args: [...random(8), 0, 0, 10000] });
    return cases;
  },
  reference: ({ tf }: ReferenceContext, q, k, m, n, base) => {
    const { rotatedQ, rotatedK } = rotatedPair(tf, q, k, m, n, base);
    return tf.sum(tf.mul(rotatedQ, rotatedK));
  },
  trace: ({ tf }: ReferenceContext, q, k, m, n, base) => {
    const { rotatedQ, rotatedK } = rotatedPair(tf, q, k, m, n, base);
    return { frequencies: frequencies(q.length, base), rotatedQ: tf.reshape(rotatedQ, [q.length]), rotatedK: tf.reshape(rotatedK, [k.length]) };
  },
  properties: [
    {
      name: 'f(m+s, n+s) = f(m, n)',
      cases: (rng) => [shiftCase(rng, 1, 8), shiftCase(rng, rng.int(2, 60), 16), shiftCase(rng, 4096, 8), shiftCase(rng, 1_000_000, 32)],
      holds: (outputs, calls) => {
        const [before, after] = outputs;
        const bad = outputs.find((o) => typeof o !== 'number');
        if (bad !== undefined) return `ropeScore must return a number; it returned ${describeType(bad)}.`;
        const [q, k, m, n] = calls[0];
        const [, , m2, n2] = calls[1];
        const allowed = allowedDrift(q, k, Math.max(m2, n2));
        const drift = Math.abs(after - before);
        if (drift <= allowed) return undefined;
        return (
          `ropeScore(q, k, ${m}, ${n}) = ${show(before)} but ropeScore(q, k, ${m2}, ${n2}) = ${show(after)} (difference ${drift.toExponential(2)}, allowed ${allowed.toExponential(1)}). ` +
          'Both pairs of positions are the same distance apart, so the scores must be equal: rotate q by m·θ_i and k by n·θ_i, both.'
        );
      },
    },
  ],
  misconceptions: [
    {
      id: 'one-vector-rotated',
      title: { en: 'only one of q and k rotated', 'zh-CN': 'q 和 k 只旋转了一个' },
      message: {
        en:
          'Your score is ⟨R_m q, k⟩ (or ⟨q, R_n k⟩): only one vector was rotated, so the score depends on one position, not on the distance m − n. ' +
          'Rotate q by its position m and k by its position n, then take the dot product: ⟨R_m q, R_n k⟩.',
        'zh-CN':
          '你的分数是 ⟨R_m q, k⟩（或 ⟨q, R_n k⟩）：只有一个向量被旋转了，所以分数只依赖于一个位置，而不是距离 m − n。' +
          '把 q 按它的位置 m 旋转，把 k 按它的位置 n 旋转，再求点积：⟨R_m q, R_n k⟩。',
      },
      hint: {
        en: 'The score should depend on m − n, which needs both positions. Does each vector get turned by its own position?',
        'zh-CN': '分数应该取决于 m − n，这需要两个位置。每个向量都按自己的位置旋转了吗？',
      },
      wrong: (_ctx, q, k, m, n, base) => anyOf(score(q, k, m, null, base), score(q, k, null, n, base)),
    },
    {
      id: 'angle-m-plus-n',
      title: { en: 'k rotated backwards (the score depends on m + n)', 'zh-CN': 'k 往回旋转了（分数依赖于 m + n）' },
      message: {
        en:
          'Your score equals ⟨R_(m+n) q, k⟩: k was rotated by −n·θ_i instead of +n·θ_i. ' +
          'Rotate both vectors the same way, each by its own position; the rotations then cancel up to R_(m−n), which is why only the distance matters.',
        'zh-CN':
          '你的分数等于 ⟨R_(m+n) q, k⟩：k 旋转的是 −n·θ_i 而不是 +n·θ_i。两个向量要朝同一方向旋转，各自按自己的位置；' +
          '这样两个旋转相互抵消，只剩下 R_(m−n)，这就是只有距离起作用的原因。',
      },
      hint: {
        en: 'Shift both m and n by 1: the score should not change. Are q and k turned in the same direction?',
        'zh-CN': '把 m 和 n 都平移 1：分数不应改变。q 和 k 是朝同一方向旋转的吗？',
      },
      wrong: (_ctx, q, k, m, n, base) => score(q, k, m + n, null, base),
    },
    {
      id: 'sign-flipped',
      title: { en: 'both rotations the wrong way (the score of n − m)', 'zh-CN': '两个旋转方向都反了（得到 n − m 的分数）' },
      message: {
        en:
          'Your score is ⟨R_−m q, R_−n k⟩ = ⟨R_(n−m) q, k⟩: both vectors turn clockwise. It still depends only on the distance, but with the sign of m − n reversed, ' +
          'so a key 3 tokens back looks like a key 3 tokens ahead. The rotation is (x, y) → (x cos − y sin, x sin + y cos).',
        'zh-CN':
          '你的分数是 ⟨R_−m q, R_−n k⟩ = ⟨R_(n−m) q, k⟩：两个向量都顺时针旋转。它仍然只取决于距离，但 m − n 的符号反了，' +
          '所以往回 3 个 token 的键看起来就像前方 3 个 token 的键。旋转应为 (x, y) → (x cos − y sin, x sin + y cos)。',
      },
      hint: {
        en: 'Rotate (1, 0) by a quarter turn by hand: it should land on (0, 1). Does your rotation do that?',
        'zh-CN': '手动把 (1, 0) 旋转四分之一圈：它应该落在 (0, 1) 上。你的旋转是这样吗？',
      },
      wrong: (_ctx, q, k, m, n, base) => score(q, k, m, n, base, 'neighbours', -1),
    },
    {
      id: 'half-split-pairs',
      title: { en: 'pairs (i, i + d/2) instead of neighbours (2i, 2i+1)', 'zh-CN': '按 (i, i + d/2) 配对，而不是相邻维度 (2i, 2i+1)' },
      message: {
        en:
          'You rotated with the half-split layout of positions/rope-half-split. That RoPE has the relative property too (so the shift checks pass), ' +
          'but it is a different function of q and k: this exercise uses the neighbour pairs (2i, 2i+1) of positions/rope.',
        'zh-CN':
          '你用的是 positions/rope-half-split 的前后半分布局来旋转。那种 RoPE 也具有相对性质（所以平移检查能通过），' +
          '但它是 q 和 k 的另一个函数：本练习使用 positions/rope 的相邻配对 (2i, 2i+1)。',
      },
      hint: {
        en: 'Which two dimensions form pair 0 in your rotation? This exercise uses the layout of positions/rope.',
        'zh-CN': '在你的旋转中，第 0 对由哪两个维度组成？本练习使用 positions/rope 的布局。',
      },
      wrong: (_ctx, q, k, m, n, base) => score(q, k, m, n, base, 'halves'),
    },
  ],
  hints: [
    {
      en: 'You have applyRope from positions/rope: rotate q as a one-row matrix at position m, k at position n, then take the dot product. You may import your own file.',
      'zh-CN': '你已经有 positions/rope 中的 applyRope：把 q 当作单行矩阵在位置 m 旋转，把 k 在位置 n 旋转，再求点积。你可以导入自己的文件。',
    },
    {
      en: 'ropeScore(q, k, m, n, base) = Σ_j (R_m q)_j · (R_n k)_j, with the neighbour pairs (2i, 2i+1) and θ_i = base^(−2i/d).',
      'zh-CN': 'ropeScore(q, k, m, n, base) = Σ_j (R_m q)_j · (R_n k)_j，使用相邻配对 (2i, 2i+1)，θ_i = base^(−2i/d)。',
    },
    {
      en: 'The check that shifts both positions by s (up to a million) passes by itself once both vectors are rotated the same way: pair by pair, the score is |q_i||k_i|·cos(φ_q − φ_k + (m − n)·θ_i).',
      'zh-CN': '只要两个向量朝同一方向旋转，把两个位置都平移 s（最多一百万）的检查自然就能通过：逐对来看，分数是 |q_i||k_i|·cos(φ_q − φ_k + (m − n)·θ_i)。',
    },
  ],
});
