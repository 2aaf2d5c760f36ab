import { gptLogits, nextToken, tfParams, type SampleOptions, type Tf } from 'llm-tutor/pack';
import { sampleSteps, softmax, topKSteps, topPSteps } from '../../inference/decoding/sampling-math.js';
import { rowsOfBytes, tensorsOf, weightsOf, type GptModel, type GptWeights } from './gpt-math.js';

// The pieces of model/generate: a fast float64 decoding step (for the case
// builder's safety margins and the wrong variants), the sampling rule step by
// step as the inference pack's samplers compose it, and the reference loop.

export type { SampleOptions } from 'llm-tutor/pack';

/** The next-token logits of a model, one token at a time, in float64 with a KV cache: `step(token)` reads the token at the next position. */
export function decoder64(w: GptWeights): { step: (token: number) => Float64Array } {
  const { width: C, heads: H, vocabSize: V } = w.config;
  const D = C / H;
  const keys: Float64Array[][] = w.h.map(() => []);
  const values: Float64Array[][] = w.h.map(() => []);
  const linear = (x: Float64Array, W: ArrayLike<ArrayLike<number>>, b: ArrayLike<number>, width: number) => {
    const out = Float64Array.from(b);
    for (let i = 0; i < x.length; i++) {
      const xi = x[i];
      const row = W[i];
      for (let j = 0; j < width; j++) out[j] += xi * row[j];
    }
    return out;
  };
  const norm = (x: Float64Array, p: { gamma: ArrayLike<number>; beta: ArrayLike<number> }) => {
    let mean = 0;
    for (let j = 0; j < C; j++) mean += x[j];
    mean /= C;
    let variance = 0;
    for (let j = 0; j < C; j++) variance += (x[j] - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / C + 1e-5);
    const out = new Float64Array(C);
    for (let j = 0; j < C; j++) out[j] = (x[j] - mean) * scale * p.gamma[j] + p.beta[j];
    return out;
  };
  const step = (token: number): Float64Array => {
    const t = keys[0].length;
    let x: Float64Array = new Float64Array(C);
    for (let j = 0; j < C; j++) x[j] = w.wte[token][j] + w.wpe[t][j];
    w.h.forEach((p, l) => {
      const h = norm(x, p.ln_1);
      const q = linear(h, p.attn.wq, p.attn.bq, C);
      keys[l].push(linear(h, p.attn.wk, p.attn.bk, C));
      values[l].push(linear(h, p.attn.wv, p.attn.bv, C));
      const merged = new Float64Array(C);
      const scores = new Float64Array(t + 1);
      for (let head = 0; head < H; head++) {
        const from = head * D;
        let max = -Infinity;
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let j = from; j < from + D; j++) dot += q[j] * keys[l][s][j];
          scores[s] = dot / Math.sqrt(D);
          if (scores[s] > max) max = scores[s];
        }
        let sum = 0;
        for (let s = 0; s <= t; s++) sum += scores[s] = Math.exp(scores[s] - max);
        for (let s = 0; s <= t; s++) {
          const weight = scores[s] / sum;
          for (let j = from; j < from + D; j++) merged[j] += weight * values[l][s][j];
        }
      }
      const attn = linear(merged, p.attn.wo, p.attn.bo, C);
      const a = x.map((v, j) => v + attn[j]);
      const hidden = linear(norm(a, p.ln_2), p.mlp.w1, p.mlp.b1, 4 * C);
      for (let j = 0; j < hidden.length; j++) {
        const z = hidden[j];
        hidden[j] = 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
      }
      const mlp = linear(hidden, p.mlp.w2, p.mlp.b2, C);
      x = a.map((v, j) => v + mlp[j]);
    });
    const final = norm(x, w.ln_f);
    const logits = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      const e = w.wte[v];
      let dot = 0;
      for (let j = 0; j < C; j++) dot += final[j] * e[j];
      logits[v] = dot;
    }
    return logits;
  };
  return { step };
}

/** A mistake in choosing a token (the wrong variants of the exercise). */
export interface SamplerMistake {
  /** top-p applied before top-k. */
  topPFirst?: boolean;
  /** The temperature applied to the probabilities after the softmax (so the draw is at temperature 1). */
  temperatureOnProbabilities?: boolean;
  /** Temperature 0 not special-cased: the logits divided by 0. */
  zeroDivided?: boolean;
}

/**
 * The choice of one token step by step, as the inference pack's samplers
 * compose it: applyTemperature, topKFilter, topPFilter (each on logits),
 * softmax, then sampleToken with u. Temperature 0 is the argmax (the lower
 * index on a tie) unless `mistake.zeroDivided`.
 */
export function tokenSteps(logits: ArrayLike<number>, opts: SampleOptions, u: number, mistake: SamplerMistake = {}) {
  const raw = Array.from(logits);
  if (opts.temperature === 0 && !mistake.zeroDivided) {
    const token = raw.reduce((best, z, i) => (z > raw[best] ? i : best), 0);
    return { steps: { logits: raw, greedy: token }, output: token };
  }
  const t = mistake.temperatureOnProbabilities ? 1 : opts.temperature;
  const scaled = raw.map((z) => z / t);
  const byK = (z: number[]) => (opts.topK === undefined ? z : topKSteps(z, opts.topK).output);
  const byP = (z: number[]) => (opts.topP === undefined ? z : topPSteps(z, opts.topP).output);
  const filtered = mistake.topPFirst ? byK(byP(scaled)) : byP(byK(scaled));
  const probs = softmax(filtered);
  const { steps, output } = sampleSteps(probs, u);
  return { steps: { 'logits / T': scaled, filtered, probs, cumulative: steps.cumulative, 'u·total': steps.target }, output };
}

/** The token of {@link tokenSteps}. */
export const chooseToken = (logits: ArrayLike<number>, opts: SampleOptions, u: number, mistake: SamplerMistake = {}): number => tokenSteps(logits, opts, u, mistake).output;

/** How a generation loop may go wrong (the wrong variants of generate). */
export interface GenerateMistake extends SamplerMistake {
  /** Every token drawn with u[0]. */
  sameU?: boolean;
}

/**
 * The n new tokens after `prompt`, in float64 with a KV cache, chosen by the
 * rule with `mistake` (none: the rule itself). Remembered by the case's
 * arguments, since diagnosis runs each wrong variant on a case many times.
 */
export function generate64(w: GptWeights, prompt: readonly number[], n: number, opts: SampleOptions, u: readonly number[], mistake: GenerateMistake = {}): number[] {
  const key = generationKey(w, prompt, n, opts, u) + JSON.stringify(mistake);
  const known = generated.get(key);
  if (known) return [...known];
  const { step } = decoder64(w);
  let logits: Float64Array = new Float64Array(0);
  for (const token of prompt) logits = step(token);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const token = chooseToken(logits, opts, mistake.sameU ? u[0] : u[i], mistake);
    out.push(token);
    if (i < n - 1) logits = step(token);
  }
  remember(generated, key, out);
  return [...out];
}

/** Generations by their arguments (float64): the cases' own tokens (from the case builder) and the wrong variants'. */
const generated = new Map<string, number[]>();

/** Stores a generation, forgetting the oldest ones past a few thousand (a watch session grades for hours). */
function remember(memory: Map<string, number[]>, key: string, tokens: number[]): void {
  if (memory.size >= 4096) memory.delete(memory.keys().next().value!);
  memory.set(key, [...tokens]);
}

/** The key of a generation's arguments: the model is told apart by its shape and a few of its weights, the case by its prompt and uniforms. */
const generationKey = (w: GptWeights, prompt: readonly number[], n: number, opts: SampleOptions, u: readonly number[]) =>
  JSON.stringify([w.config, w.wte[0][0], w.wpe[w.wpe.length - 1][0], w.ln_f.beta[0], prompt, n, opts.temperature, opts.topK ?? null, opts.topP ?? null, u]);

/**
 * How far the choice of a token is from changing, on the scale where a
 * float32 forward pass can move it: for a greedy choice the gap between the
 * two largest logits; for a draw, the smallest of the gaps between the k-th
 * and (k+1)-th scaled logit (top-k), between any cumulative probability and
 * 1 − p (top-p), and between u·total and the ends of the chosen token's
 * interval.
 */
export function choiceMargin(logits: ArrayLike<number>, opts: SampleOptions): (u: number) => number {
  const raw = Array.from(logits);
  if (opts.temperature === 0) {
    const sorted = [...raw].sort((a, b) => b - a);
    const gap = sorted.length > 1 ? sorted[0] - sorted[1] : Infinity;
    return () => gap;
  }
  let margin = Infinity;
  const scaled = raw.map((z) => z / opts.temperature);
  let z = scaled;
  if (opts.topK !== undefined && opts.topK < raw.length) {
    const sorted = [...scaled].sort((a, b) => b - a);
    margin = Math.min(margin, sorted[opts.topK - 1] - sorted[opts.topK]);
    z = topKSteps(scaled, opts.topK).output;
  }
  if (opts.topP !== undefined) {
    const probs = softmax(z).sort((a, b) => a - b);
    let cumulative = 0;
    for (const p of probs) {
      cumulative += p;
      if (p > 0) margin = Math.min(margin, Math.abs(cumulative - (1 - opts.topP)));
    }
    z = topPSteps(z, opts.topP).output;
  }
  const probs = softmax(z);
  return (u) => {
    const { steps, output } = sampleSteps(probs, u);
    const below = output === 0 ? Infinity : steps.target - steps.cumulative[output - 1];
    const above = steps.cumulative[output] - steps.target;
    return Math.min(margin, below, above);
  };
}

/**
 * Uniforms for generating n tokens after `prompt` whose every choice keeps
 * a margin of at least `margin` ({@link choiceMargin}): each u is drawn from
 * `draw` again while it falls within the margin of a boundary. Returns
 * undefined when a choice has no such u (a greedy near-tie, or a top-k or
 * top-p cut too close to call), so that the caller picks another prompt.
 */
export function safeUniforms(w: GptWeights, prompt: readonly number[], n: number, opts: SampleOptions, draw: () => number, margin = 1e-4): number[] | undefined {
  const { step } = decoder64(w);
  let logits: Float64Array = new Float64Array(0);
  for (const token of prompt) logits = step(token);
  const u: number[] = [];
  const tokens: number[] = [];
  for (let i = 0; i < n; i++) {
    const within = choiceMargin(logits, opts);
    let x = draw();
    for (let tries = 0; within(x) < margin; tries++) {
      if (tries === 50) return undefined;
      x = draw();
    }
    u.push(x);
    tokens.push(nextToken(logits, opts, x));
    if (i < n - 1) logits = step(tokens[i]);
  }
  remember(generated, generationKey(w, prompt, n, opts, u) + JSON.stringify({}), tokens);
  return u;
}

type Tensor = ReturnType<Tf['tensor']>;

/**
 * The reference: new token i is `nextToken` of the TensorFlow.js model's
 * logits for the tokens before it (the last row of a forward pass on them),
 * with u[i]. The model is causal, so row t of one forward pass on a longer
 * sequence holds the same logits as a pass on its first t + 1 tokens: the
 * tokens are proposed by `propose` (the float64 decoder), and one forward
 * pass on the prompt and the proposal checks every choice at once; from the
 * first choice that differs, if any, the pass is run again on the tokens the
 * reference chose. `onStep` sees each step's logits (float32) and token.
 */
export function referenceGenerate(
  tf: Tf,
  w: GptWeights,
  prompt: readonly number[],
  n: number,
  opts: SampleOptions,
  u: readonly number[],
  onStep?: (logits: Float32Array, token: number) => void,
  propose: () => number[] = () => generate64(w, prompt, n, opts, u),
): number[] {
  const params: Record<string, Tensor> = tfParams(tf, w.config, tensorsOf(w));
  const V = w.config.vocabSize;
  try {
    const tokens = [...prompt, ...propose()].slice(0, prompt.length + n);
    let chosen = 0;
    while (chosen < n) {
      const rows = tf.tidy(() => gptLogits(tf, params, w.config, tf.tensor2d([tokens], [1, tokens.length], 'int32')).dataSync() as Float32Array);
      for (; chosen < n; chosen++) {
        const at = prompt.length + chosen - 1;
        const logits = rows.slice(at * V, (at + 1) * V);
        const token = nextToken(logits, opts, u[chosen]);
        onStep?.(logits, token);
        if (tokens[at + 1] !== token) {
          tokens.splice(at + 1, tokens.length, token);
          chosen++;
          break;
        }
      }
    }
    return tokens.slice(prompt.length, prompt.length + n);
  } finally {
    tf.dispose(Object.values(params));
  }
}

/** A matrix sent as bytes (matrixOf), read back as plain rows: what the learner's function receives. */
function plainMatrix(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(plainMatrix);
  const { data, rows, cols } = value as { data?: unknown; rows?: unknown; cols?: unknown };
  if (data instanceof Float32Array && typeof rows === 'number' && typeof cols === 'number') return rowsOfBytes({ data, rows, cols });
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plainMatrix(entry)]));
}

/** A model's weights as plain arrays (GptWeights as the function receives them), for computing in the tutor's process. */
export function plainWeights(model: Pick<GptModel, 'config' | 'tensors'>): GptWeights {
  let w = plain.get(model);
  if (!w) {
    w = plainMatrix(weightsOf(model)) as GptWeights;
    plain.set(model, w);
  }
  return w;
}

const plain = new WeakMap<object, GptWeights>();
