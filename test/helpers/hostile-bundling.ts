import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Learner files that try to make the bundler read what is not theirs, or
 * choke it: each is planted as a learner's foundations/softmax.ts (with the
 * files, links and pipes it needs) by the bundling tests and the end-to-end
 * test. They are made here rather than kept in fixtures/: links, pipes and
 * files of tens of megabytes do not belong in the repository.
 */
export interface HostileTree {
  /** The learner's softmax.ts. */
  learner: string;
  /** A file outside the learner's exercises folder whose content must never show. */
  secretFile: string;
  /** A classmate's softmax.ts, outside this learner's exercises folder. */
  classmateFile: string;
}

export interface HostileCase {
  plant(tree: HostileTree): Promise<void>;
  /** What the bundle problem says. */
  message: RegExp;
}

/** A secret's content: several lines, the second one the marker tests look for. */
export function secretContent(marker: string): string {
  return `root:$6$salt$hash:19000:0:99999:7:::\n${marker}\n[remote "origin"] url = https://x-access-token:${marker}@example.com/class.git\n`;
}

/** A marker no test output could hold by chance. */
export function newMarker(): string {
  return `LLM-TUTOR-SECRET-${randomBytes(8).toString('hex')}`;
}

const honestSoftmax = `export function softmax(x: number[]): number[] {
  const max = Math.max(...x);
  if (max === -Infinity) return x.map(() => 0);
  const exps = x.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
`;

const beside = (tree: HostileTree, name: string) => path.join(path.dirname(tree.learner), name);
const exercisesOf = (tree: HostileTree) => path.dirname(path.dirname(path.dirname(tree.learner)));
const importing = (specifier: string, attributes = '') => `import leak from ${JSON.stringify(specifier)}${attributes};\nexport function softmax(x: number[]): number[] {\n  return [String(leak).length, ...x];\n}\n`;
const replace = async (file: string) => fs.rm(file, { force: true });

/** Bytes of one source line of `(`…`)` nesting `depth` deep around `1`. */
const nested = (depth: number) => `export const deep = ${'('.repeat(depth)}1${')'.repeat(depth)};\n${honestSoftmax}`;

export const hostileCases: Record<string, HostileCase> = {
  'links-to-secret': {
    plant: async (t) => {
      await replace(t.learner);
      await fs.symlink(t.secretFile, t.learner);
    },
    message: /softmax\.ts is a link to \/.*secret.*, which is outside your exercises folder/,
  },
  'links-to-dev-zero': {
    plant: async (t) => {
      await replace(t.learner);
      await fs.symlink('/dev/zero', t.learner);
    },
    message: /softmax\.ts is a link to \/dev\/zero, which is outside your exercises folder/,
  },
  'is-a-named-pipe': {
    plant: async (t) => {
      await replace(t.learner);
      execFileSync('mkfifo', [t.learner]);
    },
    message: /softmax\.ts is a named pipe, not a source file/,
  },
  'imports-link-to-secret': {
    plant: async (t) => {
      await fs.symlink(t.secretFile, beside(t, 'leak.ts'));
      await fs.writeFile(t.learner, importing('./leak.js'));
    },
    message: /imports "\.\/leak\.js": .*leak\.ts is a link to \/.*, which is outside your exercises folder/,
  },
  'imports-link-to-classmate': {
    plant: async (t) => {
      await fs.symlink(t.classmateFile, beside(t, 'peer.ts'));
      await fs.writeFile(t.learner, `export { softmax } from './peer.js';\n`);
    },
    message: /imports "\.\/peer\.js": .*peer\.ts is a link to \/.*, which is outside your exercises folder/,
  },
  'imports-classmate-by-path': {
    plant: async (t) => fs.writeFile(t.learner, `export { softmax } from ${JSON.stringify(t.classmateFile)};\n`),
    message: /imports ".*softmax\.ts", which is outside your exercises folder/,
  },
  'imports-as-text': {
    plant: async (t) => {
      await fs.symlink(t.secretFile, beside(t, 'leak.ts'));
      await fs.writeFile(t.learner, importing('./leak.ts', " with { type: 'text' }"));
    },
    message: /imports "\.\/leak\.ts" with \{ type: "text" \}: import attributes .* are not allowed/,
  },
  'imports-a-text-file': {
    plant: async (t) => {
      await fs.copyFile(t.secretFile, beside(t, 'secret.txt'));
      await fs.writeFile(t.learner, importing('./secret.txt'));
    },
    message: /imports "\.\/secret\.txt", which is not a \.ts, \.js, \.mts or \.mjs file/,
  },
  'imports-a-link-named-ts-to-a-text-file': {
    plant: async (t) => {
      await fs.copyFile(t.secretFile, beside(t, 'notes.txt'));
      await fs.symlink('notes.txt', beside(t, 'notes.ts'));
      await fs.writeFile(t.learner, importing('./notes.js'));
    },
    message: /imports "\.\/notes\.js": .*notes\.ts is a link to .*notes\.txt, which is not a \.ts, \.js, \.mts or \.mjs file/,
  },
  'imports-package-json-main': {
    plant: async (t) => {
      await fs.mkdir(beside(t, 'pkg'));
      await fs.writeFile(path.join(beside(t, 'pkg'), 'package.json'), JSON.stringify({ main: t.secretFile, exports: { '.': t.secretFile } }));
      await fs.writeFile(t.learner, importing('./pkg'));
    },
    message: /imports "\.\/pkg", which is a folder: import a file in it/,
  },
  'imports-a-package': {
    plant: async (t) => {
      const pkg = path.join(exercisesOf(t), 'node_modules', 'leak');
      await fs.mkdir(pkg, { recursive: true });
      await fs.writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'leak', main: t.secretFile }));
      await fs.writeFile(t.learner, importing('leak'));
    },
    message: /imports the package "leak": exercises run without npm packages/,
  },
  'imports-a-folder-index': {
    plant: async (t) => {
      await fs.mkdir(beside(t, 'impl'));
      await fs.writeFile(path.join(beside(t, 'impl'), 'index.ts'), honestSoftmax);
      await fs.writeFile(t.learner, `export { softmax } from './impl';\n`);
    },
    message: /imports "\.\/impl", which is a folder: import a file in it, such as "\.\/impl\/index\.js"/,
  },
  'tsconfig-paths-to-secret': {
    plant: async (t) => {
      const tsconfig = { extends: t.secretFile, compilerOptions: { baseUrl: '.', paths: { leak: [t.secretFile], '*': [t.secretFile] } } };
      await fs.writeFile(path.join(exercisesOf(t), 'tsconfig.json'), JSON.stringify(tsconfig));
      await fs.writeFile(path.join(path.dirname(exercisesOf(t)), 'tsconfig.json'), JSON.stringify(tsconfig));
      await fs.writeFile(t.learner, importing('leak'));
    },
    message: /imports the package "leak": exercises run without npm packages/,
  },
  'hard-link-to-secret': {
    plant: async (t) => {
      await fs.link(t.secretFile, beside(t, 'leak.ts'));
      await fs.writeFile(t.learner, importing('./leak.js'));
    },
    message: /imports "\.\/leak\.js": .*leak\.ts has \d+ hard links, so it may be another file's content/,
  },
  'imports-by-url': {
    plant: async (t) => fs.writeFile(t.learner, importing(`file://${t.secretFile}`)),
    message: /imports "file:\/\/.*": a learner file may not import by URL/,
  },
  'too-big': {
    // The 4 MB of nested parentheses that once overflowed esbuild's stack.
    plant: async (t) => fs.writeFile(t.learner, nested(2 * 1024 * 1024)),
    message: /softmax\.ts is 4\.0 MiB; a source file may be at most 1 MiB/,
  },
  huge: {
    plant: async (t) => fs.writeFile(t.learner, `${honestSoftmax}${'export const padding = [1, 2, 3, 4, 5, 6, 7, 8];\n'.repeat(880_000)}`),
    message: /softmax\.ts is 4\d\.\d MiB; a source file may be at most 1 MiB/,
  },
  'deeply-nested': {
    plant: async (t) => fs.writeFile(t.learner, nested(450_000)),
    message: /softmax\.ts:1: nests brackets more than 500 deep: split it into smaller statements/,
  },
  'long-chain': {
    plant: async (t) => fs.writeFile(t.learner, `${honestSoftmax}export const chained = ${'!'.repeat(600_000)}0;\n`),
    message: /softmax\.ts:8: chains more than 1000 operators, keywords and brackets in one statement/,
  },
  'too-many-files': {
    plant: async (t) => {
      for (let i = 0; i < 201; i++) {
        const next = i < 200 ? `import './chain-${i + 1}.js';\n` : '';
        await fs.writeFile(beside(t, `chain-${i}.ts`), `${next}export const link${i} = ${i};\n`);
      }
      await fs.writeFile(t.learner, `import './chain-0.js';\n${honestSoftmax}`);
    },
    message: /imports more than 200 files in all/,
  },
  'too-much-source': {
    plant: async (t) => {
      const filler = `// ${'x'.repeat(76)}\n`.repeat(11_000);
      for (let i = 0; i < 5; i++) await fs.writeFile(beside(t, `part-${i}.ts`), `${filler}export const part${i} = ${i};\n`);
      await fs.writeFile(t.learner, `${[0, 1, 2, 3, 4].map((i) => `import './part-${i}.js';`).join('\n')}\n${honestSoftmax}`);
    },
    message: /imports more than 4 MiB of source in all/,
  },
};

/** A learner's own files, imported the ways a learner writes imports: all must bundle. */
export const ownImports: Record<string, (tree: HostileTree) => Promise<void>> = {
  'a sibling by its .js name': async (t) => {
    await fs.writeFile(beside(t, 'impl.ts'), honestSoftmax);
    await fs.writeFile(t.learner, `export { softmax } from './impl.js';\n`);
  },
  'a sibling without an ending': async (t) => {
    await fs.writeFile(beside(t, 'impl.ts'), honestSoftmax);
    await fs.writeFile(t.learner, `export { softmax } from './impl';\n`);
  },
  'a sibling by its .ts name': async (t) => {
    await fs.writeFile(beside(t, 'impl.ts'), honestSoftmax);
    await fs.writeFile(t.learner, `export { softmax } from './impl.ts';\n`);
  },
  'an .mts file by its .mjs name': async (t) => {
    await fs.writeFile(beside(t, 'impl.mts'), honestSoftmax);
    await fs.writeFile(t.learner, `export { softmax } from './impl.mjs';\n`);
  },
  'a .js file': async (t) => {
    await fs.writeFile(beside(t, 'impl.js'), honestSoftmax.replace(/: number\[\]/g, ''));
    await fs.writeFile(t.learner, `export { softmax } from './impl.js';\n`);
  },
  'a file of another folder, and a link within the exercises folder': async (t) => {
    const other = path.join(exercisesOf(t), 'transformer-core', 'attention');
    await fs.mkdir(other, { recursive: true });
    await fs.writeFile(path.join(other, 'helper.ts'), honestSoftmax);
    await fs.symlink(path.join(other, 'helper.ts'), beside(t, 'linked.ts'));
    await fs.writeFile(t.learner, `import { softmax as viaLink } from './linked.js';\nexport { softmax } from '../attention/helper.js';\nexport const same = viaLink;\n`);
  },
  'Node built-ins and require': async (t) => {
    await fs.writeFile(beside(t, 'impl.ts'), honestSoftmax);
    await fs.writeFile(t.learner, `import { EventEmitter } from 'node:events';\nimport path from 'path';\nconst impl = require('./impl.js');\nexport const tools = [EventEmitter, path];\nexport const softmax: (x: number[]) => number[] = impl.softmax;\n`);
  },
};

/** An honest softmax, for a learner file that must pass. */
export { honestSoftmax };
