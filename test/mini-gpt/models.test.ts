import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { Rng } from '../../src/core/authoring/rng.js';
import type { Tf } from '../../src/core/authoring/exercise.js';
import { windowedLoss } from '../../src/mini-gpt/evaluate.js';
import { tfParams } from '../../src/mini-gpt/model.js';
import { fiveCharacterLines, sampleTokens } from '../../src/mini-gpt/sample.js';
import { decode, encode } from '../../src/mini-gpt/tokenizer.js';
import { readGptFile, type GptModel } from '../../src/mini-gpt/weights-file.js';
import { loadTf } from '../../src/reference/backend.js';

const modelsDir = path.join(builtinPacksDir, 'mini-gpt', 'models');
const fileOf = (name: string) => path.join(modelsDir, `${name}.safetensors`);
let tf: Tf;

beforeAll(async () => {
  ({ tf } = await loadTf());
});

const paramsOf = (model: GptModel) => tfParams(tf, model.config, model.tensors);

describe.each(['shakespeare', 'tang'])('the shipped %s model', (name) => {
  test('reads with its checksum, is at most 4 MB, and records how it was trained', () => {
    const model = readGptFile(fileOf(name));
    expect(statSync(fileOf(name)).size).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(model.training.command).toBe(`npm run train:mini-gpt -- --corpus ${name}`);
    expect(model.training.curve.length).toBeGreaterThan(4);
    expect(model.corpus.name).toBe(name);
  });

  test('its held-out loss, recomputed on the held-out text shipped next to it, is the recorded figure', () => {
    const model = readGptFile(fileOf(name));
    const text = readFileSync(fileOf(name).replace(/\.safetensors$/, '-heldout.txt'), 'utf8');
    const tokens = encode(model.tokenizer, text);
    expect(Math.floor((tokens.length - 1) / model.config.context)).toBe(model.training.heldOutWindows);
    const params = paramsOf(model);
    expect(Math.abs(windowedLoss(tf, params, model.config, tokens) - model.training.heldOutLoss)).toBeLessThan(1e-4);
    tf.dispose(Object.values(params));
  });
});

describe('quality', () => {
  test('Shakespeare: the held-out loss is at most 2.0 nats per character (nanoGPT\'s CPU configuration reaches 1.88)', () => {
    const model = readGptFile(fileOf('shakespeare'));
    expect(model.tokenizer.vocab).toHaveLength(65);
    expect(model.training.heldOutLoss).toBeLessThanOrEqual(2.0);
  });

  test('Tang: sampled at temperature 0.8 from its seed, at least 90 % of its lines have exactly five characters', () => {
    const model = readGptFile(fileOf('tang'));
    const params = paramsOf(model);
    const generated = sampleTokens(tf, params, model.config, encode(model.tokenizer, '\n'), 360, 0.8, new Rng(model.training.seed));
    tf.dispose(Object.values(params));
    const text = decode(model.tokenizer, generated);
    const { lines, five } = fiveCharacterLines(text);
    expect(lines, text).toBeGreaterThan(30);
    expect(five / lines, text).toBeGreaterThanOrEqual(0.9);
  });
});
