// `llm-tutor play`'s speed with the model solution of mini-gpt's model/generate: the learner's generate in a
// sandbox child on the shipped weights, as the play command runs it (LearnerModel and PlayController, no
// screen). Per sample: a new child; "first tokens" is the time from opening the learner's model (bundling,
// starting the child) to the first chunk on screen; tokens/s is over `tokens` tokens at temperature 0.8.
// Prints one JSON line: { [model]: { firstTokenMs: ms[], tokensPerSecond: n[] } }.
import { copyFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [rootArg, runsArg, tokensArg] = process.argv.slice(2);
const root = path.resolve(rootArg);
const runs = Number(runsArg ?? 5);
const tokens = Number(tokensArg ?? 200);
const dist = (p) => import(path.join(root, 'dist', p));
const [{ readGptFile }, { weightsOf }, { tfParams }, { encode }, { LearnerModel }, { PlayController }, { loadTf }] = await Promise.all([
  dist('mini-gpt/weights-file.js'),
  dist('mini-gpt/gpt-weights.js'),
  dist('mini-gpt/model.js'),
  dist('mini-gpt/tokenizer.js'),
  dist('mini-gpt/play-session.js'),
  dist('mini-gpt/play-controller.js'),
  dist('reference/backend.js'),
]);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-play-'));
const exercises = path.join(tmp, 'exercises');
const file = path.join(exercises, 'mini-gpt', 'model', 'generate.ts');
mkdirSync(path.dirname(file), { recursive: true });
copyFileSync(path.join(root, 'exercises', 'mini-gpt', 'model', 'generate', 'solution.ts'), file);
const { tf } = await loadTf();
const prompts = { shakespeare: 'ROMEO:\n', tang: '春' };
const out = {};
for (const name of ['shakespeare', 'tang']) {
  const model = readGptFile(path.join(root, 'exercises', 'mini-gpt', 'models', `${name}.safetensors`));
  const params = tfParams(tf, model.config, model.tensors);
  const weights = weightsOf(model);
  out[name] = { firstTokenMs: [], tokensPerSecond: [] };
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const learner = await LearnerModel.open(file, exercises, weights);
    const controller = new PlayController(learner, { tf, params, config: model.config }, encode(model.tokenizer, prompts[name]), { temperature: 0.8 }, 1000 + i, tokens);
    let first;
    const stop = controller.subscribe(() => {
      if (first === undefined && controller.getSnapshot().learner.length > 0) first = performance.now() - started;
    });
    await controller.start();
    stop();
    const snap = controller.getSnapshot();
    await learner.close();
    if (snap.status !== 'done') throw new Error(`${name}: ${snap.error}`);
    if (i === 0) continue; // the first sample warms the OS file cache
    out[name].firstTokenMs.push(first);
    out[name].tokensPerSecond.push(snap.tokensPerSecond);
  }
  tf.dispose(Object.values(params));
}
rmSync(tmp, { recursive: true, force: true });
console.log(JSON.stringify(out));
