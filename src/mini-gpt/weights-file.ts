/**
 * A trained capstone model on disk: a safetensors file of float32 tensors
 * (the names and shapes of `tensorShapes`) whose `__metadata__` holds, as
 * JSON strings, the model's config, its tokenizer, the corpus it was trained
 * on, the training record, and a SHA-256 of the tensor bytes so that a
 * damaged or edited file is refused with one line instead of producing
 * gibberish.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { readTensorFileWithMetadata, writeTensorFile, type TensorEntry } from '../core/authoring/tensor-file.js';
import { tensorShapes, type GptConfig } from './model.js';
import type { CharTokenizer } from './tokenizer.js';

/** The format tag of a capstone model file. */
export const gptFormat = 'llm-tutor-gpt/1';

/** Where the training text came from and how it was split. */
export interface CorpusRecord {
  name: string;
  /** The corpus file in the repository and its SHA-256. */
  file: string;
  sha256: string;
  /** The first `trainChars` characters were trained on; the rest is held out. */
  trainChars: number;
  heldOutChars: number;
}

/** How the model was trained and how well it does on the held-out text. */
export interface TrainingRecord {
  command: string;
  seed: number;
  steps: number;
  batch: number;
  seconds: number;
  /** The loss every few steps: [step, train loss (mean of the steps since the last point), held-out loss]. */
  curve: [number, number, number][];
  /** How many windows of the model's context the held-out figure is measured on. */
  heldOutWindows: number;
  /** Mean cross-entropy in nats per token over the held-out evaluation windows, and its exp. */
  heldOutLoss: number;
  heldOutPerplexity: number;
}

export interface GptModel {
  config: GptConfig;
  tokenizer: CharTokenizer;
  corpus: CorpusRecord;
  training: TrainingRecord;
  tensors: Record<string, TensorEntry>;
}

/** SHA-256 of the tensors' bytes, in the order of `tensorShapes`. */
function checksum(config: GptConfig, tensors: Record<string, TensorEntry>): string {
  const hash = createHash('sha256');
  for (const [name] of tensorShapes(config)) {
    const { data } = tensors[name];
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}

/** Writes a model file; the tensors must be exactly those of the config. */
export function writeGptFile(file: string, model: GptModel): void {
  const ordered: Record<string, TensorEntry> = {};
  for (const [name, shape] of tensorShapes(model.config)) {
    const entry = model.tensors[name];
    if (!entry || entry.data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`tensor ${name} is missing or not of shape [${shape.join(', ')}]`);
    ordered[name] = { shape, data: entry.data };
  }
  writeTensorFile(file, ordered, {
    format: gptFormat,
    config: JSON.stringify(model.config),
    tokenizer: JSON.stringify(model.tokenizer),
    corpus: JSON.stringify(model.corpus),
    training: JSON.stringify(model.training),
    sha256: checksum(model.config, ordered),
  });
}

function parseField<T>(file: string, metadata: Record<string, string>, key: string): T {
  const text = metadata[key];
  if (text === undefined) throw new UserError(`${file}: not an llm-tutor model file (its metadata has no "${key}")`, { next: 'Use one of the model files shipped in the mini-gpt pack, or write one with `npm run train:mini-gpt`.' });
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UserError(`${file}: its metadata "${key}" is not valid JSON`, { next: 'Write the model file again with `npm run train:mini-gpt`.' });
  }
}

/** Reads a model file, checking its format, its tensors against its config, and its checksum. */
export function readGptFile(file: string): GptModel {
  const { tensors, metadata } = readTensorFileWithMetadata(file);
  const again = { next: 'Restore the file (git checkout) or write it again with `npm run train:mini-gpt`.' };
  if (metadata.format !== gptFormat) throw new UserError(`${file}: not an llm-tutor model file (format ${JSON.stringify(metadata.format ?? null)}, expected "${gptFormat}")`, again);
  const config = parseField<GptConfig>(file, metadata, 'config');
  for (const [name, shape] of tensorShapes(config)) {
    const entry = tensors[name];
    if (!entry) throw new UserError(`${file}: tensor "${name}" is missing`, again);
    if (entry.shape.join() !== shape.join()) throw new UserError(`${file}: tensor "${name}" has shape [${entry.shape.join(', ')}]; the config wants [${shape.join(', ')}]`, again);
  }
  const sum = checksum(config, tensors);
  if (sum !== metadata.sha256) throw new UserError(`${file}: its weights do not match their checksum (the file is damaged or was edited)`, again);
  return {
    config,
    tokenizer: parseField<CharTokenizer>(file, metadata, 'tokenizer'),
    corpus: parseField<CorpusRecord>(file, metadata, 'corpus'),
    training: parseField<TrainingRecord>(file, metadata, 'training'),
    tensors,
  };
}
