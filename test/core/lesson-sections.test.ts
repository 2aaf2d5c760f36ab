import { describe, expect, test } from 'vitest';
import { afterPassSections, lessonSection, lessonSummary, withInPracticeHeldBack } from '../../src/core/packs/lesson-sections.js';

const lesson = `# Softmax

**The idea.** Softmax turns a vector of \`scores\` into probabilities.

## Check yourself

Adding a constant to every score changes nothing.

\`\`\`python
## not a heading: a comment in code
result = torch.softmax(x, dim=-1)
\`\`\`

### A detail

Still part of the section.

## Where it comes from

Bridle, 1990.

## In practice: PyTorch and TensorFlow.js

\`torch.softmax(x, dim=-1)\`.
`;

describe('lesson sections', () => {
  test('a section runs to the next heading of level 2 or 1; headings inside code blocks and deeper headings belong to it', () => {
    const section = lessonSection(lesson, (h) => h === 'Check yourself');
    expect(section?.heading).toBe('Check yourself');
    expect(section?.markdown).toContain('## not a heading: a comment in code');
    expect(section?.markdown).toContain('### A detail\n\nStill part of the section.');
    expect(section?.markdown).not.toContain('Bridle');
  });

  test('after a pass: "Check yourself" and the "In practice" section, whatever follows "In practice"', () => {
    const { checkYourself, inPractice } = afterPassSections(lesson);
    expect(checkYourself?.markdown).toMatch(/^Adding a constant/);
    expect(inPractice).toEqual({ heading: 'In practice: PyTorch and TensorFlow.js', markdown: '`torch.softmax(x, dim=-1)`.' });
  });

  test('a lesson without them has neither', () => {
    expect(afterPassSections('# T\n\n**The idea.** x.\n\n## Pitfalls\n\nNone.\n')).toEqual({ checkYourself: undefined, inPractice: undefined });
  });

  test('the summary is the first paragraph as plain text', () => {
    expect(lessonSummary(lesson)).toBe('Softmax turns a vector of scores into probabilities.');
  });
});

describe('the "In practice" section held back', () => {
  test('its body is replaced by a line saying when it shows; what follows it stays', () => {
    const held = withInPracticeHeldBack(`${lesson}\n## After\n\nMore.\n`);
    expect(held).toContain('## In practice: PyTorch and TensorFlow.js\n\n*Shown once your file passes');
    expect(held).not.toContain('torch.softmax(x, dim=-1)`.');
    expect(held).toContain('## After\n\nMore.');
    // Everything before it is as written.
    expect(held.startsWith(lesson.slice(0, lesson.indexOf('## In practice')))).toBe(true);
  });

  test('a lesson without the section is unchanged', () => {
    expect(withInPracticeHeldBack('# T\n\nText.\n')).toBe('# T\n\nText.\n');
  });
});
