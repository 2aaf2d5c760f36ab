import { describe, expect, test } from 'vitest';
import { fiveCharacterLines, nextToken } from '../../src/mini-gpt/sample.js';

describe('sampling helpers', () => {
  test('a draw takes the token whose interval of softmax(logits / T) holds u', () => {
    // softmax([0, ln 3]) = [0.25, 0.75]; at T = 2 the logits halve: softmax([0, ln 3 / 2]) = [0.366025, 0.633975].
    expect([0, 0.2499, 0.2501, 0.9999].map((u) => nextToken([0, Math.log(3)], { temperature: 1 }, u))).toEqual([0, 0, 1, 1]);
    expect([0.366, 0.3661].map((u) => nextToken([0, Math.log(3)], { temperature: 2 }, u))).toEqual([0, 1]);
    expect(nextToken([1000, 0], { temperature: 1 }, 0.999999)).toBe(0);
  });

  test('five-character lines are counted between the marks; the cut ends are left out', () => {
    expect(fiveCharacterLines('山。\n白日依山盡，黃河入海流。欲窮千里目，更上一層樓。\n床前明月')).toEqual({ lines: 4, five: 4 });
    expect(fiveCharacterLines('，白日依山，黃河入海流流。欲窮千里目，')).toEqual({ lines: 3, five: 1 });
  });
});
