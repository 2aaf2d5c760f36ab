import { beforeAll, describe, expect, test } from 'vitest';
import type { ReferenceContext } from '../../src/core/authoring/exercise.js';
import { toPlainOutput } from '../../src/core/grading/read-back.js';
import { loadTf } from '../../src/reference/backend.js';

let ctx: ReferenceContext;
beforeAll(async () => {
  ctx = { tf: (await loadTf()).tf, exerciseDir: '.' };
});

/** Resolves on a later turn of the event loop, after `turns` timer rounds. */
const later = (turns: number) => new Promise<void>((resolve) => setTimeout(resolve, turns));

describe('toPlainOutput', () => {
  test('reads a Tensor back as plain arrays and disposes every tensor made inside', async () => {
    const before = ctx.tf.memory().numTensors;
    expect(await toPlainOutput(ctx, () => ctx.tf.add(ctx.tf.tensor1d([1, 2]), 1))).toEqual([2, 3]);
    expect(ctx.tf.memory().numTensors).toBe(before);
  });

  test('two calls in flight at once (references of two exercises prepared together) each read back their own tensor', async () => {
    // The first ends while the second is still inside its scope: tfjs's scopes are one stack per process,
    // so an interleaved endScope would dispose the second call's tensor before it is read.
    const first = toPlainOutput(ctx, async () => {
      await later(5);
      return ctx.tf.tensor1d([1]);
    });
    const second = toPlainOutput(ctx, async () => {
      const t = ctx.tf.tensor1d([2]);
      await later(20);
      return t;
    });
    expect(await Promise.all([first, second])).toEqual([[1], [2]]);
  });

  test('a call that throws does not hold up the next one', async () => {
    await expect(toPlainOutput(ctx, () => { throw new Error('reference bug'); })).rejects.toThrow('reference bug');
    expect(await toPlainOutput(ctx, () => ctx.tf.scalar(4))).toBe(4);
  });
});
