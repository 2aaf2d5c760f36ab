import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/authoring/rng.js';
import { parameterCount, tensorShapes, type GptConfig } from '../../src/mini-gpt/model.js';
import { allCharsTokenizer, decode, encode, frequentCharsTokenizer } from '../../src/mini-gpt/tokenizer.js';
import { readGptFile, writeGptFile, type GptModel } from '../../src/mini-gpt/weights-file.js';

const config: GptConfig = { vocabSize: 5, context: 8, layers: 2, heads: 2, width: 4 };

function smallModel(): GptModel {
  const rng = new Rng(3);
  const tensors = Object.fromEntries(tensorShapes(config).map(([name, shape]) => [name, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, 0.1)) }]));
  return {
    config,
    tokenizer: allCharsTokenizer('abcde'),
    corpus: { name: 'test', file: 'none', sha256: '0', trainChars: 5, heldOutChars: 0 },
    training: { command: 'none', seed: 3, steps: 0, batch: 1, seconds: 0, curve: [], heldOutWindows: 1, heldOutLoss: 1.5, heldOutPerplexity: Math.exp(1.5) },
    tensors,
  };
}

describe('model files', () => {
  test('a model written and read back has the same config, tokenizer, records and tensors', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'gpt-')), 'm.safetensors');
    const model = smallModel();
    writeGptFile(file, model);
    const back = readGptFile(file);
    expect(back.config).toEqual(config);
    expect(back.tokenizer).toEqual(model.tokenizer);
    expect(back.training.heldOutLoss).toBe(1.5);
    for (const [name] of tensorShapes(config)) expect(Array.from(back.tensors[name].data), name).toEqual(Array.from(model.tensors[name].data));
  });

  test('GPT-2 small\'s shape has its published 124,439,808 parameters (tied unembedding counted once)', () => {
    expect(parameterCount({ vocabSize: 50257, context: 1024, layers: 12, heads: 12, width: 768 })).toBe(124_439_808);
  });

  test('a changed weight byte, a file of another format and a missing tensor are each refused in one line naming the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gpt-'));
    const file = path.join(dir, 'm.safetensors');
    writeGptFile(file, smallModel());
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] ^= 0x40;
    writeFileSync(file, bytes);
    expect(() => readGptFile(file)).toThrow(`${file}: its weights do not match their checksum (the file is damaged or was edited)`);

    const other = path.join(dir, 'other.safetensors');
    const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt' }, w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(other, Buffer.concat([length, header, Buffer.alloc(4)]));
    expect(() => readGptFile(other)).toThrow(`${other}: not an llm-tutor model file (format "pt", expected "llm-tutor-gpt/1")`);
  });
});

describe('character tokenizers', () => {
  test('all characters sorted by code point, as nanoGPT builds tiny Shakespeare\'s vocabulary', () => {
    const t = allCharsTokenizer('hello, world\n');
    expect(t.vocab).toEqual(['\n', ' ', ',', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(decode(t, encode(t, 'world'))).toBe('world');
    expect(() => encode(t, 'x')).toThrow('the character "x" is not in the model\'s vocabulary');
  });

  test('the most frequent characters with the kept ones first and an unknown token last; characters outside become it', () => {
    const t = frequentCharsTokenizer('春春春眠眠不，覺曉。\n', 6, '□', ['\n', '，', '。']);
    expect(t.vocab).toEqual(['\n', '，', '。', '春', '眠', '□']);
    expect(t.unk).toBe(5);
    expect(decode(t, encode(t, '春眠不覺曉，'))).toBe('春眠□□□，');
  });
});
