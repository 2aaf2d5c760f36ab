import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listBuiltinPackIds } from '../../src/core/packs/packs.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = path.join(repoRoot, 'bin', 'llm-tutor.js');
/** The built-in packs' manifests: every folder of exercises/ holding a pack.json. */
const builtinManifests = readdirSync(path.join(repoRoot, 'exercises'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(repoRoot, 'exercises', e.name, 'pack.json')))
  .map((e) => JSON.parse(readFileSync(path.join(repoRoot, 'exercises', e.name, 'pack.json'), 'utf8')) as { id: string; exercises: unknown[] });
/** How many exercises the built-in packs list (a new workspace enables them all), for the lines that count them ("2 of N exercises pass"). */
export const builtinExerciseCount: number = builtinManifests.reduce((sum, m) => sum + m.exercises.length, 0);
/** How many exercises transformer-core lists: the count the screen's header shows while an exercise of it is open ("5/29 solved"). */
export const coreExerciseCount: number = builtinManifests.find((m) => m.id === 'transformer-core')!.exercises.length;
/** The built-in packs' ids in syllabus order: what a new workspace enables and what an unknown pack's error lists. */
export const builtinPackIds: string[] = await listBuiltinPackIds();
/** One cache folder for the whole test run, so definitions compile once. */
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-test-cache-'));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `llm-tutor` with plain output; never throws on a non-zero
 * exit. `bin` runs another copy of the package ({@link copyPackage}).
 */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string; bin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [options.bin ?? bin, ...args],
      {
        cwd: options.cwd ?? os.tmpdir(),
        // CI is cleared unless a test sets it: under CI, grade requires bubblewrap, and a test about that says so itself.
        env: { ...process.env, CI: '', NO_COLOR: '1', LLM_TUTOR_CACHE_DIR: cacheDir, LLM_TUTOR_COMMAND: 'llm-tutor', ...options.env },
        timeout: 60_000,
        maxBuffer: 10 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A fresh temp folder. */
export function tempDir(prefix = 'llm-tutor-e2e-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Workspaces `init` made in this test file, by packs: each later one is a copy (init's output names no path of its own). */
const initialised = new Map<string, Promise<string>>();

/** Creates a workspace with the built-in pack (or the given packs: `['transformer-core', 'training']`) and returns its folder. */
export async function makeWorkspace(packs?: string[]): Promise<string> {
  const key = packs?.join(',') ?? '';
  if (!initialised.has(key)) {
    const init = (async () => {
      const dir = path.join(tempDir(), 'ws');
      const result = await runCli(['init', dir, '--seed', '1234', ...(packs ? ['--packs', ...packs] : [])]);
      if (result.code !== 0) throw new Error(`init failed: ${result.stderr}`);
      return dir;
    })();
    init.catch(() => initialised.delete(key));
    initialised.set(key, init);
  }
  // The first stays untouched: every test gets a copy of its own.
  const dir = path.join(tempDir(), 'ws');
  await fs.cp(await initialised.get(key)!, dir, { recursive: true });
  return dir;
}

/** Path of a learner file in a workspace. */
export function learnerFile(workspace: string, id: string, pack = 'transformer-core'): string {
  return path.join(workspace, 'exercises', pack, `${id}.ts`);
}

/** Copies a fixture learner file (fixtures/learner/<name>) over an exercise's learner file. */
export async function useFixture(workspace: string, id: string, fixture: string): Promise<void> {
  await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', fixture), learnerFile(workspace, id));
}

/** Copies the model solution of a built-in exercise over its learner file. */
export async function useSolution(workspace: string, id: string): Promise<void> {
  await fs.copyFile(path.join(repoRoot, 'exercises', 'transformer-core', id, 'solution.ts'), learnerFile(workspace, id));
}

/** Processes whose command line names `marker` (a run's own TMPDIR, say): none may outlive the command that started them. */
export function processesNaming(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // Gone already.
    }
  }
  return found;
}

/** Every regular file under `dir`, links not followed. */
export async function regularFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await regularFilesUnder(file)));
    else if (entry.isFile()) out.push(file);
  }
  return out;
}
