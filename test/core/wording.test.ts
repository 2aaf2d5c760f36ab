import { describe, expect, test } from 'vitest';
import { diffSequences, diffTensors } from '../../src/core/grading/tensor-diff.js';
import {
  arrayOfShape,
  expectedGotMessage,
  formatIndex,
  missingFieldMessage,
  numberArrayType,
  numberMessage,
  objectWithFields,
  rankMessage,
  sequenceMessage,
  shapeMessage,
  tensorMessage,
} from '../../src/core/grading/wording.js';

describe('types and shapes', () => {
  test('number arrays are named by rank and written with their shape', () => {
    expect(numberArrayType(0)).toBe('number');
    expect(numberArrayType(2)).toBe('number[][]');
    expect(arrayOfShape([3, 4])).toBe('number[][] of shape [3, 4]');
    expect(formatIndex([])).toBe('[]');
    expect(objectWithFields({ logits: 1, loss: 2 })).toBe('an object with fields {logits, loss}');
  });
});

describe('messages', () => {
  test('expected and got, with the path when there is one', () => {
    expect(expectedGotMessage('a number', 'a string', '')).toBe('Expected a number, got a string.');
    expect(expectedGotMessage('true', 'false', 'out.done')).toBe('Expected true for out.done, got false.');
  });

  test('one number says what the tolerance allowed', () => {
    expect(numberMessage(10, 11, { atol: 0.5, rtol: 0.1 }, 'loss')).toBe('Expected 10 for loss, got 11 (allowed 1.5).');
    expect(numberMessage(3, 4, 'exact', '')).toBe('Expected 3, got 4 (exact match required).');
  });

  test('rank and shape mismatches name both shapes, and a swapped matrix is pointed out', () => {
    expect(rankMessage([2, 3], [6], 'x')).toBe('Expected number[][] for x, got number[] (shape [6] instead of [2, 3]).');
    expect(shapeMessage([2, 3], [3, 2], '')).toBe('Expected shape [2, 3], got [3, 2] (transposed?).');
    expect(shapeMessage([2, 3], [2, 4], '')).toBe('Expected shape [2, 3], got [2, 4].');
  });

  test('a missing field lists the expected ones', () => {
    expect(missingFieldMessage('loss', ['logits', 'loss'])).toBe('The returned object has no field "loss" (expected fields: logits, loss).');
  });

  test('a tensor message counts the mismatches and names the worst differences, exact or not', () => {
    const exact = diffTensors([1, 2, 3, 4], [1, 2, 3, 6], [4], 'exact')!;
    expect(tensorMessage(exact, 'out')).toBe(
      'Mismatched elements in out: 1 / 4 (25.0%). Greatest absolute difference 2 at [3] (exact match required). Greatest relative difference 0.5 at [3].',
    );
  });

  test('a sequence message says where lists differ first, and their lengths when those differ', () => {
    expect(sequenceMessage(diffSequences([1, 2, 3], [1, 5, 3])!, '')).toBe('Lists differ first at index 1.');
    expect(sequenceMessage(diffSequences('ab', 'abc')!, 'tokens')).toBe('Strings differ (tokens) first at character 2. Expected length 2, got 3.');
  });
});
