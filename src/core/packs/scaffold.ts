import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../common/json-file.js';
import { exerciseIdSchema, schemaMessage } from '../common/schemas.js';
import { exerciseFiles, loadPack } from './packs.js';
import { version } from '../common/version.js';
import { t } from '../../i18n/i18n.js';

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

/** What an exercise's templates are written for: its id, the function it exports, and a line saying what that function computes. */
interface ExerciseTemplate {
  id: string;
  entry: string;
  summary: string;
}

/** The worked example of `pack new`. */
const reluExample: ExerciseTemplate = { id: 'basics/relu', entry: 'relu', summary: 'max(0, x) for every entry.' };

/** The lesson of an exercise added with `pack new-exercise`: the sections a lesson has, to fill in. */
const lessonOutline = (title: string) => `# ${title}

**The idea.** In a sentence or two, what this computes and why a model needs it: the tutor shows this paragraph as the exercise's summary.

## The formula

## A worked example

## Pitfalls

## Where it comes from
`;

const starter = (t: ExerciseTemplate) => `/**
 * ${t.id} — ${t.summary}
 * Run \`llm-tutor lesson ${t.id}\` for the lesson.
 */
export function ${t.entry}(x: Vector): Vector {
  throw new Error('not implemented');
}
`;

const solution = (t: ExerciseTemplate) => `/** ${t.id} — model solution. */
export function ${t.entry}(x: Vector): Vector {
  return x.map((v) => (v > 0 ? v : 0));
}
`;

const definition = (t: ExerciseTemplate) => `import { defineExercise, randomVector } from 'llm-tutor/pack';

type Args = [x: number[]];

export default defineExercise<Args, number[]>({
  entry: '${t.entry}',
  signature: '${t.entry}(x: Vector): Vector',
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


/** An exercise's four files, by their path in the pack. */
function exerciseFilesOf(t: ExerciseTemplate, lesson: string): Record<string, string> {
  const { id } = t;
  return {
    [`${id}/${exerciseFiles.lesson}`]: lesson,
    [`${id}/${exerciseFiles.starter}`]: starter(t),
    [`${id}/${exerciseFiles.solution}`]: solution(t),
    [`${id}/${exerciseFiles.definition}`]: definition(t),
  };
}

/** Writes `files` (paths relative to `dir`, / separated) as new files: one that exists is never replaced. */
async function writeNewFiles(dir: string, files: Record<string, string>): Promise<string[]> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, ...name.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content, { flag: 'wx' });
  }
  return Object.keys(files);
}

/**
 * Creates a new pack in `dir` with one complete example exercise
 * (`basics/relu`) that passes `llm-tutor pack validate` as generated, a
 * package.json so it can be published or packed with npm, and editor set-up
 * (JSON Schema for pack.json, types for `llm-tutor/pack`). Both resolve
 * through the pack's devDependency on llm-tutor (node_modules/llm-tutor once
 * `npm install` ran in the pack), so no file names a path of this machine.
 * Returns the files written, relative to `dir`.
 */
export async function scaffoldPack(dir: string, id: string): Promise<string[]> {
  if (existsSync(path.join(dir, 'pack.json'))) throw new UserError(t`${dir} already holds a pack (pack.json exists).`, { next: t`Choose an empty folder, or add an exercise to it with \`llm-tutor pack new-exercise ${dir} <id>\`.` });
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new UserError(t`"${id}" is not a valid pack id.`, { next: t('Use lower-case words joined by "-", e.g. --id my-course.'), exitCode: 2 });
  const files: Record<string, string> = {
    'pack.json': `${JSON.stringify(
      {
        $schema: './node_modules/llm-tutor/schemas/pack.schema.json',
        formatVersion: 1,
        id,
        title: id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase()),
        version: '0.1.0',
        description: 'Describe what a learner builds in this pack.',
        requires: { packs: [], llmTutor: `>=${version}` },
        exercises: [{ id: reluExample.id, title: 'ReLU' }],
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
        // For the editor and tsc: the schema of pack.json and the types of llm-tutor/pack.
        devDependencies: { 'llm-tutor': `^${version}` },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        // NodeNext resolves 'llm-tutor/pack' through node_modules/llm-tutor's exports, types included.
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM'],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ['**/*.ts'],
      },
      null,
      2,
    )}\n`,
    'env.d.ts': envTypes,
    'README.md': `# ${id}\n\nAn llm-tutor exercise pack. Run \`npm install\` once (it installs llm-tutor for the editor's types and \`npx tsc\`). Check the pack with \`llm-tutor pack validate .\`; preview an exercise as a learner sees it with \`llm-tutor pack preview . <exercise id>\`; add one with \`llm-tutor pack new-exercise . <exercise id>\`. Enable it in a workspace with \`llm-tutor pack add <this folder>\`, or publish it with \`npm publish\` and \`llm-tutor pack add ${`llm-tutor-pack-${id}`}\`.\n\nSee docs/authoring.md in llm-tutor for how to write an exercise.\n`,
    ...exerciseFilesOf(reluExample, lesson),
  };
  return writeNewFiles(dir, files);
}

/** The function an exercise exports by default: the last part of its id in camelCase (`attention/causal-mask` → `causalMask`), without leading digits. */
export function entryNameOf(exerciseId: string): string {
  const last = exerciseId.split('/').pop()!.replace(/^[\d-]+/, '');
  return last.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()) || 'solve';
}

/** The title an exercise gets by default: the last part of its id in words (`causal-mask` → `Causal mask`). */
export function titleOf(exerciseId: string): string {
  return exerciseId.split('/').pop()!.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/**
 * Adds the exercise `exerciseId` to the pack in `dir`: its folder with the
 * scaffold's files (an outline of a lesson; a starter, solution and
 * definition that are the ReLU example under the exercise's own function
 * name, so that the pack still validates) and an entry at the end of
 * pack.json's `exercises`, written atomically. Refuses an invalid or taken id
 * and an existing folder. Returns the files written, relative to `dir`, and
 * the function name.
 */
export async function scaffoldExercise(dir: string, exerciseId: string, title = titleOf(exerciseId)): Promise<{ files: string[]; entry: string }> {
  const checked = exerciseIdSchema.safeParse(exerciseId);
  if (!checked.success) throw new UserError(t`"${exerciseId}" is not a valid exercise id: it ${schemaMessage(checked.error.issues[0].message)}.`, { exitCode: 2 });
  const manifestFile = path.join(dir, 'pack.json');
  if (!existsSync(manifestFile)) throw new UserError(t`${dir} holds no pack (no pack.json).`, { next: t`Create one with \`llm-tutor pack new ${dir}\`, or give the folder of an existing pack.`, exitCode: 2 });
  const pack = await loadPack(dir);
  if (pack.manifest.exercises.some((e) => e.id === exerciseId)) {
    throw new UserError(t`${manifestFile} already lists the exercise "${exerciseId}".`, { next: t('Choose another id, or edit the files in its folder.'), exitCode: 2 });
  }
  const folder = path.join(dir, ...exerciseId.split('/'));
  if (existsSync(folder)) throw new UserError(t`${folder} already exists, though pack.json does not list it.`, { next: t`Add { "id": "${exerciseId}", … } to pack.json's exercises by hand, or remove the folder.`, exitCode: 2 });
  const entry = entryNameOf(exerciseId);
  const files = await writeNewFiles(dir, exerciseFilesOf({ id: exerciseId, entry, summary: `describe what ${entry} computes (this is the ReLU example: replace it).` }, lessonOutline(title)));
  // Edit the file as written, not the parsed manifest, so that fields and their order stay as the author left them.
  const raw = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { exercises: { id: string; title: string }[] };
  raw.exercises.push({ id: exerciseId, title });
  await writeFileAtomic(manifestFile, `${JSON.stringify(raw, null, 2)}\n`);
  return { files, entry };
}
