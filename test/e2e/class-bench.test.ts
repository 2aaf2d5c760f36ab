import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { builtinPackIds, repoRoot, tempDir } from '../helpers/cli.js';

// The class-of-a-thousand benchmark (bench/class-generator.mjs, bench/class-shard.mjs) at its smallest: the
// generator's mix and determinism, then the shard script end to end on a class of 20 (one shard of two).

interface Submission {
  id: string;
  kind: 'solved' | 'wrong' | 'hostile' | 'empty' | 'partial';
  variant?: string;
  files?: Record<string, string>;
}
interface Manifest {
  size: number;
  counts: Record<string, number>;
  submissions: Submission[];
}
interface Exercise {
  id: string;
  key: string;
  file: string;
  names: string[];
  solution: string;
}
interface Generator {
  generateClass(root: string, dir: string, options: { size?: number; seed?: number; packs?: string[] }): Manifest;
  kindCounts(size: number): Record<string, number>;
  hostileKinds: Record<string, unknown>;
  hostileFile(kind: string, names: string[]): string;
  wrongFile(root: string, packId: string, id: string, solution: string, names: string[]): { text: string; mistake: string };
  readExercises(root: string, packIds: string[]): { packId: string; exercises: Exercise[] }[];
  checkAgainstManifest(manifest: Manifest, result: { submissions: { id: string; status: string; problem?: string; exercises: { key: string; status: string; message: string }[] }[] }): string[];
}
interface TreeMemory {
  supported: boolean;
  peakBytes: number;
  peakByRole: Record<string, { hwmBytes: number; processes: number }>;
  peakByProcess: { pid: number; role: string; command: string; hwmBytes: number }[];
}
const generator = (await import(path.join(repoRoot, 'bench', 'class-generator.mjs'))) as Generator;
const treeMemory = (await import(path.join(repoRoot, 'bench', 'process-tree-memory.mjs'))) as { sampleTreeMemory(pid: number, intervalMs?: number): { stop(): TreeMemory } };

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Generates a class in a new folder; returns the folder and the manifest. */
function generate(size: number, seed: number, packs?: string[]): { dir: string; manifest: Manifest } {
  const dir = path.join(tempDir('llm-tutor-class-test-'), 'class');
  made.push(path.dirname(dir));
  return { dir, manifest: generator.generateClass(repoRoot, dir, { size, seed, packs }) };
}

/** A digest of every file under `dir`, by path. */
function digest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = path.join(rel, entry.name);
      hash.update(`${child}\n`);
      if (entry.isDirectory()) walk(child);
      else hash.update(readFileSync(path.join(dir, child)));
    }
  };
  walk('');
  return hash.digest('hex');
}

describe('the class generator', () => {
  test('writes the documented mix, every tenth submission a shard with the same mix', () => {
    const { dir, manifest } = generate(40, 7, ['transformer-core', 'scaling']);
    expect(manifest.counts).toEqual({ solved: 16, wrong: 12, hostile: 6, empty: 4, partial: 2 });
    expect(generator.kindCounts(1000)).toEqual({ solved: 400, wrong: 300, hostile: 150, empty: 100, partial: 50 });
    expect(generator.kindCounts(2)).toEqual({ solved: 1, wrong: 1, hostile: 0, empty: 0, partial: 0 });
    const kinds = (list: Submission[]) => list.reduce<Record<string, number>>((c, s) => ({ ...c, [s.kind]: (c[s.kind] ?? 0) + 1 }), {});
    expect(kinds(manifest.submissions)).toEqual(manifest.counts);
    // A shard of --shard i/10 takes every tenth in name order: 4 of 40, so each kind's share of 4, give or take one.
    for (let shard = 0; shard < 10; shard++) {
      const mix = kinds(manifest.submissions.filter((_, i) => i % 10 === shard));
      for (const [kind, n] of Object.entries(manifest.counts)) expect(Math.abs((mix[kind] ?? 0) - n / 10), `shard ${shard + 1}, ${kind}`).toBeLessThanOrEqual(1);
    }
    expect(manifest.submissions.map((s) => s.id)).toEqual(readdirSync(dir).sort());
    expect(manifest.submissions.filter((s) => s.kind === 'empty').map((s) => s.variant).sort()).toEqual(['empty-folder', 'empty-folder', 'no-exercises', 'starters']);

    const exercises = generator.readExercises(repoRoot, ['transformer-core', 'scaling']).flatMap((p) => p.exercises);
    const starter = (key: string) => readFileSync(path.join(repoRoot, 'exercises', ...key.split('/'), 'starter.ts'), 'utf8');
    for (const s of manifest.submissions) {
      const ws = path.join(dir, s.id);
      if (s.variant === 'empty-folder') {
        expect(readdirSync(ws)).toEqual([]);
        continue;
      }
      expect(existsSync(path.join(ws, 'llm-tutor.json')), s.id).toBe(true);
      const contents = Object.values(s.files!);
      expect(contents).toHaveLength(exercises.length);
      if (s.kind === 'solved') expect(new Set(contents)).toEqual(new Set(['solved']));
      if (s.kind === 'wrong') {
        // One to three mistakes in each pack, the rest solved.
        for (const pack of ['transformer-core', 'scaling']) {
          const wrong = Object.entries(s.files!).filter(([key, c]) => key.startsWith(`${pack}/`) && c.startsWith('wrong:'));
          expect(wrong.length).toBeGreaterThanOrEqual(1);
          expect(wrong.length).toBeLessThanOrEqual(3);
        }
        expect(contents.every((c) => c === 'solved' || c.startsWith('wrong:'))).toBe(true);
      }
      if (s.kind === 'hostile') expect(contents.filter((c) => c.startsWith('hostile:'))).toHaveLength(2);
      if (s.variant === 'no-exercises') expect(existsSync(path.join(ws, 'exercises'))).toBe(false);
      for (const e of exercises) {
        const content = s.files![e.key];
        const file = path.join(ws, e.file);
        if (content === 'missing') continue;
        const text = readFileSync(file, 'utf8');
        if (content === 'solved') expect(text, `${s.id} ${e.key}`).toBe(e.solution);
        else if (content === 'starter') expect(text, `${s.id} ${e.key}`).toBe(starter(e.key));
        else if (content.startsWith('hostile:')) expect(text).toBe(generator.hostileFile(content.slice('hostile:'.length), e.names));
        else expect(text).not.toBe(e.solution);
      }
    }
  });

  test('the same seed gives the same class, byte for byte; another seed another', () => {
    const a = generate(30, 11, ['transformer-core']);
    const b = generate(30, 11, ['transformer-core']);
    const c = generate(30, 12, ['transformer-core']);
    expect(b.manifest).toEqual(a.manifest);
    expect(digest(b.dir)).toBe(digest(a.dir));
    expect(c.manifest.submissions.map((s) => s.kind)).not.toEqual(a.manifest.submissions.map((s) => s.kind));
  });

  test('every exercise of every built-in pack has a mistake, and a hostile file of each kind exports its functions', () => {
    for (const { packId, exercises } of generator.readExercises(repoRoot, builtinPackIds)) {
      for (const e of exercises) {
        expect(e.names.length, e.key).toBeGreaterThan(0);
        // Throws when a listed edit no longer applies to the solution.
        const { text, mistake } = generator.wrongFile(repoRoot, packId, e.id, e.solution, e.names);
        expect(text, `${e.key} (${mistake})`).not.toBe(e.solution);
        for (const name of e.names) expect(text, `${e.key} (${mistake})`).toMatch(new RegExp(`^export (async )?function ${name}\\b`, 'm'));
      }
    }
    for (const kind of Object.keys(generator.hostileKinds)) {
      expect(generator.hostileFile(kind, ['nextToken', 'generate'])).toMatch(/^export function nextToken\(.*\n[^]*^export function generate\(/m);
    }
  });
});

test('checking a grade against the manifest names a file graded other than it holds', () => {
  const manifest: Manifest = {
    size: 2,
    counts: {},
    submissions: [
      { id: 'a', kind: 'wrong', files: { 'p/x': 'solved', 'p/y': 'wrong:sign-flipped', 'p/z': 'starter' } },
      { id: 'b', kind: 'empty', variant: 'empty-folder' },
    ],
  };
  const result = (x: string, y: string, z: string, bProblem?: string) => ({
    submissions: [
      {
        id: 'a',
        status: 'error',
        exercises: [
          { key: 'p/x', status: x, message: 'm' },
          { key: 'p/y', status: y, message: 'm' },
          { key: 'p/z', status: z, message: 'm' },
        ],
      },
      { id: 'b', status: 'error', ...(bProblem ? { problem: bProblem } : {}), exercises: [] },
    ],
  });
  expect(generator.checkAgainstManifest(manifest, result('pass', 'fail', 'error', 'no llm-tutor.json'))).toEqual([]);
  expect(generator.checkAgainstManifest(manifest, result('pass', 'error', 'error', 'no llm-tutor.json'))).toEqual([]);
  expect(generator.checkAgainstManifest(manifest, result('fail', 'pass', 'pass'))).toEqual([
    'a p/x (solved): fail: m',
    'a p/y (wrong:sign-flipped): pass: m',
    'a p/z (starter): pass: m',
    'b (empty folder): graded error without a problem',
  ]);
});

test('the memory sampler finds the children of a process and tells a sandbox child by its harness', { timeout: 30_000 }, async () => {
  if (process.platform !== 'linux') return;
  // A parent that starts a "sandbox child" (a script named harness.mjs) holding 64 MiB for a moment.
  const dir = tempDir('llm-tutor-tree-memory-');
  made.push(dir);
  mkdirSync(path.join(dir, 'run'));
  writeFileSync(path.join(dir, 'run', 'harness.mjs'), 'const b = Buffer.alloc(64 * 2 ** 20, 1); setTimeout(() => console.log(b[0]), 400);\n');
  const parent = `require('node:child_process').spawn(process.execPath, [${JSON.stringify(path.join(dir, 'run', 'harness.mjs'))}], { stdio: 'inherit' });`;
  const child = spawn(process.execPath, ['-e', parent], { stdio: 'ignore' });
  const sampler = treeMemory.sampleTreeMemory(child.pid!, 10);
  await new Promise((resolve) => child.on('close', resolve));
  const memory = sampler.stop();
  expect(memory.supported).toBe(true);
  expect(memory.peakByRole.tutor.processes).toBe(1);
  expect(memory.peakByRole.sandbox.processes).toBe(1);
  expect(memory.peakByRole.sandbox.hwmBytes).toBeGreaterThanOrEqual(64 * 2 ** 20);
  expect(memory.peakBytes).toBeGreaterThan(memory.peakByRole.sandbox.hwmBytes);
  expect(memory.peakByProcess[0]).toMatchObject({ role: 'sandbox', pid: expect.any(Number) });
  expect(memory.peakByProcess[0].command).toContain('harness.mjs');
});

describe('bench/class-shard.mjs', () => {
  test('grades one shard of a class of 20, merges ten shard files and prints the figures', { timeout: 180_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bench', 'class-shard.mjs'), repoRoot, '20', '1'], {
      cwd: repoRoot,
      env: { ...process.env, CI: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const figures = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(figures).toMatchObject({ classSize: 20, shards: 10, pack: 'transformer-core', jobs: 2, seed: 42, counts: { solved: 8, wrong: 6, hostile: 3, empty: 2, partial: 1 } });
    expect(figures.exercises).toBeGreaterThan(0);
    expect(['bwrap', 'permission']).toContain(figures.isolation);
    // Shard 1 of 10 holds student-0000 and student-0010; what they are comes from the seed.
    expect(figures.shard.submissions).toBe(2);
    expect(Object.values(figures.shard.mix as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2);
    expect(figures.shard.statuses.pass + figures.shard.statuses.fail + figures.shard.statuses.error).toBe(2);
    // Every verdict agrees with what the generator wrote.
    expect(figures.shard.unexpectedFirst).toEqual([]);
    expect(figures.shard.ms).toBeGreaterThan(0);
    expect(figures.shard.perSubmissionMs).toBeCloseTo(figures.shard.ms / 2);
    const memory = figures.shard.memory;
    if (process.platform === 'linux') {
      expect(memory.supported).toBe(true);
      expect(memory.peakBytes).toBeGreaterThan(0);
      expect(memory.peakByRole.tutor.hwmBytes).toBeGreaterThan(0);
      expect(memory.largestProcesses.some((p: { role: string; command: string }) => p.role === 'tutor' && p.command.includes('llm-tutor.js grade'))).toBe(true);
    }
    expect(figures.merge.ms).toHaveLength(1);
    expect(figures.merge.medianMs).toBeGreaterThan(0);
    expect(figures.merge.submissions).toBe(20);
    expect(figures.merge.htmlBytes).toBeGreaterThan(0);
    expect(figures.merge.jsonBytes).toBeGreaterThan(0);
  });
});
