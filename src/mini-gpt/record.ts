/**
 * The capstone models' training record, written from the model files
 * themselves (their metadata holds the command, the loss curve and the
 * held-out figure): `docs/mini-gpt-models.md` with a table per model, and
 * one SVG loss curve per model next to it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parameterCount } from './model.js';
import type { GptModel } from './weights-file.js';

const fmt = (x: number, digits = 4) => x.toFixed(digits);

/** A loss curve as an SVG line chart: training loss and held-out loss against the step. */
export function lossCurveSvg(model: GptModel, title: string): string {
  const [w, h, left, right, top, bottom] = [640, 320, 56, 16, 36, 40];
  const curve = model.training.curve;
  const maxStep = Math.max(...curve.map(([s]) => s));
  const losses = curve.flatMap(([, a, b]) => [a, b]);
  const lo = Math.floor(Math.min(...losses) * 2) / 2;
  const hi = Math.ceil(Math.max(...losses) * 2) / 2;
  const x = (step: number) => left + ((w - left - right) * step) / maxStep;
  const y = (loss: number) => top + ((h - top - bottom) * (hi - loss)) / (hi - lo || 1);
  const line = (i: 1 | 2) => curve.map((point) => `${x(point[0]).toFixed(1)},${y(point[i]).toFixed(1)}`).join(' ');
  const ticks: string[] = [];
  for (let v = lo; v <= hi + 1e-9; v += 0.5) ticks.push(`<line x1="${left}" x2="${w - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<title>${title}</title>`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${title}</text>`,
    ...ticks,
    `<text x="${(left + w - right) / 2}" y="${h - 8}" text-anchor="middle">step (batch ${model.training.batch} × ${model.config.context} characters)</text>`,
    `<text x="${w - right}" y="${h - bottom + 16}" text-anchor="end">${maxStep}</text><text x="${left}" y="${h - bottom + 16}">0</text>`,
    `<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${line(1)}"/>`,
    `<polyline fill="none" stroke="#d62728" stroke-width="2" stroke-dasharray="6 3" points="${line(2)}"/>`,
    `<text x="${w - right}" y="${top}" text-anchor="end" fill="#1f77b4">training loss (nats per character)</text>`,
    `<text x="${w - right}" y="${top + 16}" text-anchor="end" fill="#d62728">held-out loss</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** The Markdown section of one model. */
function section(model: GptModel, file: string, svg: string): string {
  const c = model.config;
  const t = model.training;
  const rows = t.curve.map(([step, train, held]) => `| ${step} | ${fmt(train)} | ${fmt(held)} |`);
  return [
    `## ${model.corpus.name}`,
    '',
    `\`${file}\`: ${parameterCount(c).toLocaleString('en')} parameters (${c.layers} layers, ${c.heads} heads, width ${c.width}, context ${c.context}, vocabulary ${c.vocabSize}${model.tokenizer.unk !== undefined ? ` with the unknown token ${JSON.stringify(model.tokenizer.vocab[model.tokenizer.unk])}` : ''}), trained on the first ${model.corpus.trainChars.toLocaleString('en')} characters of \`${model.corpus.file}\` (SHA-256 ${model.corpus.sha256.slice(0, 16)}…).`,
    '',
    `- Command: \`${t.command}\` (seed ${t.seed}; ${t.steps} steps of ${t.batch} windows; ${t.seconds} s on the machine that trained it).`,
    `- Held-out loss: **${fmt(t.heldOutLoss)} nats per character** (perplexity ${fmt(t.heldOutPerplexity, 3)}), over the first ${t.heldOutWindows.toLocaleString('en')} windows of ${c.context} characters of the held-out text (\`${path.basename(file).replace(/\.safetensors$/, '-heldout.txt')}\`).`,
    '',
    `![loss curve of the ${model.corpus.name} model](${svg})`,
    '',
    '| step | training loss | held-out loss |',
    '| ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

/** Writes docs/mini-gpt-models.md and the SVGs for the model files that exist. */
export function writeTrainingRecord(root: string, models: { name: string; file: string; read: () => GptModel }[]): string {
  const sections: string[] = [];
  for (const { name, file, read } of models) {
    if (!existsSync(path.join(root, file))) continue;
    const model = read();
    const svg = `mini-gpt-${name}-loss.svg`;
    writeFileSync(path.join(root, 'docs', svg), lossCurveSvg(model, `The ${name} model: loss while training`));
    sections.push(section(model, file, svg));
  }
  const out = path.join(root, 'docs', 'mini-gpt-models.md');
  writeFileSync(
    out,
    [
      '# The capstone\'s trained models',
      '',
      'The mini-gpt pack ships two small GPT-2-style models, trained by `npm run train:mini-gpt` (src/mini-gpt/train.ts) in TensorFlow.js on the corpora of `data/corpora/` (see its README for their provenance). The figures below are read from the model files\' own metadata; this page is written by the training script. Training is deterministic from its seed on one machine; tests never train.',
      '',
      ...sections,
    ].join('\n'),
  );
  return out;
}
