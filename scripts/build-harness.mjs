// Bundles the sandbox harness (src/sandbox/harness.ts and what it imports) into one
// self-contained module, dist/sandbox/harness-child.mjs: the program every sandbox
// child runs, copied into the one folder the child may read.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [path.join(root, 'src', 'sandbox', 'harness.ts')],
  outfile: path.join(root, 'dist', 'sandbox', 'harness-child.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});

// tfjs-core's CommonJS build has the ops but not their gradients (the umbrella @tensorflow/tfjs
// registers them from ESM files Node cannot load as they are). Bundled here, they register into
// tfjs's global registry when a gradient exercise first needs them (src/reference/backend.ts).
await build({
  entryPoints: [path.join(root, 'node_modules', '@tensorflow', 'tfjs-core', 'dist', 'register_all_gradients.js')],
  outfile: path.join(root, 'dist', 'reference', 'tf-gradients.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
