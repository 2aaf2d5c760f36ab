import { expect, test } from 'vitest';
import { compareOutputs } from '../../src/core/grading/compare.js';
import { renderDiff } from '../../src/report/html-diff.js';

test('a rank-3 output read back from a results file: both tables captioned with the slice [1, :, :], its rows only, at one precision', () => {
  const want = [
    [[1, -0], [0.5, 0.5]],
    [[1, 0], [0.99609375, 0.00390625]],
  ];
  const got = structuredClone(want);
  got[1][1] = [0.9921875, 0.0078125];
  const result = compareOutputs(want, got, { atol: 1e-5, rtol: 1e-4 });
  if (result.ok) throw new Error('expected a mismatch');
  const html = renderDiff(JSON.parse(JSON.stringify(result.mismatch)));
  const tables = [...html.matchAll(/<caption>([^<]*)<\/caption>.*?<tbody>(.*?)<\/tbody>/g)].map(([, caption, body]) => ({
    caption,
    rows: [...body.matchAll(/<tr><th scope="row">(\d+)<\/th>(.*?)<\/tr>/g)].map(([, label, cells]) => [label, ...[...cells.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1])]),
  }));
  expect(tables).toEqual([
    { caption: 'expected [1, :, :]', rows: [['0', '1.00000000', '0.00000000'], ['1', '0.99609375', '0.00390625']] },
    { caption: 'got [1, :, :]', rows: [['0', '1.00000000', '0.00000000'], ['1', '0.99218750', '0.00781250']] },
  ]);
});
