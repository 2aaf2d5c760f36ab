import { requireCjs } from '../core/common/cjs.js';
import { tfGradientsFile } from '../core/common/paths.js';
import type { Tf } from '../core/authoring/exercise.js';
import { UserError } from '../errors.js';

export type BackendName = 'node' | 'wasm' | 'cpu';
export const backendNames: readonly BackendName[] = ['node', 'wasm', 'cpu'];

/** Which backend runs the references, and why each one before it was passed over. */
export interface BackendReport {
  active: BackendName;
  /** Milliseconds spent importing tfjs and initialising the backend. */
  loadMs: number;
  skipped: { name: BackendName; reason: string }[];
}

let loaded: Promise<{ tf: Tf; report: BackendReport }> | undefined;
let loadedFor: BackendName | undefined;

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

async function tryBackend(tf: Tf, name: BackendName): Promise<void> {
  if (name === 'node') {
    // tfjs-node is optional: its install downloads libtensorflow and fails offline.
    const moduleName = '@tensorflow/tfjs-node';
    requireCjs(moduleName);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node loaded but its "tensorflow" backend did not initialise');
    return;
  }
  if (name === 'wasm') {
    requireCjs('@tensorflow/tfjs-backend-wasm');
  } else {
    requireCjs('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend did not initialise`);
}

async function load(forced?: BackendName): Promise<{ tf: Tf; report: BackendReport }> {
  const started = performance.now();
  const tf = requireCjs('@tensorflow/tfjs-core') as Tf;
  // PROD silences tfjs's "install tfjs-node" banner and its debug checks.
  tf.env().set('PROD', true);
  const skipped: BackendReport['skipped'] = [];
  const order = forced ? [forced] : backendNames;
  for (const name of order) {
    try {
      await tryBackend(tf, name);
      await tf.ready();
      return { tf, report: { active: name, loadMs: performance.now() - started, skipped } };
    } catch (error) {
      skipped.push({ name, reason: name === 'node' && /Cannot find (package|module)/.test(firstLine(error)) ? '@tensorflow/tfjs-node is not installed (it is optional)' : firstLine(error) });
    }
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new UserError(
    forced ? `The tfjs backend "${forced}" could not be loaded (${detail}).` : `No tfjs backend could be loaded (${detail}).`,
    { next: forced ? 'Run without --backend to let llm-tutor choose, or run `llm-tutor doctor`.' : 'Run `npm ci` in the llm-tutor folder, then `llm-tutor doctor`.' },
  );
}

/**
 * Loads tfjs-core with the first backend that works, in the order tfjs-node,
 * wasm, cpu (or only `forced`). Loaded once per process.
 */
export function loadTf(forced?: BackendName): Promise<{ tf: Tf; report: BackendReport }> {
  if (loaded && loadedFor !== forced) {
    throw new UserError(`tfjs is already loaded with another backend in this process (${loadedFor ?? 'auto'}).`);
  }
  loadedFor = forced;
  loaded ??= load(forced);
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

let gradientsRegistered = false;

/**
 * Registers tfjs's gradient functions (tf.grad and tf.grads need them), once
 * per process and only when a gradient exercise is graded: about 10 ms.
 */
export function registerGradients(): void {
  if (gradientsRegistered) return;
  requireCjs(tfGradientsFile);
  gradientsRegistered = true;
}

export function parseBackend(value: string): BackendName {
  if ((backendNames as readonly string[]).includes(value)) return value as BackendName;
  throw new UserError(`Unknown backend "${value}".`, { next: 'Use --backend node, wasm or cpu.' });
}
