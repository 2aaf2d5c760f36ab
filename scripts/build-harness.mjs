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
