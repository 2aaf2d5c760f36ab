/**
 * The capstone models' held-out figure: the mean cross-entropy (nats per
 * character) over consecutive windows of the held-out text, each window
 * reading `context` characters and predicting the next `context`.
 */
import type { Tf } from '../core/authoring/exercise.js';
import { crossEntropy, gptLogits, type GptConfig } from './model.js';

type Tensor = ReturnType<Tf['tensor']>;

/** How many windows of the held-out text the recorded figure is measured on. */
export const heldOutWindows = 200;

/** The mean cross-entropy over consecutive windows of `tokens` (each window reads `context` tokens and predicts the next `context`). */
export function windowedLoss(tf: Tf, params: Record<string, Tensor>, config: GptConfig, tokens: readonly number[]): number {
  const windows = Math.floor((tokens.length - 1) / config.context);
  let total = 0;
  for (let start = 0; start < windows; start += 25) {
    const count = Math.min(25, windows - start);
    const x = new Int32Array(count * config.context);
    const y = new Int32Array(count * config.context);
    for (let w = 0; w < count; w++) {
      const at = (start + w) * config.context;
      x.set(tokens.slice(at, at + config.context), w * config.context);
      y.set(tokens.slice(at + 1, at + config.context + 1), w * config.context);
    }
    const loss = tf.tidy(() => crossEntropy(tf, gptLogits(tf, params, config, tf.tensor2d(x, [count, config.context], 'int32')), tf.tensor2d(y, [count, config.context], 'int32')));
    total += (loss.dataSync()[0] as number) * count;
    loss.dispose();
  }
  return total / windows;
}

