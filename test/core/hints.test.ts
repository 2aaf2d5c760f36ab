import { describe, expect, test } from 'vitest';
import { allHintIds, nextHint, revealedHints, type HintSource, type LatestGrading } from '../../src/core/workspace/hints.js';

const source: HintSource = {
  hints: ['Try x = [1000, 1001] by hand.', { text: 'Where does the NaN come from on an all −Infinity row?', misconception: 'nan-on-fully-masked-row' }, 'Divide by the sum.'],
  misconceptions: [
    { id: 'no-max-subtraction', title: 'exponentiating without subtracting the max', hint: 'Shift every entry by the same constant first.' },
    { id: 'nan-on-fully-masked-row', title: { en: 'no special case for an all −Infinity row', 'zh-CN': '全为 −Infinity 的行没有特判' }, hint: { en: 'Check for that row before subtracting.', 'zh-CN': '减之前先检查这一行。' } },
    { id: 'not-normalised', title: 'not divided by the sum' },
  ],
};

const failing = (misconceptionId?: string, confidence: 'full' | 'partial' = 'full'): LatestGrading => ({ passed: false, diagnosis: misconceptionId ? { misconceptionId, confidence } : undefined });

describe('nextHint', () => {
  test('with nothing diagnosed (or nothing graded yet), the tiered hints in order', () => {
    expect(nextHint(source, undefined, [])).toBe('tier:1');
    expect(nextHint(source, failing(), ['tier:1'])).toBe('tier:2');
    expect(nextHint(source, failing(), ['tier:1', 'tier:2'])).toBe('tier:3');
    expect(nextHint(source, failing(), ['tier:1', 'tier:2', 'tier:3'])).toBeUndefined();
  });

  test('a diagnosed mistake with a hint not yet revealed comes first, full or partial', () => {
    expect(nextHint(source, failing('no-max-subtraction'), [])).toBe('mistake:no-max-subtraction');
    expect(nextHint(source, failing('no-max-subtraction', 'partial'), ['tier:1'])).toBe('mistake:no-max-subtraction');
  });

  test('once the mistake’s hint is revealed, the tiered hints go on where they were', () => {
    expect(nextHint(source, failing('no-max-subtraction'), ['mistake:no-max-subtraction'])).toBe('tier:1');
    expect(nextHint(source, failing('no-max-subtraction', 'partial'), ['tier:1', 'mistake:no-max-subtraction'])).toBe('tier:2');
  });

  test('a diagnosed mistake without a hint of its own gives the next tiered hint', () => {
    expect(nextHint(source, failing('not-normalised', 'partial'), ['tier:1'])).toBe('tier:2');
    expect(nextHint(source, failing('gone-from-the-pack'), [])).toBe('tier:1');
  });

  test('a tiered hint about a mistake is skipped once the latest grading rules that mistake out', () => {
    // Another mistake explains every failing case.
    expect(nextHint(source, failing('not-normalised'), ['tier:1'])).toBe('tier:3');
    expect(nextHint(source, failing('no-max-subtraction'), ['mistake:no-max-subtraction', 'tier:1'])).toBe('tier:3');
    // The exercise passes.
    expect(nextHint(source, { passed: true }, ['tier:1'])).toBe('tier:3');
  });

  test('a tiered hint about a mistake is kept while the mistake may still be there', () => {
    // Diagnosed in part only, or not at all: the other mistake may be there too.
    expect(nextHint(source, failing('no-max-subtraction', 'partial'), ['mistake:no-max-subtraction', 'tier:1'])).toBe('tier:2');
    expect(nextHint(source, failing(), ['tier:1'])).toBe('tier:2');
    // Diagnosed itself, its own hint already revealed.
    expect(nextHint(source, failing('nan-on-fully-masked-row'), ['mistake:nan-on-fully-masked-row', 'tier:1'])).toBe('tier:2');
  });
});

describe('revealedHints', () => {
  test('labels each hint, in the order revealed, in the locale asked for', () => {
    const revealed = ['tier:1', 'mistake:nan-on-fully-masked-row', 'tier:2'];
    expect(revealedHints(source, revealed)).toEqual([
      { label: 'Hint 1/3', text: 'Try x = [1000, 1001] by hand.' },
      { label: 'Hint for “no special case for an all −Infinity row”', text: 'Check for that row before subtracting.' },
      { label: 'Hint 2/3', text: 'Where does the NaN come from on an all −Infinity row?' },
    ]);
    expect(revealedHints(source, ['mistake:nan-on-fully-masked-row'], 'zh-CN')).toEqual([{ label: 'Hint for “全为 −Infinity 的行没有特判”', text: '减之前先检查这一行。' }]);
  });

  test('drops hints the definition no longer has (the pack changed)', () => {
    expect(revealedHints(source, ['tier:4', 'mistake:gone', 'mistake:not-normalised', 'tier:3'])).toEqual([{ label: 'Hint 3/3', text: 'Divide by the sum.' }]);
  });
});

describe('allHintIds', () => {
  test('every tiered hint in order, then the hint of each misconception that has one', () => {
    expect(allHintIds(source)).toEqual(['tier:1', 'tier:2', 'tier:3', 'mistake:no-max-subtraction', 'mistake:nan-on-fully-masked-row']);
    expect(allHintIds({ hints: ['only'] })).toEqual(['tier:1']);
  });
});
