import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, tempDir } from './cli.js';

/** A copy of the built llm-tutor package whose built-in packs a test chooses; `bin` is for runCli's `bin` option. */
export interface PackageCopy {
  root: string;
  bin: string;
}

interface Manifest {
  id: string;
  exercises: { id: string; title: string }[];
  [field: string]: unknown;
}

/** The manifest of a pack folder of this repository (`exercises/transformer-core`, `fixtures/packs/points`). */
export function manifestOf(packDir: string): Manifest {
  return JSON.parse(readFileSync(path.join(repoRoot, packDir, 'pack.json'), 'utf8')) as Manifest;
}

/**
 * Copies the built package (bin/, dist/, fixtures/, package.json; node_modules
 * as a link to this repository's) into a temporary folder, with no built-in
 * pack yet: {@link addBuiltinPack} adds them.
 */
export async function copyPackage(): Promise<PackageCopy> {
  const root = path.join(tempDir('llm-tutor-package-'), 'llm-tutor');
  await fs.mkdir(path.join(root, 'exercises'), { recursive: true });
  for (const entry of ['bin', 'dist', 'fixtures', 'package.json']) await fs.cp(path.join(repoRoot, entry), path.join(root, entry), { recursive: true });
  await fs.symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return { root, bin: path.join(root, 'bin', 'llm-tutor.js') };
}

/**
 * Makes `manifest` a built-in pack of `copy`: its pack.json, the files at the
 * root of the pack folder `from` (relative to this repository; modules its
 * definitions share) and each exercise folder it lists, as an llm-tutor update
 * that ships a new pack would.
 */
export async function addBuiltinPack(copy: PackageCopy, from: string, manifest: Manifest): Promise<void> {
  const dir = path.join(copy.root, 'exercises', manifest.id);
  await fs.mkdir(dir, { recursive: true });
  const shared = (await fs.readdir(path.join(repoRoot, from), { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.ts'));
  for (const file of shared) await fs.copyFile(path.join(repoRoot, from, file.name), path.join(dir, file.name));
  for (const exercise of manifest.exercises) await fs.cp(path.join(repoRoot, from, exercise.id), path.join(dir, exercise.id), { recursive: true });
  await fs.writeFile(path.join(dir, 'pack.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** transformer-core cut down to its first `count` exercises, same id and version. */
export function firstOfTransformerCore(count: number): Manifest {
  const manifest = manifestOf('exercises/transformer-core');
  return { ...manifest, exercises: manifest.exercises.slice(0, count) };
}

/** A second built-in pack for tests: `training` 0.1.0, requiring transformer-core, with the two exercises of fixtures/packs/points. */
export function trainingForTests(): Manifest {
  return {
    formatVersion: 1,
    id: 'training',
    title: 'Training',
    version: '0.1.0',
    requires: { packs: ['transformer-core'] },
    exercises: manifestOf('fixtures/packs/points').exercises.map(({ id, title }) => ({ id, title })),
  };
}
