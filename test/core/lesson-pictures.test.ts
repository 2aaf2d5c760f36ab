import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { isPictureKind, lessonPictureProblems, parseBars, parseHeatmap } from '../../src/core/authoring/lesson-pictures.js';

describe('parsing picture blocks', () => {
  test('a heatmap: title, column labels, and rows of numbers kept as written', () => {
    expect(parseHeatmap('title: weights\n  k0 k1\nq0 0.5 −1e-3\nq1 .25 2')).toEqual({
      title: 'weights',
      columns: ['k0', 'k1'],
      rows: [
        { label: 'q0', cells: [{ text: '0.5', value: 0.5 }, { text: '−1e-3', value: -0.001 }] },
        { label: 'q1', cells: [{ text: '.25', value: 0.25 }, { text: '2', value: 2 }] },
      ],
    });
  });

  test('bars: the full bar is the largest value, or the max: line', () => {
    expect(parseBars('a 1\nb 3')).toMatchObject({ full: 3, rows: [{ label: 'a' }, { label: 'b' }] });
    expect(parseBars('title: t\nmax: 10\n  long label 3')).toMatchObject({ title: 't', full: 10, rows: [{ label: '  long label', value: { value: 3 } }] });
  });

  test('the languages that are pictures', () => {
    expect(['heatmap', 'bars', 'python', undefined].map(isPictureKind)).toEqual([true, true, false, false]);
  });
});

describe('lessonPictureProblems', () => {
  test('names each malformed block by kind, number and title, inside lists too; good blocks and other code pass', () => {
    const lesson = [
      '# T',
      '',
      '```heatmap\na b\nx 1 2\n```',
      '',
      '```bars\ntitle: shares\na 1\nb x\n```',
      '',
      '- item',
      '',
      '  ```heatmap',
      '  a b',
      '  x 1',
      '  ```',
      '',
      '```python\nnot a picture\n```',
    ].join('\n');
    expect(lessonPictureProblems(lesson)).toEqual(['bars block 1 ("shares"): row 2 (b): "x" is not a number ≥ 0', 'heatmap block 2: row 1 (x) has 1 value; the header has 2 columns']);
  });

  test('every picture in the built-in lessons parses', async () => {
    const root = path.join(builtinPacksDir, 'transformer-core');
    const lessons = (await fs.readdir(root, { recursive: true })).filter((name) => String(name).endsWith('lesson.md'));
    expect(lessons.length).toBeGreaterThan(20);
    for (const name of lessons) expect(lessonPictureProblems(await fs.readFile(path.join(root, String(name)), 'utf8')), String(name)).toEqual([]);
  });
});
