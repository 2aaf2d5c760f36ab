/**
 * Trains one of the capstone's models and writes its weights file:
 *
 *   npm run train:mini-gpt -- --corpus shakespeare [--steps N] [--seed S] [--out FILE]
 *
 * Deterministic from its seed: the initial weights and every batch come from
 * the project's seeded generator, and the optimiser is written out here
 * (AdamW as PyTorch's, warm-up then cosine decay, gradient clipping at norm
 * 1, as nanoGPT trains its character-level Shakespeare model). The held-out
 * loss is the mean cross-entropy over consecutive windows of the model's
 * context on the held-out text, each window predicting its `context` next
 * characters; the same text is written next to the model, so that the
 * tutor's tests and the perplexity exercise recompute the recorded figure.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../core/authoring/rng.js';
import type { Tf } from '../core/authoring/exercise.js';
import { packageRoot as repoRoot } from '../core/common/paths.js';
import { loadTf, registerGradients } from '../reference/backend.js';
import { heldOutWindows, windowedLoss } from './evaluate.js';
import { crossEntropy, gptLogits, parameterCount, tensorShapes, type GptConfig } from './model.js';
import { allCharsTokenizer, charsOf, encode, frequentCharsTokenizer, type CharTokenizer } from './tokenizer.js';
import { writeTrainingRecord } from './record.js';
import { readGptFile, writeGptFile, type CorpusRecord, type TrainingRecord } from './weights-file.js';

type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;

/** One corpus's model and training schedule. */
interface Preset {
  corpusFile: string;
  tokenizer: (trainText: string) => CharTokenizer;
  config: (vocabSize: number) => GptConfig;
  steps: number;
  batch: number;
  lr: number;
  minLr: number;
  warmup: number;
  /** Where the held-out text starts: the first character of the line after 90 % of the corpus. */
  split: (text: string[]) => number;
}

const tenth = (chars: string[]) => Math.floor(chars.length * 0.9);
const atLine = (chars: string[]) => {
  let at = tenth(chars);
  while (at < chars.length && chars[at - 1] !== '\n') at++;
  return at;
};

const presets: Record<string, Preset> = {
  shakespeare: {
    corpusFile: 'data/corpora/tinyshakespeare.txt',
    tokenizer: allCharsTokenizer,
    config: (vocabSize) => ({ vocabSize, context: 64, layers: 4, heads: 4, width: 128 }),
    steps: 3000,
    batch: 12,
    lr: 1e-3,
    minLr: 1e-4,
    warmup: 100,
    split: tenth,
  },
  tang: {
    corpusFile: 'data/corpora/tang-wuyan.txt',
    tokenizer: (text) => frequentCharsTokenizer(text, 3000, '□', ['\n', '，', '。']),
    config: (vocabSize) => ({ vocabSize, context: 64, layers: 4, heads: 4, width: 112 }),
    steps: 2000,
    batch: 12,
    lr: 1e-3,
    minLr: 1e-4,
    warmup: 100,
    split: atLine,
  },
};

/** Initial weights as nanoGPT's: N(0, 0.02), residual projections N(0, 0.02/√(2·layers)), biases 0, LayerNorm gains 1. */
function initialWeights(config: GptConfig, rng: Rng): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of tensorShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/ln_(1|2|f)\.weight$/.test(name)) data.fill(1);
    else if (!name.endsWith('bias')) {
      const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * config.layers) : 0.02;
      for (let i = 0; i < n; i++) data[i] = rng.normal(0, std);
    }
    out[name] = data;
  }
  return out;
}

/** The learning rate at `step`: linear warm-up, then cosine decay to minLr at the last step. */
function learningRate(preset: Preset, step: number): number {
  if (step < preset.warmup) return (preset.lr * (step + 1)) / preset.warmup;
  const progress = (step - preset.warmup) / Math.max(1, preset.steps - preset.warmup);
  return preset.minLr + 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))) * (preset.lr - preset.minLr);
}

/** A batch of `batch` random windows of context + 1 tokens: inputs and the targets shifted by one. */
function sampleBatch(tf: Tf, tokens: Int32Array, context: number, batch: number, rng: Rng): { x: Tensor; y: Tensor } {
  const x = new Int32Array(batch * context);
  const y = new Int32Array(batch * context);
  for (let b = 0; b < batch; b++) {
    const start = rng.int(0, tokens.length - context - 1);
    x.set(tokens.subarray(start, start + context), b * context);
    y.set(tokens.subarray(start + 1, start + context + 1), b * context);
  }
  return { x: tf.tensor2d(x, [batch, context], 'int32'), y: tf.tensor2d(y, [batch, context], 'int32') };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { corpus: { type: 'string' }, steps: { type: 'string' }, seed: { type: 'string', default: '1337' }, out: { type: 'string' } } });
  const preset = values.corpus ? presets[values.corpus] : undefined;
  if (!preset) throw new Error(`--corpus must be one of ${Object.keys(presets).join(', ')}`);
  const steps = values.steps ? Number(values.steps) : preset.steps;
  const run = { ...preset, steps };
  const seed = Number(values.seed);
  const name = values.corpus!;
  const outFile = path.resolve(values.out ?? path.join(repoRoot, 'exercises/mini-gpt/models', `${name}.safetensors`));

  const corpusPath = path.join(repoRoot, preset.corpusFile);
  const raw = readFileSync(corpusPath);
  const chars = charsOf(raw.toString('utf8'));
  const split = preset.split(chars);
  const trainText = chars.slice(0, split).join('');
  const heldOutText = chars.slice(split).join('');
  const tokenizer = preset.tokenizer(trainText);
  const config = preset.config(tokenizer.vocab.length);
  const trainTokens = Int32Array.from(encode(tokenizer, trainText));
  const evalChars = charsOf(heldOutText).slice(0, heldOutWindows * config.context + 1).join('');
  const evalTokens = encode(tokenizer, evalChars);

  const { tf } = await loadTf('wasm');
  registerGradients();
  const rng = new Rng(seed);
  const init = initialWeights(config, rng);
  const params: Record<string, Variable> = {};
  for (const [n, shape] of tensorShapes(config)) params[n] = tf.variable(tf.tensor(init[n], shape), true, n);
  const moments = Object.fromEntries(Object.entries(params).map(([n, v]) => [n, { m: tf.variable(tf.zerosLike(v), false), v: tf.variable(tf.zerosLike(v), false) }]));
  const decayed = (n: string) => params[n].shape.length >= 2;
  const [beta1, beta2, eps, weightDecay] = [0.9, 0.99, 1e-8, 0.1];

  console.log(`${name}: ${parameterCount(config).toLocaleString('en')} parameters, vocab ${config.vocabSize}, ${trainTokens.length.toLocaleString('en')} training tokens, ${steps} steps of ${preset.batch} × ${config.context}`);
  const curve: TrainingRecord['curve'] = [];
  const started = performance.now();
  let running = 0;
  let since = 0;
  for (let step = 0; step < steps; step++) {
    const lr = learningRate(run, step);
    const { x, y } = sampleBatch(tf, trainTokens, config.context, preset.batch, rng);
    const { value, grads } = tf.variableGrads(() => crossEntropy(tf, gptLogits(tf, params, config, x), y) as never, Object.values(params));
    tf.tidy(() => {
      const norm = Math.sqrt(Object.values(grads).reduce((sum, g) => sum + (tf.sum(tf.square(g)).dataSync()[0] as number), 0));
      const clip = norm > 1 ? 1 / norm : 1;
      const t = step + 1;
      for (const [n, p] of Object.entries(params)) {
        const g = tf.mul(grads[n], clip);
        const { m, v } = moments[n];
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const mHat = tf.div(m, 1 - beta1 ** t);
        const vHat = tf.div(v, 1 - beta2 ** t);
        const decayedP = decayed(n) ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayedP, tf.mul(lr, tf.div(mHat, tf.add(tf.sqrt(vHat), eps)))));
      }
    });
    running += value.dataSync()[0] as number;
    since++;
    tf.dispose([x, y, value, ...Object.values(grads)]);
    if ((step + 1) % 250 === 0 || step + 1 === steps) {
      const heldOut = windowedLoss(tf, params, config, evalTokens);
      curve.push([step + 1, round(running / since), round(heldOut)]);
      console.log(`step ${step + 1}: train ${(running / since).toFixed(4)}, held-out ${heldOut.toFixed(4)}, lr ${lr.toExponential(2)}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      running = 0;
      since = 0;
    }
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  const tensors = Object.fromEntries(Object.entries(params).map(([n, v]) => [n, { shape: v.shape as number[], data: v.dataSync() as Float32Array }]));
  const heldOutLoss = windowedLoss(tf, params, config, evalTokens);
  const corpus: CorpusRecord = { name, file: preset.corpusFile, sha256: createHash('sha256').update(raw).digest('hex'), trainChars: split, heldOutChars: chars.length - split };
  const training: TrainingRecord = {
    command: `npm run train:mini-gpt -- --corpus ${name}${values.steps ? ` --steps ${steps}` : ''}${values.seed !== '1337' ? ` --seed ${seed}` : ''}`,
    seed,
    steps,
    batch: preset.batch,
    seconds,
    curve,
    heldOutWindows: Math.floor((evalTokens.length - 1) / config.context),
    heldOutLoss,
    heldOutPerplexity: Math.exp(heldOutLoss),
  };
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeGptFile(outFile, { config, tokenizer, corpus, training, tensors });
  writeFileSync(outFile.replace(/\.safetensors$/, '-heldout.txt'), evalChars);
  if (!values.out) {
    const record = writeTrainingRecord(
      repoRoot,
      Object.keys(presets).map((corpus) => {
        const file = path.join('exercises/mini-gpt/models', `${corpus}.safetensors`);
        return { name: corpus, file, read: () => readGptFile(path.join(repoRoot, file)) };
      }),
    );
    console.log(`wrote ${path.relative(process.cwd(), record)}`);
  }
  console.log(`wrote ${path.relative(process.cwd(), outFile)}: held-out loss ${heldOutLoss.toFixed(4)} nats per character (perplexity ${Math.exp(heldOutLoss).toFixed(3)}), ${seconds} s`);
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
