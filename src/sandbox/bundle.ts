import { builtinModules } from 'node:module';
import path from 'node:path';
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
  const started = performance.now();
  const esbuild = await import('esbuild');
  const outDir = path.dirname(outFile);
  const entry = [
    `import { startHarness } from ${JSON.stringify(harnessFile)};`,
    `startHarness(() => import(${JSON.stringify(learnerFile)}));`,
  ].join('\n');
  try {
    const result = await esbuild.build({
      stdin: { contents: entry, resolveDir: outDir, sourcefile: 'llm-tutor-harness-entry.js', loader: 'js' },
      bundle: true,
      outfile: outFile,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [
        {
          name: 'llm-tutor-learner-imports',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              if (args.kind === 'entry-point') return undefined;
              if (builtins.has(args.path)) return { path: args.path, external: true };
              if (args.path === harnessFile || args.path === learnerFile) return undefined;
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
    });
    const inputs = Object.keys(result.metafile.inputs)
      .map((p) => path.resolve(p))
      .filter((p) => isInside(p, allowedRoot));
    return { ok: true, file: outFile, inputs, durationMs: performance.now() - started };
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
