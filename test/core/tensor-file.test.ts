import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readTensorFile, writeTensorFile } from '../../src/pack-api.js';
import { UserError } from '../../src/errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-tensor-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A safetensors file assembled byte by byte: the header length (u64 LE), the header text, then `data`. */
function handMade(header: string, data: number[]): string {
  const file = path.join(dir, `t${files++}.safetensors`);
  const text = Buffer.from(header, 'utf8');
  const bytes = [...u64(text.length), ...text, ...data];
  writeFileSync(file, Uint8Array.from(bytes));
  return file;
}
function u64(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff, 0, 0, 0, 0];
}
function readFileBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}
/** The IEEE 754 bytes of some float32 values, little-endian, spelled out. */
const ONE = [0x00, 0x00, 0x80, 0x3f]; // 1.0
const MINUS_TWO = [0x00, 0x00, 0x00, 0xc0]; // -2.0
const HALF = [0x00, 0x00, 0x00, 0x3f]; // 0.5
const THREE = [0x00, 0x00, 0x40, 0x40]; // 3.0

describe('readTensorFile', () => {
  test('reads tensors from hand-assembled bytes, metadata and padding included', () => {
    const header = '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[4,20]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}  ';
    const file = handMade(header, [...THREE, ...ONE, ...MINUS_TWO, ...HALF, ...THREE]);
    const tensors = readTensorFile(file);
    expect(Object.keys(tensors).sort()).toEqual(['b', 'w']);
    expect(tensors.w.shape).toEqual([2, 2]);
    expect([...tensors.w.data]).toEqual([1, -2, 0.5, 3]);
    expect([...tensors.b.data]).toEqual([3]);
    // Each tensor has its own buffer: sending one sends only its elements.
    expect(tensors.w.data.buffer.byteLength).toBe(16);
    expect(tensors.w.data.byteOffset).toBe(0);
  });

  test('a scalar (shape []) and an empty tensor', () => {
    const file = handMade('{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}}', [...HALF]);
    const tensors = readTensorFile(file);
    expect([...tensors.s.data]).toEqual([0.5]);
    expect(tensors.e.shape).toEqual([0, 3]);
    expect(tensors.e.data.length).toBe(0);
  });

  test('reads what writeTensorFile wrote', () => {
    const file = path.join(dir, 'round-trip.safetensors');
    const w = Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1);
    writeTensorFile(file, { w: { shape: [3, 4], data: w }, bias: { shape: [4], data: new Float32Array([1, 2, 3, 4]) } }, { note: 'test' });
    const tensors = readTensorFile(file);
    expect(tensors.w.shape).toEqual([3, 4]);
    expect([...tensors.w.data]).toEqual([...w]);
    expect([...tensors.bias.data]).toEqual([1, 2, 3, 4]);
  });

  test('the writer pads its header to 8 bytes and lays tensors out in order', () => {
    const file = path.join(dir, 'layout.safetensors');
    writeTensorFile(file, { a: { shape: [1], data: new Float32Array([1]) } });
    const bytes = readFileBytes(file);
    const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(length % 8).toBe(0);
    expect(JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8'))).toEqual({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    expect([...bytes.subarray(8 + length)]).toEqual(ONE);
  });

  const tensor = (entry: string) => `{"x":${entry}}`;
  test.each([
    ['another dtype', tensor('{"dtype":"F16","shape":[2],"data_offsets":[0,4]}'), [...ONE], /tensor "x" has dtype "F16"; only F32/],
    ['offsets past the data', tensor('{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'), [...ONE], /data_offsets \[0, 8\] outside the file's 4 bytes of data/],
    ['a size that is not 4 × the shape', tensor('{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}'), [...ONE, ...ONE], /holds 8 bytes, but shape \[2, 2\] of float32 needs 16/],
    ['misaligned data', tensor('{"dtype":"F32","shape":[1],"data_offsets":[2,6]}'), [0, 0, ...ONE, 0, 0], /starts at byte 2 of the data, not a multiple of 4/],
    ['begin after end', tensor('{"dtype":"F32","shape":[0],"data_offsets":[4,0]}'), [...ONE], /no valid data_offsets/],
    ['a bad shape', tensor('{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}'), [...ONE], /no valid shape/],
    ['a header that is not JSON', '{"x":', [], /header is not valid JSON/],
    ['a header that is a list', '[1]', [], /header is not a JSON object/],
  ])('refuses %s, naming the file', (_, header, data, message) => {
    const file = handMade(header, data);
    expect(() => readTensorFile(file)).toThrow(UserError);
    expect(() => readTensorFile(file)).toThrow(message);
    expect(() => readTensorFile(file)).toThrow(file);
  });

  test('refuses overlapping tensors', () => {
    const file = handMade('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', [...ONE, ...ONE, ...ONE]);
    expect(() => readTensorFile(file)).toThrow(/tensors "a" and "b" overlap/);
  });

  test('refuses a header over 1 MiB without reading it', () => {
    const file = path.join(dir, 'huge-header.safetensors');
    writeFileSync(file, Uint8Array.from([...u64(1024 * 1024 + 1), 0x7b, 0x7d]));
    expect(() => readTensorFile(file)).toThrow(/header is 1048577 bytes long \(the limit is 1048576, 1 MiB\)/);
  });

  test('refuses a header longer than the file, a file too short and a missing file', () => {
    const longer = path.join(dir, 'long-header.safetensors');
    writeFileSync(longer, Uint8Array.from([...u64(100), 0x7b, 0x7d]));
    expect(() => readTensorFile(longer)).toThrow(/header is 100 bytes long, past the end of the file \(10 bytes\)/);
    const short = path.join(dir, 'short.safetensors');
    writeFileSync(short, Uint8Array.from([1, 2, 3]));
    expect(() => readTensorFile(short)).toThrow(/3 bytes long, too short/);
    expect(() => readTensorFile(path.join(dir, 'none.safetensors'))).toThrow(/cannot be read \(ENOENT\)/);
  });
});

describe('writeTensorFile', () => {
  test('refuses data that does not fit the shape', () => {
    expect(() => writeTensorFile(path.join(dir, 'bad.safetensors'), { w: { shape: [2, 3], data: new Float32Array(5) } })).toThrow(/tensor "w" has 5 elements, which does not fit shape \[2,3\]/);
  });
});
