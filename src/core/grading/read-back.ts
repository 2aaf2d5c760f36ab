import { isAlternatives, type ReferenceContext } from '../authoring/exercise.js';

/** The last call of toPlainOutput queued, settled or not. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Calls `compute` (a reference, a wrong variant, a gradient) in a tfjs scope
 * and reads a Tensor or typed-array result back as plain arrays; every tensor
 * made inside is disposed. Calls run one at a time: tfjs keeps one stack of
 * scopes per process, so two calls in flight together (the references of
 * several exercises prepared at once) would end each other's scope and
 * dispose each other's tensors. `compute` must not call toPlainOutput itself.
 */
export function toPlainOutput(ctx: ReferenceContext, compute: () => unknown): Promise<unknown> {
  const run = queue.then(() => inScope(ctx, compute));
  queue = run.catch(() => undefined);
  return run;
}

async function inScope(ctx: ReferenceContext, compute: () => unknown): Promise<unknown> {
  ctx.tf.engine().startScope();
  try {
    const value = await compute();
    return await readBack(value);
  } finally {
    ctx.tf.engine().endScope();
  }
}

async function readBack(value: unknown): Promise<unknown> {
  if (value && typeof value === 'object') {
    const tensorLike = value as { array?: () => Promise<unknown>; dataSync?: unknown; dtype?: unknown };
    if (typeof tensorLike.array === 'function' && typeof tensorLike.dataSync === 'function' && typeof tensorLike.dtype === 'string') {
      return tensorLike.array();
    }
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
    if (Array.isArray(value)) return Promise.all(value.map(readBack));
    if (isAlternatives(value)) return { alternatives: await Promise.all(value.alternatives.map(readBack)) };
    if (Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) out[key] = await readBack(v);
      return out;
    }
  }
  return value;
}
