import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { State } from '../../src/core/common/schemas.js';
import type { ExerciseRef } from '../../src/core/packs/packs.js';
import type { HintSource, LatestGrading } from '../../src/core/workspace/hints.js';
import { countSolved, revealHint } from '../../src/core/workspace/progress.js';
import { emptyState, StateStore } from '../../src/core/workspace/state-store.js';

const ref = (packId: string, id: string) => ({ packId, id, key: `${packId}/${id}` }) as ExerciseRef;
const exercises = [ref('a', 'one'), ref('a', 'two'), ref('a', 'three'), ref('b', 'one')];

function stateWith(statuses: Record<string, 'passed' | 'failed' | 'pending'>): State {
  const state = emptyState();
  for (const [key, status] of Object.entries(statuses)) state.exercises[key] = { status, attempts: 1, revealedHints: [] };
  return state;
}

describe('countSolved', () => {
  const state = stateWith({ 'a/one': 'passed', 'a/two': 'failed', 'b/one': 'passed', 'c/gone': 'passed' });

  test('counts the exercises that pass, out of those given (progress of other exercises does not count)', () => {
    expect(countSolved(exercises, state)).toEqual({ solved: 2, total: 4 });
  });

  test('with a pack id, counts that pack only', () => {
    expect(countSolved(exercises, state, 'a')).toEqual({ solved: 1, total: 3 });
    expect(countSolved(exercises, state, 'b')).toEqual({ solved: 1, total: 1 });
    expect(countSolved(exercises, state, 'nope')).toEqual({ solved: 0, total: 0 });
  });
});

describe('revealHint', () => {
  const store = () => new StateStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-hints-')), '.llm-tutor', 'state.json'));
  const source: HintSource = {
    hints: ['a nudge', 'the idea', 'the key step'],
    misconceptions: [{ id: 'no-max', title: 'no max', hint: 'look at large logits' }],
  };
  const diagnosed: LatestGrading = { passed: false, diagnosis: { misconceptionId: 'no-max', confidence: 'full' } };

  test('reveals the chosen hint and saves it after those revealed, keeping the rest of the progress', async () => {
    const s = store();
    await s.write(stateWith({ 'a/one': 'failed' }));
    const first = await revealHint(s, 'a/one', source, undefined, []);
    expect(first.hint).toBe('tier:1');
    expect(first.state?.exercises['a/one']).toEqual({ status: 'failed', attempts: 1, revealedHints: ['tier:1'] });
    const second = await revealHint(s, 'a/one', source, diagnosed, ['tier:1']);
    expect(second.hint).toBe('mistake:no-max');
    expect((await s.read()).exercises['a/one'].revealedHints).toEqual(['tier:1', 'mistake:no-max']);
  });

  test('past the last hint nothing is written', async () => {
    const s = store();
    expect(await revealHint(s, 'a/one', source, undefined, ['tier:1', 'tier:2', 'tier:3'])).toEqual({});
    await expect(fs.stat(s.file)).rejects.toThrow(/ENOENT/);
  });

  test('a hint already saved (by another window) is not saved twice', async () => {
    const s = store();
    await s.update((state) => {
      state.exercises['a/one'] = { status: 'pending', attempts: 0, revealedHints: ['tier:1', 'tier:2'] };
    });
    const result = await revealHint(s, 'a/one', source, undefined, ['tier:1']);
    expect(result.hint).toBe('tier:2');
    expect(result.state?.exercises['a/one'].revealedHints).toEqual(['tier:1', 'tier:2']);
  });

  test('a progress file that counted hints reads as the first tiered hints revealed', async () => {
    const s = store();
    await fs.mkdir(path.dirname(s.file), { recursive: true });
    await fs.writeFile(s.file, JSON.stringify({ formatVersion: 1, exercises: { 'a/one': { status: 'failed', attempts: 4, hintsRevealed: 2 } } }));
    expect((await s.read()).exercises['a/one']).toEqual({ status: 'failed', attempts: 4, revealedHints: ['tier:1', 'tier:2'] });
    await revealHint(s, 'a/one', source, undefined, ['tier:1', 'tier:2']);
    const saved = JSON.parse(await fs.readFile(s.file, 'utf8'));
    expect(saved.exercises['a/one']).toEqual({ status: 'failed', attempts: 4, revealedHints: ['tier:1', 'tier:2', 'tier:3'] });
  });
});
