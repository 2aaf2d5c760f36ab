import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, test } from 'vitest';
import { argumentNames } from '../../src/core/authoring/signature.js';
import { buildCases, referenceOf } from '../../src/core/grading/prepare.js';
import { toPlainOutput } from '../../src/core/grading/read-back.js';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { listBuiltinPackIds } from '../../src/core/packs/packs.js';
import { materializeArgs } from '../../src/sandbox/wire.js';
import { exerciseFolders, loadExercise } from '../helpers/exercises.js';

const fixtureFile = path.join(import.meta.dirname, '../fixtures/pytorch/lesson-snippets.json');
/** The seed of the case the lessons' code blocks run on; scripts/pytorch/dump-first-cases.mjs uses the same. */
const seed = 7;

interface Section {
  heading: string;
  body: string;
}

/** A lesson's `## ` sections in order, each with the text up to the next one. */
function sections(lesson: string): Section[] {
  return lesson
    .split(/^## /m)
    .slice(1)
    .map((part) => {
      const newline = part.indexOf('\n');
      return { heading: part.slice(0, newline).trim(), body: part.slice(newline + 1) };
    });
}

interface CodeBlock {
  language: string;
  code: string;
}

const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;

/** The fenced code blocks of a Markdown text, in order. */
function codeBlocks(text: string): CodeBlock[] {
  return [...text.matchAll(fence)].map((m) => ({ language: m[1], code: m[2] }));
}

/** The paragraphs of a Markdown text outside its code blocks. */
function prose(text: string): string[] {
  return text
    .replace(fence, '')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

function inPracticeHeading(id: string): string {
  return id.startsWith('tokenization/') ? 'In practice: tiktoken and Hugging Face tokenizers' : 'In practice: PyTorch and TensorFlow.js';
}

function lessonOf(id: string, packId = 'transformer-core'): string {
  return readFileSync(path.join(builtinPacksDir, packId, id, 'lesson.md'), 'utf8');
}

/** The code of the lesson's In practice block in `language`. */
function practiceBlock(id: string, language: 'python' | 'js', packId = 'transformer-core'): string {
  const last = sections(lessonOf(id, packId)).at(-1)!;
  const block = codeBlocks(last.body).find((b) => b.language === language);
  if (!block) throw new Error(`${id}: no \`\`\`${language} block in its last section`);
  return block.code;
}

/** The first case of an exercise (seed 7): its arguments, freshly materialised (a read-once list can be read once), with their names. */
async function firstCase(id: string, packId = 'transformer-core') {
  const { ref, definition, ctx } = await loadExercise(id, packId);
  const [first] = buildCases(ref, definition, seed);
  const args = () => materializeArgs(first.args);
  const expected = await toPlainOutput(ctx, () => referenceOf(definition)(ctx, ...args()));
  return { ctx, args, names: argumentNames(definition.signature, first.args.length), expected };
}

/**
 * Runs a lesson's ```js block with the arguments bound to their names and
 * `tf`; returns its `result`. The block may `await import()` a package the
 * tutor depends on (js-tiktoken), resolved as from this file.
 */
async function runJsBlock(code: string, tf: unknown, names: string[], args: unknown[]): Promise<unknown> {
  const source = `(async (tf, ${names.join(', ')}) => {\n${code}\nreturn result;\n})`;
  const script = new vm.Script(source, { filename: fileURLToPath(import.meta.url), importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const run = script.runInThisContext() as (...values: unknown[]) => Promise<unknown>;
  return run(tf, ...args);
}

/**
 * Expects `got` to match `want`: numbers within the exercises' tolerance
 * (|got − want| ≤ 1e-5 + 1e-4·|want|), everything else exactly, through
 * arrays and objects.
 */
function expectAgrees(got: unknown, want: unknown, where = 'result'): void {
  if (typeof want === 'number' && !Number.isFinite(want)) {
    // NaN, or an infinity such as a masked score: the same one.
    expect(got, where).toBe(want);
  } else if (typeof want === 'number' && !Number.isInteger(want)) {
    expect(typeof got, where).toBe('number');
    expect(Math.abs((got as number) - want), `${where}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want));
  } else if (Array.isArray(want)) {
    expect(Array.isArray(got), `${where} is an array`).toBe(true);
    expect((got as unknown[]).length, `${where} length`).toBe(want.length);
    want.forEach((w, i) => expectAgrees((got as unknown[])[i], w, `${where}[${i}]`));
  } else if (want !== null && typeof want === 'object') {
    expect(Object.keys(got as object).sort(), `${where} keys`).toEqual(Object.keys(want).sort());
    for (const [key, w] of Object.entries(want)) expectAgrees((got as Record<string, unknown>)[key], w, `${where}.${key}`);
  } else if (typeof want === 'number' && typeof got === 'number') {
    // An integer the reference computed in float32 (a count, a matrix entry): exact where the snippet's arithmetic is too.
    expect(Math.abs(got - want), `${where}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want));
  } else {
    expect(got, where).toEqual(want);
  }
}

/** A fixture key's pack and exercise id: `training/norms/layer-norm` → ['training', 'norms/layer-norm']. */
const splitKey = (key: string): [string, string] => [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
/** Every lesson of every built-in pack, as `[packId, id]`. */
const lessons = (await listBuiltinPackIds()).flatMap((packId) => exerciseFolders(path.join(builtinPacksDir, packId)).map((id) => [packId, id]));

describe('every lesson ends with In practice', () => {
  describe.each(lessons)('%s: %s', (packId, id) => {
    test('the section is last, after What it is for: a sentence, one python and one js block, then What differs', () => {
      const all = sections(lessonOf(id, packId));
      expect(all.at(-1)!.heading).toBe(inPracticeHeading(id));
      expect(all.at(-2)!.heading).toBe('What it is for');
      const { body } = all.at(-1)!;
      expect(codeBlocks(body).map((b) => b.language)).toEqual(['python', 'js']);
      const paragraphs = prose(body);
      expect(paragraphs).toHaveLength(2);
      expect(body.trimStart().startsWith(paragraphs[0]), 'the section opens with its sentence').toBe(true);
      expect(paragraphs[0]).toMatch(/^\S.*\.$/s);
      expect(body.trimEnd().endsWith(paragraphs[1]), 'What differs comes after the code').toBe(true);
      expect(paragraphs[1]).toMatch(/^\*\*What differs\.\*\* \S/);
    });

    test('its code fits the terminal and assigns result', () => {
      const [python, js] = codeBlocks(sections(lessonOf(id, packId)).at(-1)!.body);
      for (const block of [python, js]) {
        for (const line of block.code.split('\n')) expect([...line].length, `${block.language}: ${line}`).toBeLessThanOrEqual(76);
      }
      expect(python.code).toMatch(/^result = /m);
      expect(js.code).toMatch(/^const result = /m);
    });

    test("the js block gives the reference's output on the first case", async () => {
      const { ctx, args, names, expected } = await firstCase(id, packId);
      const got = await toPlainOutput(ctx, () => runJsBlock(practiceBlock(id, 'js', packId), ctx.tf, names, args()));
      expectAgrees(got, expected);
    });
  });
});

interface SnippetFixture {
  torch: string;
  /** PyTorch functions the script stood in for, by their documented equivalent, because the installed torch lacks them. */
  shims: string[];
  /** The python block each result came from, so that an edited block asks for the script to run again. */
  blocks: Record<string, string>;
  results: Record<string, unknown>;
  skipped: Record<string, string>;
}

describe('the python blocks, as run by scripts/pytorch/lesson-snippets.py', () => {
  // NaN and ±Infinity are written as strings, as every JSON of the tutor writes them.
  const nonFinite: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
  const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8'), (_key, v) => (typeof v === 'string' && v in nonFinite ? nonFinite[v] : v)) as SnippetFixture;
  const rerun = 'run `npm run build && node scripts/pytorch/dump-first-cases.mjs && python3 scripts/pytorch/lesson-snippets.py`';

  /** Every lesson as the fixture names it: `<pack id>/<exercise id>`. */
  const keys = lessons.map(([packId, id]) => `${packId}/${id}`);
  const blockOf = (key: string) => {
    const [packId, id] = splitKey(key);
    return practiceBlock(id, 'python', packId);
  };
  /** Blocks that call an op Debian's PyTorch (1.13) has no CPU kernel for: the script skips them, saying why. */
  const noCpuKernel = ['training/optim/loss-scaling'];

  test('every lesson was run, except those that need tiktoken or Hugging Face tokenizers, or an op the installed PyTorch lacks', () => {
    expect([...Object.keys(fixture.results), ...Object.keys(fixture.skipped)].sort(), rerun).toEqual([...keys].sort());
    const needTokenizers = keys.filter((key) => /^(import|from) (tiktoken|tokenizers)\b/m.test(blockOf(key)));
    expect(Object.keys(fixture.skipped).sort()).toEqual([...needTokenizers, ...noCpuKernel].sort());
    for (const key of needTokenizers) expect(fixture.skipped[key]).toMatch(/tiktoken|tokenizers/);
    for (const key of noCpuKernel) expect(fixture.skipped[key]).toMatch(/no CPU kernel in this PyTorch: checked against/);
  });

  describe.each(Object.keys(fixture.results))('%s', (key) => {
    test("its python block gave the reference's output on the first case", async () => {
      expect(fixture.blocks[key], `the lesson's python block changed since the fixture was written: ${rerun}`).toBe(blockOf(key));
      const [packId, id] = splitKey(key);
      const { expected } = await firstCase(id, packId);
      expectAgrees(fixture.results[key], expected);
    });
  });
});

describe('numbers the In practice sections state', () => {
  test("bpe-train: tiktoken's learned tokens aa, aaa, aaab are the bytes of the merges [97, 97], [256, 97], [257, 98] of the lesson's text", async () => {
    const { expected } = await firstCase('tokenization/bpe-train');
    expect(expected).toEqual([
      [97, 97],
      [256, 97],
      [257, 98],
    ]);
    const bytes: number[][] = Array.from({ length: 256 }, (_, i) => [i]);
    for (const [left, right] of expected as [number, number][]) bytes.push([...bytes[left], ...bytes[right]]);
    expect(bytes.slice(256).map((b) => String.fromCharCode(...b))).toEqual(['aa', 'aaa', 'aaab']);
    expect(practiceBlock('tokenization/bpe-train', 'python')).toContain('result = sorted(ranks, key=ranks.get)[256:]');
  });

  test('gpt2-encode: <|endoftext|> is id 50256 in GPT-2 as js-tiktoken ships it', async () => {
    const { Tiktoken } = await import('js-tiktoken/lite');
    const { default: gpt2 } = await import('js-tiktoken/ranks/gpt2');
    const encoding = new Tiktoken(gpt2);
    expect(encoding.encode('<|endoftext|>', ['<|endoftext|>'])).toEqual([50256]);
    expect(() => encoding.encode('<|endoftext|>')).toThrow(/special token/);
  });
});
