import path from 'node:path';
import type { GlobalOptions, Io } from './io.js';
import { UserError } from '../errors.js';
import { openSession } from './context.js';
import { builtinPacksDir } from '../core/common/paths.js';
import { learnerFileOf, exercisesRootOf } from '../core/workspace/workspace.js';
import { StateStore } from '../core/workspace/state-store.js';
import { tutorCommand } from '../core/common/invocation.js';
import { readGptFile } from '../mini-gpt/weights-file.js';
import { weightsOf } from '../mini-gpt/gpt-weights.js';
import { parameterCount, tfParams } from '../mini-gpt/model.js';
import { decode, encode } from '../mini-gpt/tokenizer.js';
import { LearnerModel, PlayError } from '../mini-gpt/play-session.js';
import { PlayController } from '../mini-gpt/play-controller.js';
import { t } from '../i18n/i18n.js';

export const playModels = ['shakespeare', 'tang'] as const;
const defaultPrompts: Record<(typeof playModels)[number], string> = { shakespeare: 'ROMEO:\n', tang: '春' };

/** What play needs to pass first, in the workspace's exercise keys. */
export const playRequires = ['mini-gpt/model/forward', 'mini-gpt/model/generate'] as const;

export interface PlayOptions {
  model?: string;
  prompt?: string;
  temperature?: number;
  topK?: number;
  topP?: number;
  tokens?: number;
}

/**
 * Token text for the screen: a control character of a vocabulary (there
 * should be none besides the newline) is shown as �, and the Tang model's
 * unknown token □, which terminals draw one or two columns wide depending on
 * their locale, as the full-width ？ (two columns everywhere).
 */
const printable = (text: string, unknown?: string) => {
  const plain = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
  return unknown ? plain.split(unknown).join('\uff1f') : plain;
};

/**
 * `llm-tutor play`: text from the GPT that the learner's own code runs. The
 * learner's model/generate (and the files it imports) runs in the sandbox on
 * the shipped weights; in a terminal the text streams into a screen with the
 * settings at hand, otherwise it is printed once.
 */
export default async function play(io: Io, globals: GlobalOptions, options: PlayOptions): Promise<number> {
  const name = options.model ?? 'shakespeare';
  if (!(playModels as readonly string[]).includes(name)) throw new UserError(t`--model ${name}: there is no such model; choose ${playModels.slice(0, -1).join(', ')} or ${playModels.at(-1)}.`);
  const model = name as (typeof playModels)[number];
  if (options.temperature !== undefined && !(options.temperature >= 0 && options.temperature <= 2)) throw new UserError(t`--temperature ${options.temperature}: choose a number from 0 (greedy) to 2.`);
  if (options.topP !== undefined && !(options.topP > 0 && options.topP <= 1)) throw new UserError(t`--top-p ${options.topP}: choose a number above 0 and at most 1.`);

  const session = await openSession(io, globals);
  const command = tutorCommand(io.cwd);
  const refs = playRequires.map((key) => session.workspace.exercises.find((r) => r.key === key));
  if (refs.some((r) => !r)) {
    throw new UserError(t('play runs the capstone model with your own code, but this workspace does not have the mini-gpt pack.'), { next: t`Add it with \`${command} init --packs mini-gpt\` in a new folder, or enable it in this workspace's config.` });
  }
  const failing = refs.filter((r) => StateStore.progressOf(session.state, r!.key).status !== 'passed').map((r) => r!.id);
  if (failing.length > 0) {
    const message =
      failing.length === 1
        ? t`play runs the GPT your own code runs, so model/forward and model/generate must pass first: ${failing[0]} does not pass yet.`
        : t`play runs the GPT your own code runs, so model/forward and model/generate must pass first: ${failing.slice(0, -1).join(' and ')} and ${failing.at(-1)} do not pass yet.`;
    throw new UserError(message, {
      next: t`Run \`${command} check ${failing[0]}\` (or \`${command} next\`).`,
      exitCode: 1,
    });
  }

  const gpt = readGptFile(path.join(builtinPacksDir, 'mini-gpt', 'models', `${model}.safetensors`));
  const promptText = options.prompt ?? defaultPrompts[model];
  if (promptText === '') throw new UserError(t('--prompt is empty: give the model at least one character to continue.'));
  let prompt: number[];
  try {
    prompt = encode(gpt.tokenizer, promptText);
  } catch {
    const missing = Array.from(promptText).find((ch) => !gpt.tokenizer.vocab.includes(ch));
    throw new UserError(t`--prompt has ${JSON.stringify(missing)}, which the ${model} model's ${gpt.tokenizer.vocab.length} characters do not include.`, { next: t('Use letters, digits, spaces and punctuation of plain English text.') });
  }
  const settings = { temperature: options.temperature ?? 0.8, topK: options.topK, topP: options.topP };
  const interactive = io.isTTY && process.stdin.isTTY;
  const limit = options.tokens ?? (interactive ? 400 : 200);

  const { loadTf } = await import('../reference/backend.js');
  const { tf } = await loadTf(session.backend);
  const params = tfParams(tf, gpt.config, gpt.tensors);
  let learner: LearnerModel;
  try {
    learner = await LearnerModel.open(learnerFileOf(session.workspace, refs[1]!), exercisesRootOf(session.workspace), weightsOf(gpt));
  } catch (error) {
    if (error instanceof PlayError) throw new UserError(error.message, { exitCode: 1 });
    throw error;
  }
  const controller = new PlayController(learner, { tf, params, config: gpt.config }, prompt, settings, session.seed, limit);
  const unknown = gpt.tokenizer.unk !== undefined ? gpt.tokenizer.vocab[gpt.tokenizer.unk] : undefined;
  const text = (tokens: readonly number[]) => printable(decode(gpt.tokenizer, tokens), unknown);
  try {
    if (!interactive) {
      await controller.start();
      const snap = controller.getSnapshot();
      io.out(text([...snap.prompt, ...snap.learner]));
      if (snap.status === 'error') {
        io.err(snap.error!);
        return 1;
      }
      return 0;
    }
    const { importInkForTerminal } = await import('./next.js');
    const { render } = await importInkForTerminal();
    const [React, { PlayView }] = await Promise.all([import('react'), import('../ui/PlayView.js')]);
    const title = t`llm-tutor play · ${model} (${parameterCount(gpt.config).toLocaleString('en-US')} parameters) run by your model/generate`;
    const instance = render(React.createElement(PlayView, { controller, title, decode: text }), { exitOnCtrlC: false });
    void controller.start();
    await instance.waitUntilExit();
    return 0;
  } finally {
    await controller.stop();
    await learner.close();
    tf.dispose(Object.values(params));
  }
}
