import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadTf, registerGradients } from '../../src/reference/backend.js';
import { crossEntropy, gptLogits, tensorShapes, tfParams, type GptConfig } from '../../src/mini-gpt/model.js';

interface Fixture {
  config: GptConfig;
  tensors: Record<string, number[]>;
  sequences: { tokens: number[]; logits: number[][] }[];
}

// Written by scripts/pytorch/mini-gpt-forward.py (PyTorch 1.13, float64, GPT-2's layout by hand).
const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/pytorch/mini-gpt-forward.json'), 'utf8')) as Fixture;

async function fixtureParams() {
  const { tf } = await loadTf();
  return { tf, params: tfParams(tf, fixture.config, fixture.tensors) };
}

describe('the capstone model in TensorFlow.js', () => {
  test('its logits equal PyTorch\'s on a full-context sequence and a short one (float32 against float64, 1e-4)', async () => {
    const { tf, params } = await fixtureParams();
    for (const { tokens, logits } of fixture.sequences) {
      const got = tf.tidy(() => gptLogits(tf, params, fixture.config, tf.tensor2d([tokens], [1, tokens.length], 'int32')).arraySync()) as number[][][];
      expect(got[0]).toHaveLength(logits.length);
      got[0].forEach((row, t) => row.forEach((x, v) => expect(Math.abs(x - logits[t][v]), `token ${t}, logit ${v}`).toBeLessThan(1e-4)));
    }
  });

  test('row t depends only on tokens 0…t (causal): changing the last token leaves the earlier rows as they were', async () => {
    const { tf, params } = await fixtureParams();
    const run = (tokens: number[]) => tf.tidy(() => gptLogits(tf, params, fixture.config, tf.tensor2d([tokens], [1, tokens.length], 'int32')).arraySync()) as number[][][];
    const [a, b] = [run([3, 1, 4, 1, 5, 6]), run([3, 1, 4, 1, 5, 0])];
    expect(a[0].slice(0, 5)).toEqual(b[0].slice(0, 5));
    expect(a[0][5]).not.toEqual(b[0][5]);
  });

  test('a batch of two sequences gives each its own logits; the loss is the mean cross-entropy, and its gradient reaches every tensor', async () => {
    const { tf, params } = await fixtureParams();
    registerGradients();
    const [s] = fixture.sequences;
    const tokens = tf.tensor2d([s.tokens.slice(0, 5), s.tokens.slice(0, 5)], [2, 5], 'int32');
    const targets = tf.tensor2d([s.tokens.slice(1, 6), s.tokens.slice(1, 6)], [2, 5], 'int32');
    const batched = gptLogits(tf, params, fixture.config, tokens).arraySync() as number[][][];
    batched[1].forEach((row, t) => row.forEach((x, v) => expect(Math.abs(x - s.logits[t][v])).toBeLessThan(1e-4)));
    const byHand = s.tokens.slice(1).reduce((sum, next, t) => {
      const row = s.logits[t];
      const max = Math.max(...row);
      return sum + max + Math.log(row.reduce((acc, z) => acc + Math.exp(z - max), 0)) - row[next];
    }, 0) / 5;
    const variables = Object.fromEntries(Object.entries(params).map(([n, t]) => [n, tf.variable(t, true, `grad-test-${n}`)]));
    const { value, grads } = tf.variableGrads(() => crossEntropy(tf, gptLogits(tf, variables, fixture.config, tokens), targets) as never, Object.values(variables));
    expect(Math.abs((value.dataSync()[0] as number) - byHand)).toBeLessThan(1e-5);
    for (const [name] of tensorShapes(fixture.config)) {
      const norm = Math.sqrt(tf.sum(tf.square(grads[`grad-test-${name}`] ?? grads[name])).dataSync()[0] as number);
      expect(norm, name).toBeGreaterThan(0);
    }
    tf.dispose([...Object.values(variables), value, ...Object.values(grads)]);
  });
});
