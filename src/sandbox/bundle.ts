import { promises as fs } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { loadEsbuild } from '../core/common/cjs.js';
import { contentDigest } from '../core/common/digest.js';
import { harnessFile, posixRelative } from '../core/common/paths.js';
import { defaultBuildTimeoutMs, runBuild } from './esbuild-service.js';
import { isInside, openLearnerRoot, readLearnerSource, resolveImport, resolveModuleFile, type LearnerRoot, type LearnerSource, type ReadBudget, type Resolved } from './learner-sources.js';
import { t } from '../i18n/i18n.js';

/** Where bundling stopped on the learner's code. */
export interface BundleProblem {
  /** One line: what is wrong and what to do. It never quotes a refused file. */
  message: string;
  /** The learner's file it is about: the one whose line is given, or else the module given to the bundle that was refused. */
  file?: string;
  line?: number;
  column?: number;
  /** The source line, when esbuild gives it. */
  lineText?: string;
}

/** Bundling that stopped: on the learner's code, at the time limit (`timedOut`), or on a crash of esbuild. */
export interface BundleFailure {
  ok: false;
  problem: BundleProblem;
  durationMs: number;
  /** Set when bundling reached its time limit: report it as a time-out. */
  timedOut?: true;
}

/** The learner's files a bundle of one file read, and what each held. */
export interface LearnerInputs {
  /** The learner's files that the file loads, itself first. */
  inputs: string[];
  /** The SHA-256 (hex) of each of `inputs`, of the bytes bundled. */
  digests: Record<string, string>;
}

export type BundleResult = ({ ok: true; file: string; durationMs: number } & LearnerInputs) | BundleFailure;

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** esbuild's namespace for the learner's files: esbuild neither resolves nor reads anything in it itself. */
const learnerNamespace = 'llm-tutor-learner';

/** Options of a bundling. */
export interface BundleOptions {
  /** The time limit of the bundling, in ms (default `defaultBuildTimeoutMs`, 30 s). */
  timeoutMs?: number;
  /** When a build past its limit is taken for a runaway and esbuild's process is stopped, in ms from its start (default 30 s). */
  runawayMs?: number;
}

/**
 * Bundles a learner file behind the sandbox harness into one ESM file,
 * `outFile`. The learner file may import only files under `allowedRoot` (their
 * own exercises) and Node built-ins; anything else is a bundle problem.
 */
export async function bundleLearnerFile(learnerFile: string, allowedRoot: string, outFile: string, options: BundleOptions = {}): Promise<BundleResult> {
  const built = await buildBundle({ main: learnerFile }, allowedRoot, outFile, options);
  return built.ok ? { ok: true, file: outFile, ...built.inputsOf(learnerFile), durationMs: built.durationMs } : built;
}

/** A bundle of several learner files, each a module that the harness loads when a run names it. */
export type MultiBundleResult =
  | { ok: true; file: string; durationMs: number; /** The learner's files that `learnerFile` loads, and their digests. */ inputsOf(learnerFile: string): LearnerInputs }
  | BundleFailure;

/** Where each learner module of a bundle was found: the path given → the path the bundle names it by. */
export type ModulePaths = Map<string, string>;

/** The SHA-256 (hex) of each learner file a build read, by the path the bundle names it by. */
export type FileDigests = Map<string, string>;

/**
 * The esbuild options for a bundle of learner files behind the harness,
 * written to `outFile`: ESM for Node 20, an inline source map (so stack traces
 * name the learner's lines), and the rules of learner-sources.ts: a learner
 * file imports only files under `allowedRoot` and Node built-ins, which this
 * plugin resolves and reads itself. `modulePaths` and `digests`, when given,
 * are filled in as the learner's modules are found and their files read.
 */
export function harnessBuildOptions(modules: Record<string, string>, allowedRoot: string, outFile: string, modulePaths: ModulePaths = new Map(), digests: FileDigests = new Map()) {
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
    // No tsconfig.json is looked for: one in the learner's folders could point anywhere (extends, paths).
    tsconfigRaw: {},
    plugins: [learnerFilesPlugin(files, allowedRoot, modulePaths, digests)],
  };
}

/** The message esbuild shows for a refused file, and which file it is about. */
function refusal(text: string, file?: string): { errors: PartialMessage[] } {
  return { errors: [{ text, detail: file === undefined ? undefined : { file } }] };
}

type PartialMessage = import('esbuild').PartialMessage;

function learnerFilesPlugin(files: Set<string>, allowedRoot: string, modulePaths: ModulePaths, digests: FileDigests): import('esbuild').Plugin {
  return {
    name: 'llm-tutor-learner-files',
    setup(build) {
      let root: Promise<LearnerRoot | { refused: string }> | undefined;
      let budget: ReadBudget = { files: 0, bytes: 0 };
      const learnerRoot = () => (root ??= openLearnerRoot(allowedRoot));
      build.onStart(() => {
        // Each build (and each rebuild of a context) checks the folder again and counts afresh.
        root = undefined;
        budget = { files: 0, bytes: 0 };
      });
      const resolved = (result: Resolved, file?: string) =>
        'refused' in result ? refusal(result.refused, file) : { path: result.source.path, namespace: learnerNamespace, pluginData: result.source };

      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.namespace !== learnerNamespace) {
          // The harness entry and the tutor's own files are esbuild's to resolve, except the learner's modules.
          if (!files.has(args.path)) return undefined;
          const opened = await learnerRoot();
          if ('refused' in opened) return refusal(opened.refused, args.path);
          const result = await resolveModuleFile(opened, args.path);
          if ('source' in result) modulePaths.set(args.path, result.source.path);
          return resolved(result, args.path);
        }
        const attributes = Object.entries(args.with ?? {});
        if (attributes.length > 0) {
          const written = attributes.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ');
          return refusal(t`imports "${args.path}" with { ${written} }: import attributes (such as type: "text" or "json") are not allowed; import only .ts and .js files, without "with"`);
        }
        if (builtins.has(args.path)) return { path: args.path, external: true };
        const opened = await learnerRoot();
        if ('refused' in opened) return refusal(opened.refused);
        if (args.path.startsWith('.') || path.isAbsolute(args.path)) {
          const importer = (args.pluginData as LearnerSource).real;
          return resolved(await resolveImport(opened, importer, args.path));
        }
        if (/^[a-z][a-z0-9+.-]*:/i.test(args.path)) {
          return refusal(t`imports "${args.path}": a learner file may not import by URL; import your own files by a relative path such as "./helper.js"`);
        }
        return refusal(t`imports the package "${args.path}": exercises run without npm packages; write the code yourself or import your own exercise files`);
      });

      build.onLoad({ filter: /.*/, namespace: learnerNamespace }, async (args) => {
        const opened = await learnerRoot();
        if ('refused' in opened) return refusal(opened.refused, args.path);
        const source = args.pluginData as LearnerSource;
        const read = await readLearnerSource(opened, source, budget);
        if ('refused' in read) return refusal(read.refused, args.path);
        digests.set(source.path, contentDigest(read.contents));
        // pluginData comes back with each import of this file: its real path is where relative imports start.
        return { contents: read.contents, loader: read.loader, pluginData: source };
      });
    },
  };
}

/** The learner's path of a file esbuild names, or undefined for the tutor's own files. */
function learnerPathOf(esbuildPath: string): string | undefined {
  return esbuildPath.startsWith(`${learnerNamespace}:`) ? esbuildPath.slice(learnerNamespace.length + 1) : undefined;
}

/**
 * The bundle esbuild made, with its inline source map naming the learner's
 * files by their paths (relative to the bundle, as esbuild names files of its
 * own), so that stack traces in the child name them.
 */
function withLearnerSources(code: string, outFile: string): string {
  const marker = '//# sourceMappingURL=data:application/json;base64,';
  const at = code.lastIndexOf(marker);
  if (at < 0) return code;
  const end = code.indexOf('\n', at);
  const encoded = code.slice(at + marker.length, end < 0 ? undefined : end);
  const map = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { sources: string[] };
  map.sources = map.sources.map((source) => {
    const file = learnerPathOf(source);
    return file === undefined ? source : posixRelative(path.dirname(outFile), file);
  });
  return `${code.slice(0, at)}${marker}${Buffer.from(JSON.stringify(map)).toString('base64')}${end < 0 ? '' : code.slice(end)}`;
}

/** Longest source line a bundle problem keeps: a minified or hostile file may be one line of a megabyte. */
const lineTextLimit = 200;

type BuildMessage = { text: string; detail?: unknown; location?: { file: string; line: number; column: number; lineText: string } | null };

/** The first error of a failed build, as a problem in the learner's files; rethrows what is not a build failure. */
function problemOf(error: unknown): BundleProblem {
  const first = (error as { errors?: BuildMessage[] }).errors?.[0];
  if (!first) throw error;
  // Only a place in the learner's own files is shown: not the harness entry, never a refused file.
  const located = first.location ? learnerPathOf(first.location.file) : undefined;
  const location = located !== undefined ? first.location! : undefined;
  const lineText = location?.lineText ? (location.lineText.length > lineTextLimit ? `${location.lineText.slice(0, lineTextLimit)}…` : location.lineText) : undefined;
  return {
    // esbuild's own messages name files with their namespace: drop it.
    message: first.text.replaceAll(`${learnerNamespace}:`, ''),
    // The file the place is in (an import of a refused file is placed at the import), else the refused module.
    file: location ? located : (first.detail as { file?: string } | undefined)?.file,
    line: location?.line,
    column: location ? location.column + 1 : undefined,
    lineText,
  };
}

/**
 * Bundles several learner files behind one harness, `modules` naming each:
 * class grading runs a whole submission in one child. Each file's code is
 * evaluated only when a run names its module (esbuild turns the dynamic
 * imports into lazily evaluated parts of the one file). Bundling stops at
 * `options.timeoutMs` (a failure with `timedOut`); if esbuild's process
 * crashes on these files, that is a failure too, and later builds start a new
 * one.
 */
export async function buildBundle(modules: Record<string, string>, allowedRoot: string, outFile: string, options: BundleOptions = {}): Promise<MultiBundleResult> {
  const started = performance.now();
  const esbuild = loadEsbuild();
  const modulePaths: ModulePaths = new Map();
  const digests: FileDigests = new Map();
  // esbuild resolves the harness entry from the bundle's folder: it must exist.
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  const outcome = await runBuild(() => esbuild.build({ ...harnessBuildOptions(modules, allowedRoot, outFile, modulePaths, digests), write: false }), options.timeoutMs, options.runawayMs);
  const failed = (problem: BundleProblem, timedOut?: true): BundleFailure => ({ ok: false, problem, durationMs: performance.now() - started, ...(timedOut ? { timedOut } : {}) });
  if (outcome.kind === 'timeout') {
    const seconds = ((options.timeoutMs ?? defaultBuildTimeoutMs) / 1000).toFixed(1);
    return failed({ message: t`bundling your files took longer than ${seconds} s, the time limit: make them smaller or less deeply nested` }, true);
  }
  if (outcome.kind === 'crash') {
    return failed({ message: t('the bundler (esbuild) crashed on your files: a file is likely nested too deeply; split long expressions into smaller statements') });
  }
  if (outcome.kind === 'failed') return failed(problemOf(outcome.error));

  const output = outcome.value.outputFiles.find((f) => f.path === path.resolve(outFile)) ?? outcome.value.outputFiles[0];
  await fs.writeFile(outFile, withLearnerSources(output.text, outFile));
  const key = (p: string) => learnerPathOf(p) ?? path.resolve(p);
  const graph = new Map(Object.entries(outcome.value.metafile.inputs).map(([p, input]) => [key(p), input.imports.filter((i) => !i.external).map((i) => key(i.path))]));
  const filesOf = (learnerFile: string): string[] => {
    // What the file loads, transitively, within the learner's own folder.
    const start = modulePaths.get(learnerFile) ?? learnerFile;
    const seen = new Set<string>([learnerFile, start]);
    const todo = [start];
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
  const inputsOf = (learnerFile: string): LearnerInputs => {
    const inputs = filesOf(learnerFile);
    return { inputs, digests: Object.fromEntries(inputs.flatMap((file) => (digests.has(file) ? [[file, digests.get(file)!]] : []))) };
  };
  return { ok: true, file: outFile, durationMs: performance.now() - started, inputsOf };
}
