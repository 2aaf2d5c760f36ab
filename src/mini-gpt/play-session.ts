/**
 * What `llm-tutor play` runs, apart from its screen: the learner's own
 * `generate` (model/generate) in one sandboxed child that stays up for the
 * session, fed the shipped weights and asked for a chunk of tokens at a
 * time; the reference model (TensorFlow.js) generating from the same windows
 * and uniform numbers; and the rule that carries a text past the model's
 * context.
 *
 * The context rule: each chunk of `chunk` tokens is generated from the last
 * `context − chunk` tokens of the text (all of it while it is shorter), so a
 * prompt and its chunk always fit the model's learned positions. The
 * reference follows the same rule on its own text: where the learner's code
 * is right, the two texts are the same token for token.
 */
import { plural } from '../core/common/words.js';
import { t } from '../i18n/i18n.js';
import { escapeLogLine } from '../report/escape.js';
import { defaultLimits, type SandboxSlot } from '../sandbox/run-child.js';
import { SubmissionSandbox } from '../sandbox/submission-sandbox.js';
import { generateTokens, type GenerationPlan } from './sample.js';
import type { GptWeights } from './gpt-weights.js';


/** Tokens asked of the learner's generate per call. */
export const chunkTokens = 16;

/** The time limit of one call of the learner's generate (a slow but working model still streams). */
export const chunkTimeoutMs = 20_000;

/** The window a chunk is generated from: the last `context − chunk` tokens. */
export const windowOf = (tokens: readonly number[], context: number, chunk = chunkTokens): number[] => tokens.slice(-Math.max(1, context - chunk));

/** One chunk's inputs: how many tokens, the settings in force and the uniform numbers, replayed by the reference. */
export type ChunkPlan = GenerationPlan;

/** What went wrong in the learner's code, in one line for the screen. */
export class PlayError extends Error {}

/** A value in a few words: `a string`, `null`, `undefined`, `an object`, `a number`. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return t`an object`;
  return t`a ${typeof value}`;
}

/** The tokens a generate call returned, checked: `n` integers that are token ids of the model. */
export function checkedTokens(value: unknown, n: number, vocabSize: number): number[] {
  if (!Array.isArray(value)) throw new PlayError(t`Your generate returned ${kindOf(value)}; it must return the ${plural(n, 'new token')} as a list of token ids.`);
  if (value.length !== n) throw new PlayError(t`Your generate returned ${plural(value.length, 'token')} when asked for ${n}: it must return only the new tokens (not the prompt).`);
  const bad = value.findIndex((token) => !Number.isInteger(token) || token < 0 || token >= vocabSize);
  if (bad >= 0) {
    const kind = kindOf(value[bad]);
    throw new PlayError(
      typeof value[bad] === 'number'
        ? t`Your generate returned ${kind} at position ${bad} (${value[bad]}): not a token id of this model (0 … ${vocabSize - 1}).`
        : t`Your generate returned ${kind} at position ${bad}: not a token id of this model (0 … ${vocabSize - 1}).`,
    );
  }
  return value as number[];
}

/** The learner's generate, in a sandboxed child that lives as long as the session. */
export class LearnerModel {
  private constructor(
    private readonly sandbox: SubmissionSandbox,
    private readonly slot: SandboxSlot,
    private readonly weights: GptWeights,
  ) {}

  /** Bundles the learner's model/generate file (with the files it imports) and starts its child; a file that does not bundle is a PlayError. */
  static async open(file: string, allowedRoot: string, weights: GptWeights): Promise<LearnerModel> {
    const sandbox = await SubmissionSandbox.open([file], allowedRoot, { timeoutMs: chunkTimeoutMs });
    const slot = await sandbox.acquire();
    const bundle = await slot.bundle(file, allowedRoot, chunkTimeoutMs);
    if (!bundle.ok) {
      await sandbox.close();
      const message = escapeLogLine(bundle.problem?.message ?? t`timed out`);
      throw new PlayError(
        bundle.problem?.file && bundle.problem.line
          ? t`Your files could not be compiled (${bundle.problem.file}:${bundle.problem.line}): ${message}`
          : t`Your files could not be compiled: ${message}`,
      );
    }
    return new LearnerModel(sandbox, slot, weights);
  }

  /** `n` new tokens after `prompt` from the learner's generate. */
  async generate(prompt: number[], plan: ChunkPlan): Promise<number[]> {
    const run = await this.slot.run('generate', [[prompt, plan.n, this.weights, plan.opts, [...plan.u]]], { ...defaultLimits, timeoutMs: chunkTimeoutMs });
    if (run.loadError) throw new PlayError(t`Your model/generate file did not load: ${escapeLogLine(run.loadError.message)}`);
    if (run.exports && !run.exports.includes('generate')) throw new PlayError(t`Your model/generate file does not export a function named generate.`);
    if (run.timedOut) throw new PlayError(t`Your generate took more than ${chunkTimeoutMs / 1000} s for ${plural(plan.n, 'token')}: check that each new token costs one gptStep, not a whole forward pass.`);
    if (run.crashed) {
      const reason = run.crashed.reason;
      throw new PlayError(
        run.crashed.outOfMemory ? t`Your generate ran out of memory.` : reason ? t`Your generate's process ended unexpectedly (${escapeLogLine(reason)}).` : t`Your generate's process ended unexpectedly.`,
      );
    }
    const outcome = run.outcomes[0];
    if (!outcome) throw new PlayError(t`Your generate did not return.`);
    if (!outcome.ok) throw new PlayError(t`Your generate threw: ${escapeLogLine(`${outcome.error.name}: ${outcome.error.message}`)}`);
    return checkedTokens(outcome.value, plan.n, this.weights.config.vocabSize);
  }

  async close(): Promise<void> {
    await this.slot.dispose();
    await this.sandbox.close();
  }
}

/** The reference's tokens after `prompt` with the same settings and uniform numbers (one forward pass per token, no cache). */
export const referenceGenerate = generateTokens;
