import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { State } from '../../src/core/common/schemas.js';
import type { ExerciseRef } from '../../src/core/packs/packs.js';
import { countSolved, revealHint } from '../../src/core/workspace/progress.js';
import { emptyState, StateStore } from '../../src/core/workspace/state-store.js';

const ref = (packId: string, id: string) => ({ packId, id, key: `${packId}/${id}` }) as ExerciseRef;
const exercises = [ref('a', 'one'), ref('a', 'two'), ref('a', 'three'), ref('b', 'one')];

function stateWith(statuses: Record<string, 'passed' | 'failed' | 'pending'>): State {
  const state = emptyState();
  for (const [key, status] of Object.entries(statuses)) state.exercises[key] = { status, attempts: 1, hintsRevealed: 0 };
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

  test('reveals one more hint and saves it, keeping the rest of the progress', async () => {
    const s = store();
    await s.write(stateWith({ 'a/one': 'failed' }));
    const first = await revealHint(s, 'a/one', 3, 0);
    expect(first.revealed).toBe(1);
    expect(first.state?.exercises['a/one']).toEqual({ status: 'failed', attempts: 1, hintsRevealed: 1 });
    const second = await revealHint(s, 'a/one', 3, 1);
    expect(second.revealed).toBe(2);
    expect((await s.read()).exercises['a/one'].hintsRevealed).toBe(2);
  });

  test('past the last hint nothing is written', async () => {
    const s = store();
    expect(await revealHint(s, 'a/one', 2, 2)).toEqual({ revealed: 2 });
    expect(await revealHint(s, 'a/one', 0, 0)).toEqual({ revealed: 0 });
    await expect(fs.stat(s.file)).rejects.toThrow(/ENOENT/);
  });

  test('the saved count never goes down, even when the learner was shown fewer', async () => {
    const s = store();
    await s.update((state) => {
      state.exercises['a/one'] = { status: 'pending', attempts: 0, hintsRevealed: 3 };
    });
    const result = await revealHint(s, 'a/one', 4, 1);
    expect(result.revealed).toBe(2);
    expect(result.state?.exercises['a/one'].hintsRevealed).toBe(3);
  });
});
