import { expect, test } from 'vitest';
import { inOrder } from '../../src/core/common/in-order.js';

test('items delivered out of order are emitted in index order, each as soon as those before it are in', () => {
  const emitted: string[] = [];
  const deliver = inOrder<string>((item) => emitted.push(item));
  deliver(1, 'b');
  deliver(2, 'c');
  expect(emitted).toEqual([]);
  deliver(0, 'a');
  expect(emitted).toEqual(['a', 'b', 'c']);
  deliver(4, 'e');
  expect(emitted).toEqual(['a', 'b', 'c']);
  deliver(3, 'd');
  expect(emitted).toEqual(['a', 'b', 'c', 'd', 'e']);
});

test('items delivered in order are emitted at once', () => {
  const emitted: number[] = [];
  const deliver = inOrder<number>((item) => emitted.push(item));
  for (const i of [0, 1, 2]) {
    deliver(i, i * 10);
    expect(emitted).toEqual([0, 10, 20].slice(0, i + 1));
  }
});
