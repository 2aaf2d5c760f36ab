import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { packageRoot } from '../common/paths.js';
import { version } from '../common/version.js';

const lesson = `# ReLU

**The idea.** The rectified linear unit keeps positive numbers and replaces negative ones with 0. It is the simplest non-linearity: without one, a stack of linear layers is still one linear layer.

## The formula

    relu(x)_i = max(0, x_i)

## A worked example

relu([-2, -0.5, 0, 1.5, 3]) = [0, 0, 0, 1.5, 3].

## Pitfalls

- Keeping the negatives and zeroing the positives: the comparison is the wrong way round.
- A leaky ReLU (0.01·x for x < 0) is a different function, used on purpose in some models.

## Where it comes from

Nair & Hinton (2010); the default activation of deep networks for years, before GELU and SwiGLU in Transformers.
`;

const starter = `/**
 * basics/relu — max(0, x) for every entry.
 * Run \`llm-tutor lesson basics/relu\` for the lesson.
 */
export function relu(x: Vector): Vector {
  throw new Error('not implemented');
}
`;

const solution = `/** basics/relu — model solution. */
export function relu(x: Vector): Vector {
  return x.map((v) => (v > 0 ? v : 0));
}
`;

const definition = `import { defineExercise, randomVector } from 'llm-tutor/pack';

type Args = [x: number[]];

export default defineExercise<Args, number[]>({
  entry: 'relu',
  signature: 'relu(x: Vector): Vector',
  // Seeded cases: the lesson's example first, then random ones, then edge cases with names a learner understands.
  cases: (rng) => [
    { name: 'the lesson example', args: [[-2, -0.5, 0, 1.5, 3]] },
    { name: 'random values (10)', args: [randomVector(rng, 10, 2)] },
    { name: 'all negative', args: [[-3, -1, -0.25]] },
    { name: 'all positive', args: [[0.5, 2, 7]] },
  ],
  // The trusted implementation, with TensorFlow.js (ctx.tf) or plain TypeScript.
  reference: ({ tf }, x) => tf.relu(tf.tensor1d(x)),
  // Known mistakes: a learner whose output matches one of these is told what went wrong,
  // and \`llm-tutor hint\` offers that mistake's hint before the tiered ones.
  misconceptions: [
    {
      id: 'comparison-reversed',
      title: 'the comparison is the wrong way round',
      message: 'Your output keeps the negative entries and zeroes the positive ones: keep x when x > 0.',
      hint: 'Try x = [-2, 3] by hand: which entry should survive? Check the direction of your comparison.',
      wrong: (_ctx, x) => x.map((v) => (v < 0 ? v : 0)),
    },
    {
      id: 'leaky',
      title: 'a leaky ReLU instead of a ReLU',
      message: 'Negative entries must become exactly 0, not 0.01·x: that is the leaky ReLU, a different function.',
      hint: 'What should a negative entry become: a small multiple of itself, or exactly 0?',
      wrong: (_ctx, x) => x.map((v) => (v > 0 ? v : 0.01 * v)),
    },
  ],
  // Tiered hints: a nudge first, the key idea last.
  hints: ['Look at each entry on its own: what happens to a negative one?', 'x.map((v) => (v > 0 ? v : 0)).'],
});
`;

const envTypes = `// The types llm-tutor workspaces declare, so starters and solutions type-check here too.
type Vector = number[];
type Matrix = number[][];
`;

/**
 * Creates a new pack in `dir` with one complete example exercise
 * (`basics/relu`) that passes `llm-tutor pack validate` as generated, a
 * package.json so it can be published or packed with npm, and editor set-up
 * (JSON Schema for pack.json, types for `llm-tutor/pack`).
 */
export async function scaffoldPack(dir: string, id: string): Promise<string[]> {
  if (existsSync(path.join(dir, 'pack.json'))) throw new UserError(`${dir} already holds a pack (pack.json exists).`, { next: 'Choose an empty folder.' });
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new UserError(`"${id}" is not a valid pack id.`, { next: 'Use lower-case words joined by "-", e.g. --id my-course.', exitCode: 2 });
  const toPosix = (p: string) => p.split(path.sep).join('/');
  const schema = toPosix(path.relative(dir, path.join(packageRoot, 'schemas', 'pack.schema.json')));
  const packApiTypes = toPosix(path.relative(dir, path.join(packageRoot, 'dist', 'pack-api.d.ts')));
  const files: Record<string, string> = {
    'pack.json': `${JSON.stringify(
      {
        $schema: schema,
        formatVersion: 1,
        id,
        title: id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase()),
        version: '0.1.0',
        description: 'Describe what a learner builds in this pack.',
        requires: { packs: [], llmTutor: `>=${version}` },
        exercises: [{ id: 'basics/relu', title: 'ReLU' }],
      },
      null,
      2,
    )}\n`,
    'package.json': `${JSON.stringify(
      {
        name: `llm-tutor-pack-${id}`,
        version: '0.1.0',
        description: `An llm-tutor exercise pack: ${id}`,
        keywords: ['llm-tutor-pack'],
        files: ['pack.json', '**/*.md', '**/*.ts', '!node_modules'],
        peerDependencies: { 'llm-tutor': `>=${version}` },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM'],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          paths: { 'llm-tutor/pack': [packApiTypes] },
        },
        include: ['**/*.ts'],
      },
      null,
      2,
    )}\n`,
    'env.d.ts': envTypes,
    'README.md': `# ${id}\n\nAn llm-tutor exercise pack. Check it with \`llm-tutor pack validate .\`; enable it in a workspace with \`llm-tutor pack add <this folder>\`, or publish it with \`npm publish\` and \`llm-tutor pack add ${`llm-tutor-pack-${id}`}\`.\n\nSee docs/authoring.md in llm-tutor for how to write an exercise.\n`,
    'basics/relu/lesson.md': lesson,
    'basics/relu/starter.ts': starter,
    'basics/relu/solution.ts': solution,
    'basics/relu/exercise.ts': definition,
  };
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content, { flag: 'wx' });
  }
  return Object.keys(files);
}
