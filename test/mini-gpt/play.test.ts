import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { Rng } from '../../src/core/authoring/rng.js';
import type { Tf } from '../../src/core/authoring/exercise.js';
import { tfParams } from '../../src/mini-gpt/model.js';
import { weightsOf } from '../../src/mini-gpt/gpt-weights.js';
import { materializeArgs } from '../../src/sandbox/wire.js';
import { generate as solutionGenerate } from '../../exercises/mini-gpt/model/generate/solution.js';
import { encode } from '../../src/mini-gpt/tokenizer.js';
import { readGptFile, type GptModel } from '../../src/mini-gpt/weights-file.js';
import { checkedTokens, chunkTokens, PlayError, referenceGenerate, windowOf, type ChunkPlan } from '../../src/mini-gpt/play-session.js';
import { firstChunkTokens, PlayController, type TokenSource } from '../../src/mini-gpt/play-controller.js';
import { firstDifference, wrapText } from '../../src/ui/PlayView.js';
import { loadTf } from '../../src/reference/backend.js';

let tf: Tf;
let model: GptModel;
let params: ReturnType<typeof tfParams>;

beforeAll(async () => {
  ({ tf } = await loadTf());
  model = readGptFile(path.join(builtinPacksDir, 'mini-gpt', 'models', 'shakespeare.safetensors'));
  params = tfParams(tf, model.config, model.tensors);
});

describe('the pieces of play', () => {
  test("a learner's tokens are checked: a list of n token ids of the model, or one line saying what is wrong", () => {
    expect(checkedTokens([1, 2, 64], 3, 65)).toEqual([1, 2, 64]);
    expect(() => checkedTokens([1, 2], 3, 65)).toThrow(/returned 2 tokens when asked for 3: it must return only the new tokens/);
    expect(() => checkedTokens([1, 65, 2], 3, 65)).toThrow(/at position 1 \(65\): not a token id of this model \(0 … 64\)/);
    expect(() => checkedTokens([1, 0.5, 2], 3, 65)).toThrow(PlayError);
    expect(() => checkedTokens('abc', 3, 65)).toThrow(/returned a string/);
  });

  test('each chunk is generated from the last context − chunk tokens, so the prompt and its chunk fit the context', () => {
    const tokens = Array.from({ length: 100 }, (_, i) => i);
    expect(windowOf(tokens, 64)).toEqual(tokens.slice(100 - (64 - chunkTokens)));
    expect(windowOf(tokens.slice(0, 5), 64)).toEqual(tokens.slice(0, 5));
    expect(windowOf(tokens, 64, 4)).toHaveLength(60);
  });

  test("the reference's chunk is the text the pack's model solution of generate writes (plain float64, a KV cache) from the same uniforms and settings", () => {
    const prompt = encode(model.tokenizer, 'ROMEO:\n');
    const rng = new Rng(5);
    const weights = materializeArgs([weightsOf(model)])[0] as Parameters<typeof solutionGenerate>[2];
    for (const opts of [{ temperature: 0.8 }, { temperature: 1, topK: 10, topP: 0.9 }, { temperature: 0 }]) {
      const plan: ChunkPlan = { n: 12, opts, u: Array.from({ length: 12 }, () => rng.next()) };
      expect(referenceGenerate(tf, params, model.config, prompt, plan), JSON.stringify(opts)).toEqual(solutionGenerate(prompt, plan.n, weights, opts, [...plan.u]));
    }
  });

  test('text wraps at the width, CJK characters taking two columns; the first difference of two token lists', () => {
    expect(wrapText('abcdef\ngh', 4)).toEqual(['abcd', 'ef', 'gh']);
    expect(wrapText('白日依山盡', 4)).toEqual(['白日', '依山', '盡']);
    expect(firstDifference([1, 2, 3], [1, 2, 4])).toBe(2);
    expect(firstDifference([1, 2], [1, 2, 3])).toBeUndefined();
  });
});

/** A learner's model that is the reference itself, optionally wrong from token `wrongFrom` on (it then always writes token 0). */
function fakeLearner(wrongFrom = Infinity): TokenSource & { plans: ChunkPlan[] } {
  const plans: ChunkPlan[] = [];
  let written = 0;
  return {
    plans,
    async generate(prompt, plan) {
      plans.push(plan);
      const tokens = referenceGenerate(tf, params, model.config, prompt, plan).map((t, i) => (written + i >= wrongFrom ? 0 : t));
      written += tokens.length;
      return tokens;
    },
  };
}

describe('a play session', () => {
  test('writes the limit in chunks (a short first one), and the reference beside it agrees token for token when the code is right', async () => {
    const learner = fakeLearner();
    const controller = new PlayController(learner, { tf, params, config: model.config }, encode(model.tokenizer, 'ROMEO:\n'), { temperature: 0.8 }, 3, 40);
    controller.toggleCompare();
    await controller.start();
    const snap = controller.getSnapshot();
    expect(snap.status).toBe('done');
    expect(learner.plans.map((p) => p.n)).toEqual([firstChunkTokens, 16, 16, 40 - 32 - firstChunkTokens]);
    expect(snap.learner).toHaveLength(40);
    expect(snap.reference).toEqual(snap.learner);
    expect(snap.tokensPerSecond).toBeGreaterThan(0);
    expect(snap.firstTokenMs).toBeGreaterThan(0);
  });

  test("a learner's model that goes wrong parts from the reference at that token", async () => {
    const controller = new PlayController(fakeLearner(10), { tf, params, config: model.config }, encode(model.tokenizer, 'ROMEO:\n'), { temperature: 0.8 }, 3, 30);
    await controller.start();
    controller.toggleCompare();
    const snap = controller.getSnapshot();
    expect(firstDifference(snap.learner, snap.reference)).toBe(10);
  });

  test('settings changed while generating apply from the next chunk; regenerate starts again from the prompt with the next seed', async () => {
    const learner = fakeLearner();
    const controller = new PlayController(learner, { tf, params, config: model.config }, encode(model.tokenizer, 'ROMEO:\n'), { temperature: 0.8 }, 3, 36);
    const unsubscribe = controller.subscribe(() => {
      if (controller.getSnapshot().learner.length === firstChunkTokens && controller.getSnapshot().settings.temperature !== 0) controller.setSettings({ temperature: 0, topK: 5 });
    });
    await controller.start();
    unsubscribe();
    expect(learner.plans[0].opts).toEqual({ temperature: 0.8 });
    expect(learner.plans[1].opts).toEqual({ temperature: 0, topK: 5 });
    const before = learner.plans.length;
    await controller.regenerate();
    expect(controller.getSnapshot().seed).toBe(4);
    expect(controller.getSnapshot().learner).toHaveLength(36);
    // From the prompt again (a short first chunk), with the next seed's uniform numbers.
    expect(learner.plans[before].n).toBe(firstChunkTokens);
    expect(learner.plans[before].u).toEqual(Array.from({ length: firstChunkTokens }, ((rng) => () => rng.next())(new Rng(4))));
  });

  test("an error in the learner's code ends the session with its one line", async () => {
    const failing: TokenSource = {
      async generate() {
        throw new PlayError('Your generate threw: TypeError: x is undefined');
      },
    };
    const controller = new PlayController(failing, { tf, params, config: model.config }, [0], { temperature: 1 }, 1, 10);
    await controller.start();
    expect(controller.getSnapshot()).toMatchObject({ status: 'error', error: 'Your generate threw: TypeError: x is undefined' });
  });
});
