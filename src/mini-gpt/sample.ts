/**
 * Text from a capstone model, for its quality checks and the training
 * record: each step runs the model on the last `context` tokens and draws
 * the next token at a temperature from a given generator (no KV cache: the
 * reference's plain form).
 */
import type { Rng } from '../core/authoring/rng.js';
import type { Tf } from '../core/authoring/exercise.js';
import { gptLogits, type GptConfig } from './model.js';

type Tensor = ReturnType<Tf['tensor']>;

/** Draws an index from softmax(logits / temperature) with one uniform number (the interval each token owns, in order). */
export function drawToken(logits: ArrayLike<number>, temperature: number, u: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  const weights = Array.from(logits, (z) => Math.exp(z / temperature - max));
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i] / total;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/** `n` tokens generated after `prompt` (at least one token) at `temperature`, drawn with `rng`. */
export function sampleTokens(tf: Tf, params: Record<string, Tensor>, config: GptConfig, prompt: readonly number[], n: number, temperature: number, rng: Rng): number[] {
  const tokens = [...prompt];
  for (let i = 0; i < n; i++) {
    const window = tokens.slice(-config.context);
    const last = tf.tidy(() => {
      const logits = gptLogits(tf, params, config, tf.tensor2d([window], [1, window.length], 'int32'));
      return tf.slice(logits, [0, window.length - 1, 0], [1, 1, config.vocabSize]).dataSync();
    });
    tokens.push(drawToken(last, temperature, rng.next()));
  }
  return tokens.slice(prompt.length);
}

/**
 * The lines of generated poems, the text between two marks of ，。 or a
 * newline, and how many hold exactly five characters: the Tang model's
 * measure of having learned the form. The text before the first mark and
 * after the last is left out (it may be cut).
 */
export function fiveCharacterLines(text: string): { lines: number; five: number } {
  const pieces = text.split(/[，。\n]/);
  const inner = pieces.slice(1, -1).filter((piece) => piece !== '');
  return { lines: inner.length, five: inner.filter((piece) => Array.from(piece).length === 5).length };
}
