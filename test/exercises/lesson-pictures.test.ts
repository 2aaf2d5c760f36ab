import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { plainText } from '../../src/report/lines.js';
import { layoutMarkdown } from '../../src/report/markdown.js';

// Each picture of a transformer-core lesson, recomputed here in plain JavaScript (never with the pack's reference code).

const readLesson = (id: string) => fs.readFile(path.join(builtinPacksDir, 'transformer-core', id, 'lesson.md'), 'utf8');

/** The bodies of the lesson's fenced blocks of one language, in order. */
function fencedBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)\\n```$', 'gm'))].map((match) => match[1]);
}

/** The body rows of the Markdown table whose header row starts with `header`, as trimmed cells. */
function tableRows(markdown: string, header: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((row) => row.startsWith(header));
  const rows: string[][] = [];
  for (const row of lines.slice(start + 2)) {
    if (!row.startsWith('|')) break;
    rows.push(row.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows;
}

/** A picture's rows without its `title:` and `max:` lines, split into words. */
const pictureRows = (block: string) =>
  block
    .split('\n')
    .filter((row) => !/^\s*(title|max):/.test(row))
    .map((row) => row.trim().split(/\s+/));

/** A number as the lessons print it: fixed places, with a Unicode minus. */
const printed = (value: number, places: number) => value.toFixed(places).replace('-', '−');

/** The lesson's text as `llm-tutor lesson` lays it out, plain. */
const rendered = (markdown: string, width: number) => layoutMarkdown(markdown, width).map((row) => plainText(row.line));

describe('attention/scaled-dot-product: the weights heatmap and the soft lookup', () => {
  const q = [
    [1, 0, 1, 0],
    [0, 2, 0, 2],
  ];
  const k = [
    [1, 1, 0, 0],
    [0, 0, 2, 0],
    [1, 0, 1, 2],
  ];
  // softmax(q·kᵀ / √4) row by row, in float64.
  const weights = q.map((qi) => {
    const scores = k.map((kj) => kj.reduce((sum, x, c) => sum + x * qi[c], 0) / 2);
    const exps = scores.map((s) => Math.exp(s));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });

  test('the heatmap holds the weights of the worked example, queries as rows and keys as columns', async () => {
    const [block] = fencedBlocks(await readLesson('attention/scaled-dot-product'), 'heatmap');
    const [header, ...rows] = pictureRows(block);
    expect(header).toEqual(['k0', 'k1', 'k2']);
    expect(rows).toEqual(weights.map((row, i) => [`q${i}`, ...row.map((w) => printed(w, 6))]));
  });

  test('the prose under it: query 1 gives key 2 about two thirds and key 1 less than a tenth; query 0 weighs keys 1 and 2 the same', async () => {
    expect(Math.abs(weights[1][2] - 2 / 3)).toBeLessThan(0.01);
    expect(weights[1][1]).toBeLessThan(0.1);
    expect(weights[0][1]).toBe(weights[0][2]);
    expect(weights[0][1] + weights[0][2]).toBeGreaterThan(0.5);
  });

  test('the lesson draws the heatmap (largest weight darkest) and explains the soft lookup before the formula', async () => {
    const lesson = await readLesson('attention/scaled-dot-product');
    expect(rendered(lesson, 80)).toContain('  q1  ░░ 0.244728  ·· 0.090031  ██ 0.665241');
    expect(rendered(lesson, 40)).toContain('  q1 ░ 0.244728 · 0.090031 █ 0.665241');
    expect(lesson.indexOf('## Queries, keys and values: a soft lookup')).toBeGreaterThan(0);
    expect(lesson.indexOf('## Queries, keys and values: a soft lookup')).toBeLessThan(lesson.indexOf('## The formula'));
  });
});

describe('positions/rope: the clock hands', () => {
  const arrows = ['→', '↗', '↑', '↖', '←', '↙', '↓', '↘'];
  // The direction whose unit vector is closest to the hand's: the largest cos(a − k·45°).
  const nearestArrow = (angle: number) => {
    const closeness = arrows.map((_, i) => Math.cos(angle - (i * Math.PI) / 4));
    return arrows[closeness.indexOf(Math.max(...closeness))];
  };
  const hand = (p: number, theta: number) => {
    const degrees = ((p * theta * 180) / Math.PI) % 360;
    return `${degrees.toFixed(1)}° ${nearestArrow(p * theta)}`;
  };

  test('positions 0…7: the angle p·θ_i in degrees mod 360 and its direction, θ_i = 10000^(−2i/4) for the fast pair 0 and the slow pair 1', async () => {
    const rows = tableRows(await readLesson('positions/rope'), '| p | fast pair 0');
    const theta = [0, 1].map((i) => 10000 ** ((-2 * i) / 4));
    expect(theta).toEqual([1, 0.01]);
    expect(rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((p) => [String(p), hand(p, theta[0]), hand(p, theta[1])]));
  });

  test('the prose: the fast hand is back near → at position 6; the slow one has turned 4° by position 7 and needs ≈ 628 positions a turn', async () => {
    const lesson = await readLesson('positions/rope');
    expect(nearestArrow(6)).toBe('→');
    expect(((7 * 0.01 * 180) / Math.PI).toFixed(0)).toBe('4');
    expect(Math.round((2 * Math.PI) / 0.01)).toBe(628);
    expect(lesson).toContain('4° in 7 positions');
    expect(lesson).toContain('2π/0.01 ≈ 628');
  });
});

describe('lora/nf4-quantize: where normal weights land', () => {
  // bitsandbytes' NF4 table (get_4bit_type('nf4')), and 16 evenly spaced levels.
  const nf4 = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534,
    0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
  ];
  const even = Array.from({ length: 16 }, (_, k) => -1 + (2 * k) / 15);

  /** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
  function uniform(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** `n` draws from N(0, 1) by Box–Muller. */
  function normals(n: number, seed: number): Float64Array {
    const next = uniform(seed);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      out[i] = radius * Math.cos(angle);
      if (i + 1 < n) out[i + 1] = radius * Math.sin(angle);
    }
    return out;
  }

  /** The % of the weights whose value over their block's absmax is nearest to each level. */
  function shares(levels: number[], weights: Float64Array, blockSize: number): number[] {
    const counts = levels.map(() => 0);
    for (let start = 0; start < weights.length; start += blockSize) {
      const block = weights.subarray(start, start + blockSize);
      const absmax = Math.max(...Array.from(block, Math.abs));
      for (const w of block) {
        const distances = levels.map((level) => Math.abs(w / absmax - level));
        counts[distances.indexOf(Math.min(...distances))] += 1;
      }
    }
    return counts.map((count) => (100 * count) / weights.length);
  }

  const weights = normals(64 * 16384, 15);
  const nf4Shares = shares(nf4, weights, 64);
  const evenShares = shares(even, weights, 64);
  const entropy = (percents: number[]) => -percents.reduce((sum, p) => sum + (p / 100) * Math.log2(p / 100), 0);

  test('the two bars blocks: each level (3 places) and the % of 1,048,576 N(0, 1) weights in blocks of 64 that land on it (1 place), on one scale', async () => {
    const lesson = await readLesson('lora/nf4-quantize');
    const blocks = fencedBlocks(lesson, 'bars');
    expect(blocks).toHaveLength(2);
    for (const [block, levels, percents] of [
      [blocks[0], nf4, nf4Shares],
      [blocks[1], even, evenShares],
    ] as const) {
      expect(block).toMatch(/^title: .*\nmax: 14\n/);
      expect(pictureRows(block)).toEqual(levels.map((level, i) => [printed(level, 3), printed(percents[i], 1)]));
    }
    expect(Math.max(...nf4Shares, ...evenShares)).toBeLessThan(14);
    expect(64 * 16384).toBe(1048576);
  });

  test('the prose: NF4 inner codes hold 3.6–9.2%; the even grid gives 50.6% to the four middle levels and 4.8% to the four outer ones; ±1 hold the fewest on both; entropies 3.885 and 3.600 bits', async () => {
    const lesson = await readLesson('lora/nf4-quantize');
    const inner = nf4Shares.slice(1, 15);
    expect([Math.min(...inner), Math.max(...inner)].map((p) => p.toFixed(1))).toEqual(['3.6', '9.2']);
    expect((evenShares[6] + evenShares[7] + evenShares[8] + evenShares[9]).toFixed(1)).toBe('50.6');
    expect((evenShares[0] + evenShares[1] + evenShares[14] + evenShares[15]).toFixed(1)).toBe('4.8');
    expect([entropy(nf4Shares), entropy(evenShares)].map((h) => h.toFixed(3))).toEqual(['3.885', '3.600']);
    for (const percents of [nf4Shares, evenShares]) expect([...percents].sort((a, b) => a - b).slice(0, 2)).toEqual([percents[0], percents[15]].sort((a, b) => a - b));
    expect((100 / 64).toFixed(1)).toBe('1.6');
    for (const number of ['3.6% and 9.2%', '(50.6%)', '4.8% together', '3.885 bits', '3.600 bits', 'one weight in 64, 1.6% of all']) expect(lesson).toContain(number);
  });
});

describe('tokenization/bpe-train: the merge trace', () => {
  /** Trains byte-level BPE as minbpe does (overlapping counts, first-seen tie rule, left-to-right merges), noting each step. */
  function trace(text: string, merges: number) {
    const pieces = new Map<number, string>(Array.from({ length: 256 }, (_, id) => [id, String.fromCharCode(id)]));
    let ids = [...new TextEncoder().encode(text)];
    const steps = [{ merge: 'start', pair: '', token: '', sequence: ids.map((id) => pieces.get(id)).join('·'), tokens: String(ids.length) }];
    for (let m = 0; m < merges; m++) {
      const counts = new Map<string, number>();
      for (let i = 0; i + 1 < ids.length; i++) counts.set(`${ids[i]},${ids[i + 1]}`, (counts.get(`${ids[i]},${ids[i + 1]}`) ?? 0) + 1);
      const best = [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
      const [a, b] = best.split(',').map(Number);
      const id = 256 + m;
      pieces.set(id, pieces.get(a)! + pieces.get(b)!);
      const next: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (ids[i] === a && ids[i + 1] === b) {
          next.push(id);
          i += 1;
        } else next.push(ids[i]);
      }
      ids = next;
      steps.push({ merge: String(m), pair: `(${a}, ${b}) → ${id}`, token: pieces.get(id)!, sequence: ids.map((t) => pieces.get(t)).join('·'), tokens: String(ids.length) });
    }
    return steps;
  }

  test('"aaabdaaabac" with vocabSize 259: each merge, the new token as text, the sequence after it and its length', async () => {
    const rows = tableRows(await readLesson('tokenization/bpe-train'), '| merge |');
    expect(rows).toEqual(trace('aaabdaaabac', 3).map((step) => [step.merge, step.pair, step.token, step.sequence, step.tokens]));
  });
});

describe('lora/forward: why a low rank is enough', () => {
  test('the sizes: a full 12288 × 12288 update against a rank-4 adapter', async () => {
    const lesson = await readLesson('lora/forward');
    expect((12288 * 12288).toLocaleString('en')).toBe('150,994,944');
    expect((4 * (12288 + 12288)).toLocaleString('en')).toBe('98,304');
    expect(lesson).toContain('150,994,944 numbers');
    expect(lesson).toContain('4·(12288 + 12288) = 98,304');
  });

  test('the figures are the papers\': LoRA Tables 4 and 6 (GPT-3 175B, W_q and W_v), §7.2, and Aghajanyan et al.\'s abstract', async () => {
    const lesson = await readLesson('lora/forward');
    // Hu et al. 2021, Table 6 (r = 1, 8, 64: WikiSQL, MultiNLI) and Table 4 (GPT-3 FT: WikiSQL, MNLI-m).
    const published = { r1: ['73.4', '91.3'], r8: ['73.8', '91.6'], r64: ['73.5', '91.4'], fullFineTuning: ['73.8', '89.5'] };
    expect(lesson).toContain(`With r = 1 it reaches ${published.r1[0]}% on WikiSQL and ${published.r1[1]}% on MultiNLI`);
    expect(lesson).toContain(`r = 8 gives ${published.r8[0]}% and ${published.r8[1]}%, and r = 64 gives ${published.r64[0]}% and ${published.r64[1]}%`);
    expect(lesson).toContain(`gives ${published.fullFineTuning[0]}% and ${published.fullFineTuning[1]}% (Table 4)`);
    expect(lesson).toContain('normalised subspace similarity above 0.5');
    expect(lesson).toContain('With only 200 trainable parameters');
    expect(lesson).toContain('90% of the performance of full fine-tuning on MRPC');
    expect(lesson.indexOf('## Why a low rank is enough')).toBeLessThan(lesson.indexOf('## Pitfalls'));
  });
});
