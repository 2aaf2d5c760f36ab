import { beforeAll, describe, expect, test } from 'vitest';
import type { ReferenceContext } from '../../src/core/authoring/exercise.js';
import type { GradientSpec } from '../../src/core/authoring/kinds.js';
import { checkGradientNumerically, gradientReference } from '../../src/core/grading/gradient.js';
import { toPlainOutput } from '../../src/core/grading/read-back.js';
import { loadTf } from '../../src/reference/backend.js';

let ctx: ReferenceContext;
beforeAll(async () => {
  ctx = { tf: (await loadTf()).tf, exerciseDir: '.' };
});

// y = x·w + b contracted with dy: the linear layer's backward pass, worked by hand below.
const linear: GradientSpec = {
  wrt: (x: number[][], w: number[][]) => ({ dx: x, dw: w, db: [0, 0, 0] }),
  loss: ({ tf }, v, _x, _w, dy: number[][]) => tf.sum(tf.mul(tf.add(tf.matMul(v.dx, v.dw), v.db), tf.tensor2d(dy))),
};

describe('gradientReference', () => {
  test('autodiff of the forward pass gives the hand-worked gradients', async () => {
    const x = [[1, 2]];
    const w = [[1, 0, -1], [2, 1, 0]];
    const dy = [[1, 2, 3]];
    const grads = await toPlainOutput(ctx, () => gradientReference(linear)(ctx, x, w, dy));
    // dx = dy·wᵀ = [1−3, 2+2]; dw = xᵀ·dy; db = dy summed over rows.
    expect(grads).toEqual({ dx: [[-2, 4]], dw: [[1, 2, 3], [2, 4, 6]], db: [1, 2, 3] });
  });

  test('single: the one gradient itself; a non-scalar loss is summed', async () => {
    const spec: GradientSpec = { wrt: (z: number[]) => ({ dz: z }), loss: ({ tf }, v) => tf.tanh(v.dz), single: true };
    const g = (await toPlainOutput(ctx, () => gradientReference(spec)(ctx, [0.5, -1]))) as number[];
    const expected = [0.5, -1].map((z) => 1 - Math.tanh(z) ** 2);
    g.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  test('the gradients of composite ops (LayerNorm-like: mean, variance, rsqrt) match central differences', async () => {
    const spec: GradientSpec = {
      wrt: (x: number[][]) => ({ dx: x }),
      loss: ({ tf }, v, _x, dy: number[][]) => {
        const { mean, variance } = tf.moments(v.dx, -1, true);
        return tf.sum(tf.mul(tf.mul(tf.sub(v.dx, mean), tf.rsqrt(tf.add(variance, 1e-5))), tf.tensor2d(dy)));
      },
    };
    const x = [[0.3, -1.2, 2.0, 0.7], [1.5, 0.1, -0.4, -2.2]];
    const dy = [[0.2, -0.5, 1.0, 0.3], [-1.0, 0.4, 0.6, 0.1]];
    expect(await checkGradientNumerically(spec, ctx, [x, dy])).toBeUndefined();
  });
});

describe('checkGradientNumerically', () => {
  test('a case on a kink of the loss (ReLU at 0) is caught', async () => {
    const spec: GradientSpec = { wrt: (z: number[]) => ({ dz: z }), loss: ({ tf }, v) => tf.relu(v.dz) };
    const off = await checkGradientNumerically(spec, ctx, [[0, 1, -1]]);
    expect(off).toMatchObject({ name: 'dz', index: 0, autodiff: 0 });
    expect(off!.numeric).toBeCloseTo(0.5, 3);
  });

  test('a wrong custom gradient is caught', async () => {
    const spec: GradientSpec = {
      wrt: (z: number[]) => ({ dz: z }),
      loss: ({ tf }, v) => tf.customGrad((z: any, save: any) => ({ value: tf.square(z), gradFunc: (dy: any) => tf.mul(dy, z) }))(v.dz) as any,
    };
    const off = await checkGradientNumerically(spec, ctx, [[1, 2, 3]]);
    expect(off).toMatchObject({ name: 'dz', index: 0, autodiff: 1 });
    expect(off!.numeric).toBeCloseTo(2, 2);
  });
});
