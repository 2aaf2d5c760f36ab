import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { StateStore } from '../../src/core/workspace/state-store.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

const writer = path.join(repoRoot, 'test', 'helpers', 'state-writer.mjs');
const iterations = Number(process.env.KILL_ITERATIONS ?? 200);

/** Starts the writer, lets it write for `ms` after it starts, then SIGKILLs it. */
function killWhileWriting(file: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), ms));
    child.once('exit', () => resolve());
  });
}

describe('progress survives SIGKILL at any moment', () => {
  test(`killed ${iterations} times while writing, the state file is valid every time`, { timeout: 300_000 }, async () => {
    const dir = tempDir('llm-tutor-kill-');
    const file = path.join(dir, '.llm-tutor', 'state.json');
    const store = new StateStore(file);
    let valid = 0;
    for (let i = 0; i < iterations; i++) {
      // Random moments: some kills land in start-up, most in the middle of a write.
      await killWhileWriting(file, Math.floor(Math.random() * 25));
      // read() validates against the schema and throws on a torn or damaged file.
      const state = await store.read();
      // Every record is one the writer wrote whole: exercise-k always holds an attempt count ≡ k (mod 40).
      for (const [key, progress] of Object.entries(state.exercises)) {
        expect(progress.attempts % 40, key).toBe(Number(key.split('-').pop()));
      }
      valid++;
    }
    expect(valid).toBe(iterations);
    // Killed writes may leave a temp file behind, never a damaged state.json.
    const names = await fs.readdir(path.dirname(file));
    expect(names.filter((n) => n.startsWith('state.json.corrupt'))).toEqual([]);
  });
});
