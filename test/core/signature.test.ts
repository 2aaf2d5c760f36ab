import { describe, expect, test } from 'vitest';
import { argumentNames, parseSignature } from '../../src/core/authoring/signature.js';
import { builtinExercises } from '../helpers/exercises.js';
import { loadDefinition } from '../../src/core/packs/definitions.js';

const names = (signature: string) => parseSignature(signature)?.parameters.map((p) => p.name);

describe('parseSignature', () => {
  test('every built-in signature parses to the names of its parameters', async () => {
    const expected: Record<string, string[]> = {
      'foundations/matmul': ['a', 'b'],
      'foundations/softmax': ['x'],
      'foundations/cross-entropy': ['logits', 'targets'],
      'attention/scaled-dot-product': ['q', 'k', 'v'],
      'attention/causal-mask': ['q', 'k', 'v'],
      'attention/padding-mask': ['q', 'k', 'v', 'mask'],
      'attention/multi-head': ['x', 'w', 'numHeads'],
      'attention/kv-cache': ['cache', 'q', 'k', 'v'],
      'attention/grouped-query': ['q', 'k', 'v'],
      'attention/online-softmax': ['q', 'blocks'],
      'attention/llama-decode-step': ['x', 'cache', 'params'],
      'positions/sinusoidal': ['seqLen', 'd'],
      'positions/rope-frequencies': ['d', 'base'],
      'positions/rope': ['x', 'positions', 'base'],
      'positions/rope-half-split': ['x', 'positions', 'base'],
      'positions/rope-relative': ['q', 'k', 'm', 'n', 'base'],
      'positions/rope-scaling': ['d', 'base', 'factor', 'method'],
      'positions/alibi': ['heads', 'n'],
      'tokenization/bpe-train': ['text', 'vocabSize'],
      'tokenization/bpe-encode': ['text', 'merges'],
      'tokenization/bpe-decode': ['ids', 'merges'],
      'tokenization/gpt2-pretokenize': ['text'],
      'tokenization/gpt2-encode': ['text', 'bpe'],
      'tokenization/bpe-on-real-text': ['train', 'heldOut', 'numMerges'],
      'lora/forward': ['x', 'w0', 'a', 'b', 'alpha'],
      'lora/merge': ['w0', 'a', 'b', 'alpha'],
      'lora/param-count': ['cfg'],
      'lora/nf4-quantize': ['w', 'blockSize'],
      'lora/qlora-forward': ['x', 'base', 'a', 'b', 'alpha'],
    };
    const refs = await builtinExercises();
    expect(refs.map((r) => r.id).sort()).toEqual(Object.keys(expected).sort());
    for (const ref of refs) {
      const definition = await loadDefinition(ref);
      expect({ id: ref.id, names: names(definition.signature) }).toEqual({ id: ref.id, names: expected[ref.id] });
      expect(parseSignature(definition.signature)?.entry).toBe(definition.entry);
    }
  });

  test('types with nested brackets, unions of strings, arrows and generics stay inside their parameter', () => {
    expect(parseSignature('f(a: Record<string, [number, number]>, b: "x, y" | \'z)\', c: (p: number, q: number) => number): void')?.parameters).toEqual([
      { name: 'a', type: 'Record<string, [number, number]>', optional: false, rest: false },
      { name: 'b', type: '"x, y" | \'z)\'', optional: false, rest: false },
      { name: 'c', type: '(p: number, q: number) => number', optional: false, rest: false },
    ]);
  });

  test('generic functions, default values, optional, destructured and rest parameters', () => {
    const parsed = parseSignature('pick<T extends Array<number>, K = string>(xs: T, n = 3, k?: K, { a, b }: { a: number; b: number } = { a: 1, b: 2 }, [p, q]: [number, number], ...more: T[]): T');
    expect(parsed?.entry).toBe('pick');
    expect(parsed?.parameters).toEqual([
      { name: 'xs', type: 'T', optional: false, rest: false },
      { name: 'n', type: undefined, optional: true, rest: false },
      { name: 'k', type: 'K', optional: true, rest: false },
      { name: '{ a, b }', type: '{ a: number; b: number }', optional: true, rest: false },
      { name: '[p, q]', type: '[number, number]', optional: false, rest: false },
      { name: 'more', type: 'T[]', optional: false, rest: true },
    ]);
  });

  test('an `export function` prefix, no parameters and no return type are accepted', () => {
    expect(parseSignature('export function relu(x: Vector): Vector')?.entry).toBe('relu');
    expect(parseSignature('now()')?.parameters).toEqual([]);
    expect(names('g(a: number, b: number,)')).toEqual(['a', 'b']);
  });

  test('what does not read as a signature is undefined', () => {
    for (const bad of ['', 'softmax', 'softmax(x: Vector', 'f(x: [number, number): T', 'f(1: number)', 'f(x y)', 'f(x:)', 'f(x) g', '(x: number) => number']) {
      expect({ bad, parsed: parseSignature(bad) }).toEqual({ bad, parsed: undefined });
    }
  });
});

describe('argumentNames', () => {
  test('one name per argument: a rest parameter indexed, arg1… where the signature does not name one', () => {
    expect(argumentNames('f(a: number, ...xs: number[]): void', 4)).toEqual(['a', 'xs[0]', 'xs[1]', 'xs[2]']);
    expect(argumentNames('f(a: number): void', 3)).toEqual(['a', 'arg2', 'arg3']);
    expect(argumentNames('not a signature', 2)).toEqual(['arg1', 'arg2']);
  });
});
