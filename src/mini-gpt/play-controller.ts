/**
 * One `llm-tutor play` session: the text the learner's model writes chunk by
 * chunk, the reference's text from the same plans when comparing, the
 * settings (changed between chunks), and the speed. The screen subscribes to
 * its snapshots; piped mode waits for it to finish.
 */
import { Rng } from '../core/authoring/rng.js';
import { t } from '../i18n/i18n.js';
import type { Tf } from '../core/authoring/exercise.js';
import { chunkTokens, PlayError, referenceGenerate, windowOf, type ChunkPlan } from './play-session.js';
import type { GptConfig } from './model.js';
import type { SampleOptions } from './sample.js';

type Tensor = ReturnType<Tf['tensor']>;

/** How many of the latest chunks the speed shown is measured over. */
const recentChunks = 8;

/** The first chunk is short, so the first tokens show soon. */
export const firstChunkTokens = 4;

export interface PlaySnapshot {
  prompt: number[];
  /** The tokens the learner's model wrote after the prompt. */
  learner: number[];
  /** The reference's tokens from the same plans, while comparing. */
  reference: number[];
  compare: boolean;
  settings: SampleOptions;
  seed: number;
  limit: number;
  status: 'generating' | 'done' | 'error';
  error?: string;
  /** From the start of this generation to its first tokens, in ms. */
  firstTokenMs?: number;
  /** Tokens per second of the learner's generate calls over the latest chunks (their wall time, the sandbox's messages included). */
  tokensPerSecond?: number;
}

/** Where the learner's tokens come from: their generate in the sandbox (LearnerModel). */
export interface TokenSource {
  generate(prompt: number[], plan: ChunkPlan): Promise<number[]>;
}

export interface ReferenceModel {
  tf: Tf;
  params: Record<string, Tensor>;
  config: GptConfig;
}

export class PlayController {
  private snapshot: PlaySnapshot;
  private readonly listeners = new Set<() => void>();
  private plans: ChunkPlan[] = [];
  private generation = 0;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly model: TokenSource,
    private readonly reference: ReferenceModel,
    prompt: number[],
    settings: SampleOptions,
    seed: number,
    limit: number,
  ) {
    this.snapshot = { prompt, learner: [], reference: [], compare: false, settings, seed, limit, status: 'generating' };
  }

  getSnapshot = (): PlaySnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private update(change: Partial<PlaySnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of this.listeners) listener();
  }

  /** Starts generating (again, from the prompt, when the last generation ended). */
  start(): Promise<void> {
    const generation = ++this.generation;
    this.plans = [];
    this.update({ learner: [], reference: [], status: 'generating', error: undefined, firstTokenMs: undefined, tokensPerSecond: undefined });
    const run = (this.running ?? Promise.resolve()).then(() => this.loop(generation));
    this.running = run;
    return run;
  }

  /** Resolves when the current generation has finished (or stopped). */
  finished(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(generation: number): Promise<void> {
    const rng = new Rng(this.snapshot.seed);
    const started = performance.now();
    // The speed over the last few chunks: a pause of this process (the reference catching up when `c` is pressed) fades out.
    const recent: { tokens: number; ms: number }[] = [];
    const current = () => generation === this.generation && !this.stopped;
    while (current() && this.snapshot.learner.length < this.snapshot.limit) {
      const { prompt, learner, settings, limit } = this.snapshot;
      const n = Math.min(this.plans.length === 0 ? firstChunkTokens : chunkTokens, limit - learner.length);
      const plan: ChunkPlan = { n, opts: { ...settings }, u: Array.from({ length: n }, () => rng.next()) };
      const at = performance.now();
      let tokens: number[];
      try {
        tokens = await this.model.generate(windowOf([...prompt, ...learner], this.reference.config.context), plan);
      } catch (error) {
        if (current()) this.update({ status: 'error', error: error instanceof PlayError ? error.message : t`The sandbox failed: ${(error as Error).message}` });
        return;
      }
      if (!current()) return;
      recent.push({ tokens: tokens.length, ms: performance.now() - at });
      if (recent.length > recentChunks) recent.shift();
      this.plans.push(plan);
      const written = [...this.snapshot.learner, ...tokens];
      const sum = (key: 'tokens' | 'ms') => recent.reduce((total, chunk) => total + chunk[key], 0);
      this.update({
        learner: written,
        firstTokenMs: this.snapshot.firstTokenMs ?? performance.now() - started,
        tokensPerSecond: (sum('tokens') / sum('ms')) * 1000,
      });
      if (this.snapshot.compare) this.catchUpReference();
      // Let the screen draw and keys arrive between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (current()) this.update({ status: 'done' });
  }

  /** The reference's text for every plan so far, from its own text (so the two part where the learner's code differs). */
  private catchUpReference(): void {
    const { prompt } = this.snapshot;
    const { config } = this.reference;
    let reference = this.snapshot.reference;
    let done = 0;
    for (const plan of this.plans) {
      if (done + plan.n <= reference.length) {
        done += plan.n;
        continue;
      }
      const tokens = referenceGenerate(this.reference.tf, this.reference.params, config, windowOf([...prompt, ...reference], config.context), plan);
      reference = [...reference, ...tokens];
      done += plan.n;
    }
    if (reference !== this.snapshot.reference) this.update({ reference });
  }

  /** Changes the settings; they apply from the next chunk. */
  setSettings(change: Partial<SampleOptions>): void {
    this.update({ settings: { ...this.snapshot.settings, ...change } });
  }

  /** Shows or hides the reference's text beside the learner's. */
  toggleCompare(): void {
    const compare = !this.snapshot.compare;
    this.update({ compare });
    if (compare) this.catchUpReference();
  }

  /** A new text from the prompt with the next seed's uniform numbers. */
  regenerate(): Promise<void> {
    this.update({ seed: this.snapshot.seed + 1 });
    return this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }
}
