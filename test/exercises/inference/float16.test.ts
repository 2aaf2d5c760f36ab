import { describe, expect, test } from 'vitest';
import { bfloat16, float16, roundTo } from '../../../exercises/inference/quant/float16/exercise.js';
import { roundToBfloat16, roundToFloat16 } from '../../../exercises/inference/quant/float16/solution.js';
import { computeExample } from '../../../src/commands/example.js';
import { Rng } from '../../../src/core/authoring/rng.js';
import { signatureOf } from '../../../src/core/authoring/exercise.js';
import { diagnoseEachMisconception, gradeLearnerSource, loadExercise, solutionWith } from '../../helpers/exercises.js';
import { expectPropertyBroken, expectSolutionHolds } from '../../helpers/properties.js';

const id = 'quant/float16';
const qualified = `inference/${id}`;
const grade = (source: string, seed = 7) => gradeLearnerSource(id, { [`${id}.ts`]: source }, seed, 'inference');

/** float32 → float16 as conversion code does it on the bits (round to nearest even), written out for every finite float32 in float16's range. */
function float16FromFloat32Bits(x: number): number {
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0];
  const sign = bits >>> 31 ? -1 : 1;
  const exponent = ((bits >>> 23) & 0xff) - 127;
  const mantissa = (bits & 0x7fffff) | (exponent === -127 ? 0 : 0x800000);
  if (mantissa === 0) return sign * 0;
  // Keep the bits above float16's last place, which is 2^-24 below its normal range: shift = 23 − 10 there, more below.
  const shift = 13 + Math.max(0, -14 - exponent);
  if (shift > 24) return sign * 0;
  const kept = Math.floor(mantissa / 2 ** shift);
  const rest = mantissa - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  const units = rest > half || (rest === half && kept % 2 === 1) ? kept + 1 : kept;
  // units counts float16's last places: 2^(exponent − 10) in the normal range, 2^-24 below it.
  const value = units * 2 ** (Math.max(exponent, -14) - 10);
  return sign * (value >= 65520 ? Infinity : value);
}

/** float32 → bfloat16 as c10/util/BFloat16.h's round_to_nearest_even: add 0x7FFF plus the lowest kept bit, keep the upper 16 bits. */
function bfloat16FromFloat32Bits(x: number): number {
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0];
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
  return new Float32Array(new Uint32Array([(rounded << 16) >>> 0]).buffer)[0];
}

/** A float32 spread over the binades 2^lo … 2^hi, either sign. */
const randomFloat32 = (rng: Rng, lo: number, hi: number) => Math.fround((rng.next() < 0.5 ? -1 : 1) * 2 ** (lo + rng.next() * (hi - lo)));

describe(id, () => {
  test('the lesson example by hand: 0.1 is 1638·2⁻¹⁴ in float16 (bits 0x2E66) and 205·2⁻¹¹ in bfloat16', () => {
    expect(roundTo(float16, 0.1)).toBe(1638 * 2 ** -14);
    expect(roundTo(float16, 0.1)).toBe(0.0999755859375);
    expect(roundTo(bfloat16, 0.1)).toBe(0.10009765625);
    // 0x2E66: exponent field 11 (−4 + 15), mantissa 614 (1638 − 1024).
    expect((11 << 10) | 614).toBe(0x2e66);
  });

  test('the lesson table: 1/3, π, 1000.3, 70000 and 1e-5 in both formats', () => {
    const rows: [number, number, number][] = [
      [1 / 3, 0.333251953125, 0.333984375],
      [Math.PI, 3.140625, 3.140625],
      [1000.3, 1000.5, 1000],
      [70000, Infinity, 70144],
      [1e-5, 168 * 2 ** -24, 168 * 2 ** -24],
    ];
    for (const [x, half, brain] of rows) {
      expect(roundTo(float16, x), `float16(${x})`).toBe(half);
      expect(roundTo(bfloat16, x), `bfloat16(${x})`).toBe(brain);
    }
  });

  test('float16 agrees with the conversion on float32 bits, on 20 000 float32 inputs across the range, subnormals and overflow included', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 20_000; i++) {
      const x = randomFloat32(rng, -26, 16.2);
      expect(roundTo(float16, x), String(x)).toBe(float16FromFloat32Bits(x));
    }
  });

  test('bfloat16 agrees with c10\'s round_to_nearest_even on 20 000 float32 inputs, subnormals included', () => {
    const rng = new Rng(6);
    for (let i = 0; i < 20_000; i++) {
      const x = randomFloat32(rng, -140, 127.9);
      expect(roundTo(bfloat16, x), String(x)).toBe(bfloat16FromFloat32Bits(x));
    }
  });

  test('the model solution agrees with the reference on 10 000 float64 inputs of each format', () => {
    const rng = new Rng(8);
    for (let i = 0; i < 10_000; i++) {
      const x = (rng.next() < 0.5 ? -1 : 1) * 2 ** (-30 + rng.next() * 47);
      expect(roundToFloat16(x)).toBe(roundTo(float16, x));
      const y = (rng.next() < 0.5 ? -1 : 1) * 2 ** (-136 + rng.next() * 264);
      expect(roundToBfloat16(y)).toBe(roundTo(bfloat16, y));
    }
  });

  test('each misconception\'s numbers as the Pitfalls give them', () => {
    expect(roundTo(float16, 1000.3, 'toward-zero')).toBe(1000);
    expect(roundTo(float16, 1 + 3 * 2 ** -11, 'toward-zero')).toBe(1 + 2 ** -10);
    expect(roundTo(float16, 1 + 2 ** -11, 'ties-away')).toBe(1 + 2 ** -10);
    expect(roundTo(float16, 2049, 'ties-away')).toBe(2050);
    expect(roundTo(float16, 2049)).toBe(2048);
    expect(roundTo(float16, 1e-5, 'flush-subnormals')).toBe(0);
    expect(roundTo(float16, 65519, 'overflow-past-max')).toBe(Infinity);
    expect(roundTo(float16, 65519)).toBe(65504);
    expect(roundTo(float16, 65520)).toBe(Infinity);
  });

  test('every misconception fails and is diagnosed as itself (seeds 7 and 99)', async () => {
    for (const seed of [7, 99]) {
      for (const r of await diagnoseEachMisconception(id, seed, 'inference')) {
        expect(r.failingCases, r.id).toBeGreaterThan(0);
        expect(r.diagnosed, r.id).toBe(r.id);
      }
    }
  });
});

describe('an exercise of two exports, graded', () => {
  test('the cases call each export: a roundToBfloat16 that rounds to float16 fails only the bfloat16 cases, traced in bfloat16', async () => {
    const source = await solutionWith(qualified, ['return roundToFormat(x, 8, -126, (2 - 2 ** -8) * 2 ** 127);', 'return roundToFormat(x, 11, -14, 65520);']);
    const verdict = await grade(source);
    expect(verdict.status).toBe('fail');
    const failing = verdict.cases.filter((c) => c.status !== 'pass').map((c) => c.name);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((name) => name.startsWith('bfloat16: '))).toBe(true);
    expect(verdict.cases.filter((c) => c.name.startsWith('float16: ')).every((c) => c.status === 'pass')).toBe(true);
    const first = verdict.cases[verdict.firstFailure!];
    expect(JSON.stringify(first.trace?.find((t) => t.name === 'format')?.value)).toContain('bfloat16');
  });

  test('a file without the second export gets one line naming it, with its signature', async () => {
    const source = (await solutionWith(qualified)).replace('export function roundToBfloat16', 'function roundToBfloat16');
    const verdict = await grade(source);
    expect(verdict.status).toBe('error');
    expect(verdict.error?.kind).toBe('missing-export');
    expect(verdict.error?.message).toBe('Your file does not export a function named roundToBfloat16. It exports: roundToFloat16. Expected: export function roundToBfloat16(x: number): number');
  });

  test('truncation in both exports is diagnosed in full', async () => {
    const source = await solutionWith(qualified, ['const units = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;', 'const units = floor;']);
    const verdict = await grade(source);
    expect(verdict.diagnosis).toMatchObject({ misconceptionId: 'truncation', confidence: 'full' });
  });

  test('check yourself: the solution holds both properties; a rounding that flushes subnormals breaks the first', async () => {
    await expectSolutionHolds(id, { 'every float16 number rounds to itself': 1, 'rounding keeps the order of numbers': 1 }, 'inference');
    const flush = await solutionWith(qualified, ['if (!Number.isFinite(x) || x === 0) return x;', 'if (!Number.isFinite(x) || x === 0) return x;\n  if (Math.abs(x) < 2 ** minExponent) return 0;']);
    await expectPropertyBroken(id, flush, 'every float16 number rounds to itself', /is a float16 number \(its own nearest\), yet roundToFloat16 returned 0/, 'inference');
  });

  test('example shows the signature of the export a case calls', async () => {
    const { ref, definition } = await loadExercise(qualified);
    const bfCase = (await import('../../../src/core/grading/prepare.js')).buildCases(ref, definition, 7).findIndex((c) => c.entry === 'roundToBfloat16');
    expect(bfCase).toBeGreaterThan(0);
    const example = await computeExample(ref, 7, undefined, String(bfCase + 1));
    expect(example.chosen.entry).toBe('roundToBfloat16');
    expect(signatureOf(definition, example.chosen.entry)).toBe('roundToBfloat16(x: number): number');
    expect(signatureOf(definition, undefined)).toBe('roundToFloat16(x: number): number');
    expect(example.expected).toBe(roundTo(bfloat16, example.chosen.args[0] as number));
  });
});
