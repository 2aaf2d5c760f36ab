import v8 from 'node:v8';
import { describe, expect, test } from 'vitest';
import { matrixOf, rowsOf, readOnce } from '../../src/pack-api.js';
import { deepFreeze } from '../../src/core/grading/grade.js';
import { encodeFrameParts } from '../../src/sandbox/channel.js';
import { applyCarry, describeTensorArg, isRowsArg, isTensorArg, materializeArgs, MARKER, readChildValue, type Carry } from '../../src/sandbox/wire.js';

describe('materializeArgs', () => {
  test('a row-view marker becomes views into its Float32Array, without a copy', () => {
    const data = Float32Array.from({ length: 6 }, (_, i) => i);
    const [w] = materializeArgs([rowsOf(data, 2, 3)]) as [Float32Array[]];
    expect(w).toHaveLength(2);
    expect([...w[1]]).toEqual([3, 4, 5]);
    expect(w[1][2]).toBe(5);
    expect(w[0].buffer).toBe(data.buffer);
  });

  test('markers nested in plain objects and arrays are replaced on copies; the frozen arguments stay as they were', () => {
    const args = deepFreeze([{ layers: [{ w: rowsOf(new Float32Array(4), 2, 2), name: 'a' }] }, readOnce([1, 2]), new Float32Array([7])]);
    const got = materializeArgs(args) as [{ layers: { w: Float32Array[]; name: string }[] }, Iterable<number>, Float32Array];
    expect(got[0].layers[0].w).toHaveLength(2);
    expect(got[0].layers[0].name).toBe('a');
    expect([...got[1]]).toEqual([1, 2]);
    expect(() => [...got[1]]).toThrow(/read only once/);
    expect(got[2]).toBe(args[2]);
    expect(isRowsArg((args[0] as { layers: { w: unknown }[] }).layers[0].w)).toBe(true);
    // Copies of frozen containers are frozen too: read-only inputs stay read-only.
    expect(Object.isFrozen(got[0])).toBe(true);
    expect(Object.isFrozen(got[0].layers[0].w)).toBe(true);
  });

  test('arguments without markers come back as they are', () => {
    const args = [[1, 2, 3], { a: 'x' }, new Float32Array(2)];
    expect(materializeArgs(args)).toBe(args);
  });

  test('rowsOf refuses a shape that does not fit', () => {
    expect(() => rowsOf(new Float32Array(5), 2, 3)).toThrow(/2 rows × 3 columns do not fit a Float32Array of 5 elements/);
  });

  test('a view into a larger buffer goes over the channel as its own elements only', () => {
    const big = Float32Array.from({ length: 100_000 }, (_, i) => i);
    const marker = rowsOf(big.subarray(10, 16), 2, 3);
    const frame = encodeFrameParts({ cases: [[marker]] })[1];
    expect(frame.length).toBeLessThan(200);
    const [w] = materializeArgs([(v8.deserialize(frame) as { cases: unknown[][] }).cases[0][0]]) as [Float32Array[]];
    expect(w.map((row) => [...row])).toEqual([
      [10, 11, 12],
      [13, 14, 15],
    ]);
  });

  test('previews name typed arrays and row views', () => {
    expect(isTensorArg(new Float32Array(1_000_000))).toBe(true);
    expect(isTensorArg([1, 2])).toBe(false);
    expect(describeTensorArg(new Float32Array(1_000_000))).toBe('Float32Array(1000000)');
    expect(describeTensorArg(rowsOf(new Float32Array(6), 2, 3))).toBe('2 rows × 3 of Float32Array(6)');
    expect(describeTensorArg(matrixOf(new Float32Array(6), 2, 3))).toBe('number[2][3], sent as float32 (24 bytes)');
  });
});

describe('applyCarry', () => {
  const carry = (from: Carry['from'], to: Carry['to']): Carry[] => [{ from, to }];

  test('puts a value from the output into an argument, a path into objects and arrays on both sides', () => {
    const template = deepFreeze([{ lr: 0.1, state: { m: [0, 0] } }, [1, 2]]);
    const previous = { params: [{ m: [5, 6] }], loss: 3 };
    const got = applyCarry(template, previous, carry(['params', 0, 'm'], [0, 'state', 'm']));
    expect(got).toEqual({ ok: true, args: [{ lr: 0.1, state: { m: [5, 6] } }, [1, 2]] });
    // The template is untouched, and what is not on the path is shared.
    expect(template[0]).toEqual({ lr: 0.1, state: { m: [0, 0] } });
    expect(got.ok && got.args[1]).toBe(template[1]);
  });

  test('the whole output, into an argument or an element of one, and several carries', () => {
    expect(applyCarry([0, 1], 41, carry([], [0]))).toEqual({ ok: true, args: [41, 1] });
    expect(applyCarry(deepFreeze([[0, 0, 0]]), 9, carry([], [0, 2]))).toEqual({ ok: true, args: [[0, 0, 9]] });
    const two: Carry[] = [
      { from: ['a'], to: [0] },
      { from: ['b'], to: [1, 'x'] },
    ];
    expect(applyCarry(deepFreeze([0, { x: 0, y: 1 }]), { a: 'A', b: 'B' }, two)).toEqual({ ok: true, args: ['A', { x: 'B', y: 1 }] });
  });

  test('the last step of `to` may add a key to an object', () => {
    expect(applyCarry([{}], 3, carry([], [0, 'state']))).toEqual({ ok: true, args: [{ state: 3 }] });
  });

  test.each([
    ['a key the output lacks', { state: 1 }, ['params'], 'the previous output has no .params'],
    ['an index past the end', { xs: [1] }, ['xs', 3], 'the previous output has no .xs[3]'],
    ['a key into an array', { xs: [1] }, ['xs', '0'], 'the previous output has no .xs.0'],
    ['an index into an object', { xs: { 0: 1 } }, ['xs', 0], 'the previous output has no .xs[0]'],
    ['a path through a number', { xs: 1 }, ['xs', 'y'], 'the previous output has no .xs.y'],
    ['a key inherited, not own', { xs: {} }, ['xs', 'toString'], 'the previous output has no .xs.toString'],
    ['undefined where the value is', { state: { [MARKER]: 'undefined' } }, ['state'], 'the previous output.state is undefined'],
    ['a marker on the way', { [MARKER]: 'undefined' }, ['state'], 'the previous output is undefined'],
    ['a marker inside the value', { state: { w: { [MARKER]: 'typed', type: 'Float32Array', values: [1] } } }, ['state'], 'the previous output.state holds a Float32Array'],
  ])('not ok for %s', (_, previous, from, missing) => {
    expect(applyCarry([0], previous, carry(from as Carry['from'], [0]))).toEqual({ ok: false, missing });
  });

  test('not ok when the template has no such place', () => {
    expect(applyCarry([0], 1, carry([], [3]))).toEqual({ ok: false, missing: 'the case has no place [3] for the carried value' });
    expect(applyCarry([{ a: 1 }], 1, carry([], [0, 'b', 'c']))).toEqual({ ok: false, missing: 'the case has no place [0].b.c for the carried value' });
    expect(applyCarry([0], 1, [{ from: [], to: [] as unknown as Carry['to'] }])).toEqual({ ok: false, missing: 'the carry names no argument to put the value in' });
  });

  test('a "__proto__" key is carried as a key, never as a prototype', () => {
    const previous = readChildValue(JSON.parse('{"__proto__": {"polluted": 1}}'));
    const got = applyCarry([{}], previous, carry(['__proto__'], [0, '__proto__']));
    expect(got.ok).toBe(true);
    const arg = (got as { args: Record<string, unknown>[] }).args[0];
    expect(Object.getPrototypeOf(arg)).toBe(Object.prototype);
    expect(Object.keys(arg)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('hasLiveArgs', () => {
  test('finds read-once lists, typed arrays and row views at any depth; plain data is not live', async () => {
    const { hasLiveArgs } = await import('../../src/sandbox/args.js');
    const { readOnce, rowsOf } = await import('../../src/pack-api.js');
    expect(hasLiveArgs([[1, 2], { a: 'x', b: [[3]] }])).toBe(false);
    expect(hasLiveArgs([{ deep: [{ w: new Float32Array(2) }] }])).toBe(true);
    expect(hasLiveArgs([[readOnce([1])]])).toBe(true);
    expect(hasLiveArgs([{ w: rowsOf(new Float32Array(4), 2, 2) }])).toBe(true);
  });

  test('a big frozen container shared by many cases is walked once', async () => {
    const { hasLiveArgs } = await import('../../src/sandbox/args.js');
    const vocab = Object.freeze(Array.from({ length: 50_000 }, (_, i) => Object.freeze([String(i), String(i + 1)])));
    let reads = 0;
    const counted = new Proxy(vocab, { get: (t, k) => (k === 'length' && reads++, Reflect.get(t, k)) });
    Object.freeze(counted);
    for (let i = 0; i < 10; i++) expect(hasLiveArgs(Object.freeze(['text', counted]))).toBe(false);
    expect(reads).toBe(1);
  });
});
