import { defineExercise, type ReferenceContext, type Rng } from 'llm-tutor/pack';

type Args = [x: number];

/** A binary floating-point format as the tables below need it. */
export interface Format {
  name: 'float16' | 'bfloat16';
  /** Bits of the stored mantissa (the leading 1 of a normal number is not stored). */
  mantissaBits: number;
  exponentBits: number;
}

export const float16: Format = { name: 'float16', mantissaBits: 10, exponentBits: 5 };
export const bfloat16: Format = { name: 'bfloat16', mantissaBits: 7, exponentBits: 8 };

/** The value of a non-negative bit pattern of `format` (exponent field all ones excluded: those are Infinity and NaN). */
export function decode(format: Format, bits: number): number {
  const bias = 2 ** (format.exponentBits - 1) - 1;
  const exponent = bits >> format.mantissaBits;
  const mantissa = bits % 2 ** format.mantissaBits;
  const unit = 2 ** -format.mantissaBits;
  return exponent === 0 ? mantissa * unit * 2 ** (1 - bias) : (1 + mantissa * unit) * 2 ** (exponent - bias);
}

/** Every finite non-negative value of a format, by bit pattern: 0, the subnormals, then the normals up to the largest. */
const tables = new Map<string, Float64Array>();
function valuesOf(format: Format): Float64Array {
  let table = tables.get(format.name);
  if (!table) {
    const count = (2 ** format.exponentBits - 1) * 2 ** format.mantissaBits;
    table = Float64Array.from({ length: count }, (_, bits) => decode(format, bits));
    tables.set(format.name, table);
  }
  return table;
}

export type Rounding = 'nearest-even' | 'toward-zero' | 'ties-away' | 'flush-subnormals' | 'overflow-past-max';

/**
 * x rounded to `format` by looking it up among every value of the format:
 * the two neighbours of |x|, the nearer one, a tie to the even bit pattern
 * (a last mantissa bit of 0). Past the largest value, |x| overflows to
 * Infinity when it is at least halfway to the next power of two. The other
 * roundings are the mistakes the misconceptions make.
 */
export function roundTo(format: Format, x: number, rounding: Rounding = 'nearest-even'): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const table = valuesOf(format);
  const a = Math.abs(x);
  const largest = table[table.length - 1];
  const halfwayPastLargest = largest + (largest - table[table.length - 2]) / 2;
  if (rounding === 'overflow-past-max' ? a > largest : a >= halfwayPastLargest) return Math.sign(x) * Infinity;
  if (rounding === 'flush-subnormals' && a < 2 ** (2 - 2 ** (format.exponentBits - 1))) return Math.sign(x) * 0;
  // The last pattern whose value is ≤ a.
  let lo = 0;
  let hi = table.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (table[mid] <= a) lo = mid;
    else hi = mid - 1;
  }
  const below = table[lo];
  if (below === a || lo === table.length - 1) return Math.sign(x) * below;
  const above = table[lo + 1];
  const up = (() => {
    if (rounding === 'toward-zero') return false;
    const d = a - below - (above - a);
    if (d !== 0) return d > 0;
    return rounding === 'ties-away' ? true : lo % 2 === 1;
  })();
  return Math.sign(x) * (up ? above : below);
}

/** The format a case's export rounds to: bfloat16 for roundToBfloat16, float16 for the entry. */
const formatOf = (ctx: ReferenceContext): Format => (ctx.entry === 'roundToBfloat16' ? bfloat16 : float16);

/** A random magnitude spread evenly over the binades from 2^lowest to 2^highest, with a random sign. */
const spread = (rng: Rng, lowest: number, highest: number) => (rng.next() < 0.5 ? -1 : 1) * 2 ** (lowest + rng.next() * (highest - lowest));

type Case = { name: string; args: Args; entry?: string; expected?: number };

function cases(rng: Rng): Case[] {
  const bf = (name: string, x: number, expected?: number): Case => ({ name: `bfloat16: ${name}`, args: [x], entry: 'roundToBfloat16', ...(expected !== undefined ? { expected } : {}) });
  const f16 = (name: string, x: number, expected?: number): Case => ({ name: `float16: ${name}`, args: [x], ...(expected !== undefined ? { expected } : {}) });
  return [
    f16('the lesson example, 0.1', 0.1, 0.0999755859375),
    f16('1/3', 1 / 3, 0.333251953125),
    f16('a tie: 1 + 2⁻¹¹ is halfway between 1 and 1 + 2⁻¹⁰, and goes to 1, the even one', 1 + 2 ** -11, 1),
    f16('a tie that rounds up: 1 + 3·2⁻¹¹ goes to 1 + 2⁻⁹', 1 + 3 * 2 ** -11, 1 + 2 ** -9),
    f16('2049, halfway between 2048 and 2050 (numbers this large are 2 apart)', 2049, 2048),
    f16('1000.3 rounds up to 1000.5', 1000.3, 1000.5),
    f16('65504, the largest float16', 65504, 65504),
    f16('65519 rounds down to 65504', 65519, 65504),
    f16('65520, halfway to 2¹⁶, overflows to Infinity', 65520, Infinity),
    f16('−70000 overflows to −Infinity', -70000, -Infinity),
    f16('2⁻²⁴, the smallest subnormal', 2 ** -24, 2 ** -24),
    f16('2⁻²⁵, halfway between 0 and the smallest subnormal, goes to 0', 2 ** -25, 0),
    f16('1e-5, a subnormal: 168·2⁻²⁴', 1e-5, 168 * 2 ** -24),
    f16('6e-5, just below the smallest normal 2⁻¹⁴', 6e-5, 1007 * 2 ** -24),
    f16('NaN stays NaN', NaN, NaN),
    ...[0, 1, 2, 3, 4].map((i) => f16(`random ${i + 1}`, spread(rng, -20, 15))),
    bf('0.1', 0.1, 0.10009765625),
    bf('π', Math.PI, 3.140625),
    bf('a tie: 1 + 2⁻⁸ goes to 1', 1 + 2 ** -8, 1),
    bf('a tie that rounds up: 1 + 3·2⁻⁸ goes to 1 + 2⁻⁶', 1 + 3 * 2 ** -8, 1 + 2 ** -6),
    bf('70000 is no overflow: float32\'s exponents', 70000, 70144),
    bf('the largest bfloat16, (2 − 2⁻⁷)·2¹²⁷', (2 - 2 ** -7) * 2 ** 127, (2 - 2 ** -7) * 2 ** 127),
    bf('3.4e38 overflows to Infinity', 3.4e38, Infinity),
    bf('−1e-40, a subnormal: −2⁻¹³³', -1e-40, -(2 ** -133)),
    ...[0, 1, 2].map((i) => bf(`random ${i + 1}`, spread(rng, -30, 30))),
  ];
}

/** Monotone, idempotent: what rounding to a grid keeps, on the learner's roundToFloat16. */
const isNumber = (x: unknown): x is number => typeof x === 'number';

export default defineExercise<Args, number>({
  entry: 'roundToFloat16',
  signature: 'roundToFloat16(x: number): number',
  otherExports: [{ entry: 'roundToBfloat16', signature: 'roundToBfloat16(x: number): number' }],
  compare: 'exact',
  cases,
  reference: (ctx, x) => roundTo(formatOf(ctx), x),
  trace: (ctx, x) => {
    const format = formatOf(ctx);
    const rounded = roundTo(format, x);
    const a = Math.abs(x);
    const exponent = Number.isFinite(a) && a > 0 ? Math.floor(Math.log2(a)) : 0;
    const minExponent = 2 - 2 ** (format.exponentBits - 1);
    return {
      format: format.name,
      'exponent of |x| (2^e ≤ |x| < 2^(e+1))': exponent,
      'spacing of the format there': 2 ** (Math.max(exponent, minExponent) - format.mantissaBits),
      'subnormal range': Number.isFinite(a) && a > 0 && a < 2 ** minExponent,
      rounded,
    };
  },
  properties: [
    {
      name: 'every float16 number rounds to itself',
      cases: (rng) => [
        {
          name: '0, subnormals, normals and the largest, both signs',
          calls: [2 ** -24, 1023 * 2 ** -24, 2 ** -14, 1, 1.5, 2047, 65504, ...[0, 1, 2, 3, 4, 5].map(() => roundTo(float16, spread(rng, -24, 15)))].map((x) => [x] as Args),
        },
      ],
      holds: (outputs, calls) => {
        const i = outputs.findIndex((out, k) => out !== calls[k][0]);
        if (i < 0) return undefined;
        return `${calls[i][0]} is a float16 number (its own nearest), yet roundToFloat16 returned ${String(outputs[i])}: a value already in the format must come back unchanged.`;
      },
    },
    {
      name: 'rounding keeps the order of numbers',
      cases: (rng) => [{ name: '12 increasing numbers from −70000 to 70000', calls: Array.from({ length: 12 }, () => spread(rng, -26, 16)).sort((a, b) => a - b).map((x) => [x] as Args) }],
      holds: (outputs, calls) => {
        const odd = (outputs as unknown[]).findIndex((o) => !isNumber(o));
        if (odd >= 0) return `roundToFloat16 must return a number; it returned ${String(JSON.stringify(outputs[odd]))}.`;
        const i = outputs.findIndex((out, k) => k > 0 && out < outputs[k - 1]);
        if (i < 0) return undefined;
        return `${calls[i - 1][0]} < ${calls[i][0]}, yet they round to ${outputs[i - 1]} and ${outputs[i]}: rounding to the nearest value of a grid never swaps two numbers.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'truncation',
      title: { en: 'the extra bits cut off (rounding toward zero)', 'zh-CN': '直接切掉多余的位（向零舍入）' },
      message: {
        en: 'You drop the bits that do not fit, which always rounds toward zero: 1000.3 becomes 1000 instead of 1000.5 (float16 numbers near 1000 are 0.5 apart) and 1 + 3·2⁻¹¹ becomes 1 + 2⁻¹⁰ instead of 1 + 2⁻⁹. IEEE rounding takes the NEAREST representable number (and on a tie, the one whose last mantissa bit is 0). Cutting bits doubles the worst error, and always in the same direction.',
        'zh-CN': '你丢掉了放不下的位，这总是向零舍入：1000.3 变成 1000 而不是 1000.5（1000 附近的 float16 数相隔 0.5），1 + 3·2⁻¹¹ 变成 1 + 2⁻¹⁰ 而不是 1 + 2⁻⁹。IEEE 舍入取的是「最近」的可表示数（平局时取最后一位尾数为 0 的那个）。切掉位会让最坏误差翻倍，而且总是偏向同一个方向。',
      },
      hint: {
        en: 'Which float16 numbers surround 1000.3, and which is nearer? Numbers near 1000 are 2⁻¹ = 0.5 apart.',
        'zh-CN': '1000.3 两侧的 float16 数是哪两个？哪个更近？1000 附近的数相隔 2⁻¹ = 0.5。',
      },
      wrong: (ctx, x) => roundTo(formatOf(ctx), x, 'toward-zero'),
    },
    {
      id: 'ties-away-from-zero',
      title: { en: 'ties rounded away from zero (as Math.round), not to even', 'zh-CN': '平局远离零舍入（像 Math.round 那样），而不是取偶' },
      message: {
        en: 'Halfway between two numbers you round up, as Math.round does: 1 + 2⁻¹¹ becomes 1 + 2⁻¹⁰ and 2049 becomes 2050. IEEE 754 (and torch, numpy, the hardware) rounds a tie to the neighbour whose last mantissa bit is 0: 1 and 2048. Always rounding ties up adds a small bias that accumulates over millions of values.',
        'zh-CN': '恰好位于两个数正中间时你向上舍入，就像 Math.round：1 + 2⁻¹¹ 变成 1 + 2⁻¹⁰，2049 变成 2050。IEEE 754（以及 torch、numpy 和硬件）把平局舍入到最后一位尾数为 0 的那个相邻数：即 1 和 2048。平局总是向上舍入会带来一个小偏差，在数百万个值上不断累积。',
      },
      hint: {
        en: '1 + 2⁻¹¹ is exactly halfway between 1 and 1 + 2⁻¹⁰. Which of the two has an even last mantissa bit?',
        'zh-CN': '1 + 2⁻¹¹ 恰好位于 1 和 1 + 2⁻¹⁰ 的正中间。两者中哪个的最后一位尾数是偶数？',
      },
      wrong: (ctx, x) => roundTo(formatOf(ctx), x, 'ties-away'),
    },
    {
      id: 'no-subnormals',
      title: { en: 'numbers below the smallest normal flushed to zero', 'zh-CN': '低于最小正规数的数被清零' },
      message: {
        en: 'You return 0 for magnitudes below the smallest normal number (2⁻¹⁴ ≈ 6.1e-5 in float16), but the format has subnormals there: 1e-5 is 168·2⁻²⁴ = 1.00136e-5, and 2⁻²⁴ ≈ 6e-8 is the smallest float16 above 0. Below 2⁻¹⁴ the numbers are evenly spaced, 2⁻²⁴ apart.',
        'zh-CN': '对于绝对值低于最小正规数（float16 中为 2⁻¹⁴ ≈ 6.1e-5）的数，你返回了 0，但该格式在那里有次正规数：1e-5 是 168·2⁻²⁴ = 1.00136e-5，而 2⁻²⁴ ≈ 6e-8 是 float16 中大于 0 的最小数。低于 2⁻¹⁴ 时，数之间的间距是均匀的，都相隔 2⁻²⁴。',
      },
      hint: {
        en: 'What does your function return for 1e-5? float16 can hold numbers down to 2⁻²⁴, with less precision.',
        'zh-CN': '你的函数对 1e-5 返回什么？float16 能表示小到 2⁻²⁴ 的数，只是精度更低。',
      },
      wrong: (ctx, x) => roundTo(formatOf(ctx), x, 'flush-subnormals'),
    },
    {
      id: 'overflow-above-max',
      title: { en: 'everything above the largest number overflows', 'zh-CN': '一超过最大数就全部上溢' },
      message: {
        en: 'You return Infinity as soon as |x| exceeds 65504, the largest float16. Rounding to nearest still applies there: 65519 is nearer to 65504 than to 2¹⁶ = 65536 (the next power of two, where Infinity sits), so it rounds to 65504; only from 65520, halfway, does it overflow.',
        'zh-CN': '只要 |x| 超过 float16 的最大数 65504，你就返回 Infinity。但那里依然适用舍入到最近：65519 离 65504 比离 2¹⁶ = 65536（下一个 2 的幂，也就是 Infinity 所在的位置）更近，所以它应舍入为 65504；只有从中点 65520 开始才会上溢。',
      },
      hint: {
        en: 'What does your function return for 65519? Think of Infinity as the next number after 65504, 32 further on.',
        'zh-CN': '你的函数对 65519 返回什么？把 Infinity 想成 65504 之后的下一个数，再往后 32。',
      },
      wrong: (ctx, x) => roundTo(formatOf(ctx), x, 'overflow-past-max'),
    },
  ],
  hints: [
    {
      en: 'Find the spacing of the format around |x|: with 2^e ≤ |x| < 2^(e+1), it is 2^(e − 10) for float16 (10 stored mantissa bits) and 2^(e − 7) for bfloat16; below the smallest normal exponent (−14, −126) keep that exponent: those are the subnormals.',
      'zh-CN': '求出该格式在 |x| 附近的间距：设 2^e ≤ |x| < 2^(e+1)，float16 的间距为 2^(e − 10)（存储 10 位尾数），bfloat16 为 2^(e − 7)；低于最小正规数指数（−14、−126）时，保持该指数不变：这些就是次正规数。',
    },
    {
      en: 'Divide |x| by the spacing (exact: a power of two), round to the nearest integer with ties to the even one, multiply back, put the sign back. Handle Infinity, NaN and 0 first, and overflow: float16 from 65520 on.',
      'zh-CN': '把 |x| 除以间距（精确的，因为是二的幂），舍入到最近的整数、平局取偶，再乘回去，加上符号。先处理 Infinity、NaN 和 0，以及上溢：float16 从 65520 起上溢。',
    },
    {
      en: 'The key idea: a binary format is a grid whose spacing doubles at each power of two; rounding is "nearest grid point, ties to even", and the ends of the grid are the subnormals (evenly spaced down to 0) and overflow (Infinity past the halfway point).',
      'zh-CN': '关键：二进制格式是一个间距每过一个二的幂就翻倍的网格；舍入就是「取最近的网格点，平局取偶」，网格的两端分别是次正规数（间距均匀，一直到 0）和上溢（越过中点就是 Infinity）。',
    },
  ],
});
