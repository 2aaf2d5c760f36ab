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
      marks: [],
    });
  });

  test('a heatmap\'s mark: line names the diagonal (as far as the shorter side goes) or cells by their row and column labels', () => {
    expect(parseHeatmap('title: t\nmark: diagonal\n  k0 k1 k2\nq0 1 2 3\nq1 4 5 6')).toMatchObject({ title: 't', marks: [[0, 0], [1, 1]], markNote: 'the diagonal' });
    expect(parseHeatmap('mark: q1 k0;  q0 k2\n  k0 k1 k2\nq0 1 2 3\nq1 4 5 6')).toMatchObject({ marks: [[1, 0], [0, 2]], markNote: 'marked' });
    expect(parseHeatmap('mark: q0 k3\n  k0 k1\nq0 1 2')).toBe('mark: "k3" is not a column label');
    expect(parseHeatmap('mark: q2 k0\n  k0 k1\nq0 1 2')).toBe('mark: "q2" is not a row label');
    expect(parseHeatmap('mark: q0\n  k0 k1\nq0 1 2')).toBe('mark: "q0" should be a row label and a column label (cells separated by ";"), or "diagonal"');
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

  test('every picture in the built-in lessons of every pack parses', async () => {
    const lessons = (await fs.readdir(builtinPacksDir, { recursive: true })).map(String).filter((name) => name.endsWith('lesson.md'));
    expect(lessons.filter((name) => name.startsWith('transformer-core')).length).toBeGreaterThan(20);
    for (const name of lessons) expect(lessonPictureProblems(await fs.readFile(path.join(builtinPacksDir, name), 'utf8')), name).toEqual([]);
  });
});
