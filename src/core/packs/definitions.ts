import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadEsbuild } from '../common/cjs.js';
import { FileError, UserError } from '../../errors.js';
import { exerciseDefinitionSchema, type ExerciseDefinition } from '../authoring/exercise.js';
import { writeFailureReason } from '../common/errno.js';
import { describeZodIssues } from '../common/json-file.js';
import { exerciseFiles, type ExerciseRef } from './packs.js';
import { cacheDir, packApiFile } from '../common/paths.js';
import { version } from '../common/version.js';
import { t } from '../../i18n/i18n.js';

export { cacheDir };

interface CacheEntry {
  inputs: Record<string, string>;
}

async function fingerprint(file: string): Promise<string | undefined> {
  try {
    const stat = await fs.stat(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

async function bundleDefinition(entry: string, outfile: string): Promise<{ code: string; inputs: string[] }> {
  const esbuild = loadEsbuild();
  const packApiUrl = pathToFileURL(packApiFile).href;
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      metafile: true,
      // Source paths relative to where the module is written, so that a stack can point into exercise.ts.
      outfile,
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [
        {
          name: 'llm-tutor-pack-api',
          setup(build) {
            build.onResolve({ filter: /^llm-tutor\/pack$/ }, () => ({ path: packApiUrl, external: true }));
            build.onResolve({ filter: /^@tensorflow\// }, (args) => ({
              errors: [{ text: t`"${args.path}" cannot be imported by an exercise definition: use the \`tf\` handed to reference(ctx, ...) as ctx.tf` }],
            }));
          },
        },
      ],
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(p));
    return { code: result.outputFiles[0].text, inputs };
  } catch (error) {
    const failure = error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] };
    const first = failure.errors?.[0];
    if (first) {
      const where = first.location ? `${path.resolve(first.location.file)}:${first.location.line}:${first.location.column + 1}` : entry;
      throw new UserError(`${where}: ${first.text}`, { next: t('Fix the exercise definition, then run `llm-tutor pack validate`.') });
    }
    throw error;
  }
}

async function importDefinitionModule(entry: string): Promise<unknown> {
  const dir = cacheDir();
  const key = createHash('sha256').update(`${version}\0sourcemap\0${packApiFile}\0${entry}`).digest('hex').slice(0, 24);
  const moduleFile = path.join(dir, `${key}.mjs`);
  const indexFile = path.join(dir, `${key}.json`);
  if (existsSync(moduleFile) && existsSync(indexFile)) {
    try {
      const cached = JSON.parse(await fs.readFile(indexFile, 'utf8')) as CacheEntry;
      const current = await Promise.all(Object.keys(cached.inputs).map(async (f) => [f, await fingerprint(f)] as const));
      if (current.every(([f, fp]) => fp !== undefined && cached.inputs[f] === fp)) {
        return (await import(`${pathToFileURL(moduleFile).href}?v=${encodeURIComponent(Object.values(cached.inputs).join('|'))}`)).default;
      }
    } catch {
      // A damaged cache entry is rebuilt below.
    }
  }
  const { code, inputs } = await bundleDefinition(entry, moduleFile);
  const entryInputs: Record<string, string> = {};
  for (const input of inputs) entryInputs[input] = (await fingerprint(input)) ?? '';
  try {
    await fs.mkdir(dir, { recursive: true });
    const tempModule = `${moduleFile}.${process.pid}.tmp`;
    await fs.writeFile(tempModule, code);
    await fs.rename(tempModule, moduleFile);
    await fs.writeFile(indexFile, JSON.stringify({ inputs: entryInputs } satisfies CacheEntry));
    return (await import(`${pathToFileURL(moduleFile).href}?v=${encodeURIComponent(Object.values(entryInputs).join('|'))}`)).default;
  } catch (error) {
    if (writeFailureReason(error) === undefined) throw error;
    // No writable cache: import the bundle from memory instead.
    return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)).default;
  }
}

/** Loads under way, by definition file: a second load while one is running shares it (one compile, one cache write). */
const loading = new Map<string, Promise<ExerciseDefinition>>();

/** Compiles (or takes from the cache) and validates an exercise's `exercise.ts`. */
export function loadDefinition(ref: ExerciseRef): Promise<ExerciseDefinition> {
  const entry = path.join(ref.dir, exerciseFiles.definition);
  const running = loading.get(entry);
  if (running) return running;
  const load = loadDefinitionFrom(entry, ref).finally(() => loading.delete(entry));
  loading.set(entry, load);
  return load;
}

async function loadDefinitionFrom(entry: string, ref: ExerciseRef): Promise<ExerciseDefinition> {
  if (!existsSync(entry)) {
    throw new UserError(t`${entry}: missing (the exercise definition of ${ref.key}).`, { next: t`The pack in ${ref.pack.dir} is incomplete; tell its author.` });
  }
  let exported: unknown;
  try {
    exported = await importDefinitionModule(entry);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(t`${entry}: failed to load: ${(error as Error).message?.split('\n')[0] ?? String(error)}`, { next: t('Fix the exercise definition, then run `llm-tutor pack validate`.') });
  }
  if (exported === undefined) {
    throw new FileError(entry, [{ path: t('default export'), message: t('missing: end the file with `export default defineExercise({ ... })`') }]);
  }
  const parsed = exerciseDefinitionSchema.safeParse(exported);
  if (!parsed.success) throw new FileError(entry, describeZodIssues(parsed.error.issues));
  return parsed.data as ExerciseDefinition;
}
