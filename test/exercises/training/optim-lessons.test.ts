import { describe, expect, test } from 'vitest';
import { trainingFile } from './optim-helpers.js';

const ids = ['optim/adamw', 'optim/lr-schedule', 'optim/clip-grad-norm', 'optim/dropout', 'optim/loss-scaling'];
const order = ['The formula', 'A worked example', 'Pitfalls', 'Conventions', 'Check yourself', 'Where it comes from', 'What it is for', 'In practice: PyTorch and TensorFlow.js'];

describe.each(ids)('the lesson of %s', (id) => {
  test('has the sections of the pack, in order, In practice last', async () => {
    const lesson = await trainingFile(id, 'lesson.md');
    expect([...lesson.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(order);
  });

  test('In practice: a sentence, a python block, a js block, then What differs', async () => {
    const lesson = await trainingFile(id, 'lesson.md');
    const last = lesson.slice(lesson.lastIndexOf('\n## '));
    expect([...last.matchAll(/^```(\w*)$/gm)].map((m) => m[1]).filter(Boolean)).toEqual(['python', 'js']);
    expect(last).toMatch(/```python\n[\s\S]*^result = [\s\S]*```\n\n```js\n[\s\S]*^const result = [\s\S]*```\n\n\*\*What differs\.\*\* \S/m);
  });

  test('every line of code fits 76 columns', async () => {
    const lesson = await trainingFile(id, 'lesson.md');
    const fenced = [...lesson.matchAll(/```\w*\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));
    for (const line of fenced) expect([...line].length, line).toBeLessThanOrEqual(76);
  });
});
