import { expect, test } from 'vitest';
import { diffTensors } from '../../src/core/grading/tensor-diff.js';
import { centredRange, layoutWindow } from '../../src/report/diff-layout.js';

test('centredRange keeps up to `most` positions around the centre, shifted to stay inside', () => {
  expect(centredRange(10, 5, 3)).toEqual([4, 5, 6]);
  expect(centredRange(10, 0, 3)).toEqual([0, 1, 2]);
  expect(centredRange(10, 9, 4)).toEqual([6, 7, 8, 9]);
  expect(centredRange(2, 1, 5)).toEqual([0, 1]);
  expect(centredRange(4, 2, 0)).toEqual([2]);
});

test('a matrix window is cut to the columns and rows around the worst element', () => {
  const want = Array.from({ length: 9 }, (_, r) => Array.from({ length: 9 }, (_, c) => r * 9 + c));
  const got = want.map((row) => [...row]);
  got[4][6] = -1;
  const layout = layoutWindow(diffTensors(want, got, [9, 9], 'exact')!, 3, 3);
  expect(layout.columns).toEqual(['5', '6', '7']);
  expect(layout.rowLabels).toEqual(['3', '4', '5']);
  expect(layout.got[1].map((cell) => cell.text)).toEqual(['41', '-1', '43']);
  expect(layout.got[1].map((cell) => cell.bad)).toEqual([false, true, false]);
});
