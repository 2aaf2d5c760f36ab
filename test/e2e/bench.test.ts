import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { builtinExerciseCount, builtinPackIds, repoRoot, tempDir } from '../helpers/cli.js';
import { bwrapWorks } from '../helpers/tools.js';

// `npm run bench` at its smallest (one run per figure, a class of two, two saves), written to a
// temporary folder: the committed figures in docs/ come from this script, so it must keep working.
describe('npm run bench', () => {
  test('measures every figure and writes the table and the JSON', { timeout: 240_000 }, async () => {
    const out = tempDir('llm-tutor-bench-test-');
    const env = { ...process.env, BENCH_RUNS: '1', BENCH_CLASS: '2', BENCH_SAVES: '2', BENCH_OUT: out };
    await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bench', 'run.mjs')], { env, cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    const results = JSON.parse(await fs.readFile(path.join(out, 'benchmarks.json'), 'utf8'));
    const keys = results.figures.map((f: { key?: string; label: string }) => f.key ?? f.label);
    // Under both isolations where bubblewrap works here; the permission model alone where it does not.
    expect(keys).toEqual([
      'floor: node -e 0',
      'sandbox-permission',
      ...(bwrapWorks ? ['sandbox-bwrap'] : []),
      'tensor-input-flat',
      'tensor-input-rows',
      'tensor-input-plain',
      'play-first-shakespeare',
      'play-rate-shakespeare',
      'play-first-tang',
      'play-rate-tang',
      'version',
      'list',
      'check-cold-cache',
      'check-cold',
      'check-cold-permission',
      'check-model-forward',
      'check-slowest',
      'grade-pack',
      ...builtinPackIds.filter((id) => id !== 'transformer-core').map((id) => `grade-pack-${id}`),
      'grade-class-jobs-1',
      'grade-class-jobs-2',
      'grade-class-midway-jobs-2',
      'watch-verdict',
      'watch-screen',
      ...(bwrapWorks ? ['watch-verdict-permission', 'watch-screen-permission'] : []),
      'watch-verdict-loaded',
      'watch-screen-loaded',
      'launch-verdict',
      'launch-verdict-loaded',
    ]);
    for (const f of results.figures) {
      expect(f.median, f.label).toBeGreaterThan(0);
      expect(f.min, f.label).toBeLessThanOrEqual(f.median);
      expect(f.max, f.label).toBeGreaterThanOrEqual(f.median);
    }
    // Every backend is reported: measured when it loads here, or with the reason it does not.
    expect(results.backends.map((b: { backend: string }) => b.backend)).toEqual(['node', 'wasm', 'cpu']);
    const wasm = results.backends.find((b: { backend: string }) => b.backend === 'wasm');
    expect(wasm.available).toBe(true);
    expect(wasm.exercises).toHaveLength(builtinExerciseCount);
    for (const b of results.backends) if (!b.available) expect(b.reason).toMatch(/could not be loaded/);

    const table = await fs.readFile(path.join(out, 'benchmarks.md'), 'utf8');
    expect(table).toMatch(/\| cold check attention\/causal-mask \(new process, cache warm\) \| \d+ ms \| \d+ ms \| \d+ ms \| [\d.]+× \| 600 ms: (met|\*\*not met\*\*) \|/);
    expect(table).toContain('## Reference computations per tfjs backend');
    expect(table).toMatch(/\| play \(shakespeare\): tokens per second, 200 tokens at temperature 0\.8 \| \d+ tokens\/s \| \d+ tokens\/s \| \d+ tokens\/s \|  \| ≥ 50 tokens\/s: (met|\*\*not met\*\*) \|/);
    expect(table).toMatch(/\| cold check mini-gpt model\/forward \(shipped weights\) \| \d+ ms \| .* \| 1000 ms: (met|\*\*not met\*\*) \|/);
    expect(table).toMatch(/\| watch: save → verdict on screen \(attention\/causal-mask\), one CPU-bound process competing \| \d+ ms \|/);
    expect(table).toMatch(/with one CPU-bound process competing .* [\d.]+ ms and [\d.]+ ms\./);
    expect(table).toMatch(/\| transformer-core\/tokenization\/gpt2-encode \| \d+ \| [\d.]+ ms \([\d.]+ ms\) \| [\d.]+ ms \([\d.]+ ms\) \|/);
  });
});
