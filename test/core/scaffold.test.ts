import { describe, expect, test } from 'vitest';
import { entryNameOf, titleOf } from '../../src/core/packs/scaffold.js';

describe('names pack new-exercise derives from an exercise id', () => {
  test.each([
    ['attention/causal-mask', 'causalMask', 'Causal mask'],
    ['relu', 'relu', 'Relu'],
    ['positions/rope-2d', 'rope2d', 'Rope 2d'],
    ['intro/01-dot-product', 'dotProduct', '01 dot product'],
    ['intro/42', 'solve', '42'],
  ])('%s → function %s, title "%s"', (id, entry, title) => {
    expect(entryNameOf(id)).toBe(entry);
    expect(titleOf(id)).toBe(title);
  });
});
