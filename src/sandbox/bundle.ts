import { builtinModules } from 'node:module';
import path from 'node:path';
import { loadEsbuild } from '../core/cjs.js';
import { harnessFile } from '../core/paths.js';

/** Where bundling stopped on the learner's code. */
export interface BundleProblem {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** The source line, when esbuild gives it. */
  lineText?: string;
}

export type BundleResult =
  | { ok: true; file: string; inputs: string[]; durationMs: number }
  | { ok: false; problem: BundleProblem; durationMs: number };

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function isInside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * Bundles a learner file behind the sandbox harness into one ESM file,
 * `outFile`. The learner file may import only files under `allowedRoot` (their
 * own exercises) and Node built-ins; anything else is a bundle problem.
 */
export async function bundleLearnerFile(learnerFile: string, allowedRoot: string, outFile: string): Promise<BundleResult> {
  const built = await buildBundle({ main: learnerFile }, allowedRoot, outFile);
  return built.ok ? { ok: true, file: outFile, inputs: built.inputsOf(learnerFile), durationMs: built.durationMs } : built;
}

/** A bundle of several learner files, each a module that the harness loads when a run names it. */
export type MultiBundleResult =
  | { ok: true; file: string; durationMs: number; /** The learner's files that `learnerFile` loads, itself first. */ inputsOf(learnerFile: string): string[] }
  | { ok: false; problem: BundleProblem; durationMs: number };

/**
 * The esbuild options for a bundle of learner files behind the harness,
 * written to `outFile`: ESM for Node 20, an inline source map (so stack traces
 * name the learner's lines), and the rule that a learner file imports only
 * files under `allowedRoot` and Node built-ins.
 */
export function harnessBuildOptions(modules: Record<string, string>, allowedRoot: string, outFile: string) {
  const files = new Set(Object.values(modules));
  const loaders = Object.entries(modules).map(([name, file]) => `${JSON.stringify(name)}: () => import(${JSON.stringify(file)})`);
  // Only the learner's modules: the harness is a module of its own in the child, out of their scope.
  const entry = `export const modules = { ${loaders.join(', ')} };`;
  return {
    stdin: { contents: entry, resolveDir: path.dirname(outFile), sourcefile: 'llm-tutor-modules.js', loader: 'js' as const },
    bundle: true,
    outfile: outFile,
    format: 'esm' as const,
    platform: 'node' as const,
    target: 'node20',
    sourcemap: 'inline' as const,
    sourcesContent: false,
    metafile: true as const,
    logLevel: 'silent' as const,
    plugins: [
      {
        name: 'llm-tutor-learner-imports',
        setup(build: import('esbuild').PluginBuild) {
          build.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            if (builtins.has(args.path)) return { path: args.path, external: true };
            if (args.path === harnessFile || files.has(args.path)) return undefined;
            if (args.path.startsWith('.') || path.isAbsolute(args.path)) {
              const target = path.resolve(args.resolveDir, args.path);
              if (isInside(target, allowedRoot)) return undefined;
              if (args.importer && isInside(args.importer, path.dirname(harnessFile))) return undefined;
              return { errors: [{ text: `imports "${args.path}", which is outside your exercises folder: a learner file may import only your own exercise files` }] };
            }
            return { errors: [{ text: `imports the package "${args.path}": exercises run without npm packages; write the code yourself or import your own exercise files` }] };
          });
        },
      },
    ],
  };
}

/**
 * Bundles several learner files behind one harness, `modules` naming each:
 * class grading runs a whole submission in one child. Each file's code is
 * evaluated only when a run names its module (esbuild turns the dynamic
 * imports into lazily evaluated parts of the one file).
 */
export async function buildBundle(modules: Record<string, string>, allowedRoot: string, outFile: string): Promise<MultiBundleResult> {
  const started = performance.now();
  const esbuild = loadEsbuild();
  try {
    const result = await esbuild.build(harnessBuildOptions(modules, allowedRoot, outFile));
    const graph = new Map(Object.entries(result.metafile.inputs).map(([p, input]) => [path.resolve(p), input.imports.map((i) => path.resolve(i.path))]));
    const inputsOf = (learnerFile: string): string[] => {
      // What the file loads, transitively, within the learner's own folder.
      const seen = new Set<string>([learnerFile]);
      const todo = [learnerFile];
      for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
        for (const next of graph.get(file) ?? []) {
          if (!seen.has(next) && isInside(next, allowedRoot)) {
            seen.add(next);
            todo.push(next);
          }
        }
      }
      return [...seen];
    };
    return { ok: true, file: outFile, durationMs: performance.now() - started, inputsOf };
  } catch (error) {
    const failure = error as { errors?: { text: string; location?: { file: string; line: number; column: number; lineText: string } | null }[] };
    const first = failure.errors?.[0];
    if (!first) throw error;
    const location = first.location;
    return {
      ok: false,
      problem: {
        message: first.text,
        file: location ? path.resolve(location.file) : undefined,
        line: location?.line,
        column: location ? location.column + 1 : undefined,
        lineText: location?.lineText,
      },
      durationMs: performance.now() - started,
    };
  }
}
