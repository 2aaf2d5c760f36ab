import { cpSync, mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadDefinition } from '../../src/core/packs/definitions.js';
import { exerciseRefs, loadPack } from '../../src/core/packs/packs.js';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { Rng } from '../../src/core/authoring/rng.js';
import { StateStore } from '../../src/core/workspace/state-store.js';
import { openWorkspace } from '../../src/core/workspace/workspace.js';

// Random damage to every file llm-tutor reads must end in one clear line that names the file:
// a UserError, never another exception, never a stack trace.
const rng = new Rng(20261129);
const weird: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, '', 'x', 'transformer-core', '../..', [], [1, 'a'], {}, { id: 1 }, 'A'.repeat(300)];

function mutateText(text: string): string {
  const chars = Array.from(text);
  const at = rng.int(0, Math.max(0, chars.length - 1));
  switch (rng.int(0, 5)) {
    case 0:
      chars.splice(at, rng.int(1, 8));
      break;
    case 1:
      chars.splice(at, 0, rng.pick(['{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', '🙂', '\n', 'null']));
      break;
    case 2:
      return chars.slice(0, at).join('');
    case 3:
      chars[at] = String.fromCharCode(rng.int(0, 0x2fff));
      break;
    case 4:
      return `${chars.join('')}${rng.pick(['}', ',', 'x', '\n{'])}`;
    default:
      return chars.reverse().join('');
  }
  return chars.join('');
}

function mutateJson(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    const copy = [...value];
    const choice = rng.int(0, 3);
    if (choice === 0 && copy.length) copy.splice(rng.int(0, copy.length - 1), 1);
    else if (choice === 1) copy.push(rng.pick(weird));
    else if (copy.length) {
      const i = rng.int(0, copy.length - 1);
      copy[i] = depth < 4 && rng.next() < 0.6 ? mutateJson(copy[i], depth + 1) : rng.pick(weird);
    }
    return copy;
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const choice = rng.int(0, 3);
    if (choice === 0 && keys.length) delete copy[rng.pick(keys)];
    else if (choice === 1) copy[rng.pick(['extra', 'Id', 'exercise', '__proto__', 'constructor'])] = rng.pick(weird);
    else if (keys.length) {
      const key = rng.pick(keys);
      copy[key] = depth < 4 && rng.next() < 0.6 ? mutateJson(copy[key], depth + 1) : rng.pick(weird);
    }
    return copy;
  }
  return rng.pick(weird);
}

/** A mutated JSON file: a structural change half the time, raw text damage otherwise. */
function mutant(original: string): string {
  return rng.next() < 0.5 ? JSON.stringify(mutateJson(JSON.parse(original)), null, 2) : mutateText(original);
}

function expectClearError(error: unknown, file: string): void {
  if (!(error instanceof UserError)) throw new Error(`not a user error for ${file}: ${(error as Error)?.stack ?? String(error)}`);
  expect(error.message).toContain(file);
  expect(error.message).not.toMatch(/\n/);
  expect(error.message).not.toMatch(/\s+at \S+:\d+:\d+/);
}

const count = Number(process.env.FUZZ_CASES ?? 1500);

describe('fuzzing the files llm-tutor reads', () => {
  test(`pack.json: ${count} mutations`, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-fuzz-pack-'));
    const original = await fs.readFile(path.join(builtinPacksDir, 'transformer-core', 'pack.json'), 'utf8');
    let errors = 0;
    for (let i = 0; i < count; i++) {
      await fs.writeFile(path.join(dir, 'pack.json'), mutant(original));
      try {
        exerciseRefs([await loadPack(dir)]);
      } catch (error) {
        expectClearError(error, path.join(dir, 'pack.json'));
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(count / 2);
  });

  test(`llm-tutor.json: ${count} mutations`, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-fuzz-ws-'));
    const original = JSON.stringify({ formatVersion: 1, packs: ['transformer-core'], options: { seed: 5, backend: 'wasm' } }, null, 2);
    let errors = 0;
    for (let i = 0; i < count; i++) {
      await fs.writeFile(path.join(dir, 'llm-tutor.json'), mutant(original));
      try {
        await openWorkspace(dir);
      } catch (error) {
        if (error instanceof UserError && !error.message.includes('llm-tutor.json')) {
          // Errors about a pack named in the config name the pack's own file or folder instead.
          expect(error.message).toMatch(/pack|Pack/);
          expect(error.message).not.toMatch(/\n/);
        } else expectClearError(error, path.join(dir, 'llm-tutor.json'));
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(count / 2);
  });

  test(`state.json: ${count} mutations never reset progress silently`, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-fuzz-state-'));
    const file = path.join(dir, 'state.json');
    const original = JSON.stringify({ formatVersion: 1, packVersions: { 'transformer-core': '0.2.0' }, packExercises: {}, exercises: { 'transformer-core/foundations/matmul': { status: 'passed', attempts: 3, hintsRevealed: 1 } } }, null, 2);
    for (let i = 0; i < count; i++) {
      const text = mutant(original);
      await fs.writeFile(file, text);
      try {
        const state = await new StateStore(file).read();
        expect(state.formatVersion).toBe(1);
      } catch (error) {
        expectClearError(error, file);
        // The damaged file is kept as it was.
        expect(await fs.readFile(file, 'utf8')).toBe(text);
      }
    }
  });

  test('exercise definitions: 200 mutations of a real exercise.ts', { timeout: 120_000 }, async () => {
    const packDir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-fuzz-def-'));
    cpSync(path.join(builtinPacksDir, 'transformer-core', 'pack.json'), path.join(packDir, 'pack.json'));
    cpSync(path.join(builtinPacksDir, 'transformer-core', 'foundations'), path.join(packDir, 'foundations'), { recursive: true });
    const pack = await loadPack(packDir);
    const ref = exerciseRefs([pack]).find((r) => r.id === 'foundations/softmax')!;
    const file = path.join(ref.dir, 'exercise.ts');
    const original = await fs.readFile(file, 'utf8');
    process.env.LLM_TUTOR_CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-fuzz-cache-'));
    let errors = 0;
    for (let i = 0; i < 200; i++) {
      await fs.writeFile(file, mutateText(original));
      try {
        await loadDefinition(ref);
      } catch (error) {
        expectClearError(error, file);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(50);
  });
});
