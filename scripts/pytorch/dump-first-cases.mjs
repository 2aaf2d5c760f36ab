// Writes the first case of every exercise of every built-in pack (seed 7) as JSON,
// for lesson-snippets.py to run the lessons' python blocks on:
//
//   npm run build && node scripts/pytorch/dump-first-cases.mjs [output file]
//
// Output: { "<pack id>/<exercise id>": { "names": [parameter names], "args": [arguments] } }.
// An iterable argument (online-softmax's blocks) is written as the array it yields.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (file) => import(path.join(root, 'dist', file));
const outFile = path.resolve(process.argv[2] ?? path.join(root, 'test-output/pytorch/first-cases.json'));

const { loadPack, exerciseRefs, listBuiltinPackIds } = await dist('core/packs/packs.js');
const { loadDefinition } = await dist('core/packs/definitions.js');
const { buildCases } = await dist('core/grading/prepare.js');
const { argumentNames } = await dist('core/authoring/signature.js');
const { materializeArgs } = await dist('sandbox/wire.js');

/** A case argument as JSON data: iterables other than arrays and strings become arrays. */
function plain(value) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value, plain);
  if (typeof value[Symbol.iterator] === 'function') return Array.from(value, plain);
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plain(entry)]));
}

const packs = await Promise.all((await listBuiltinPackIds()).map((id) => loadPack(path.join(root, 'exercises', id), true)));
const firstCases = {};
for (const ref of exerciseRefs(packs)) {
  const definition = await loadDefinition(ref);
  const args = materializeArgs(buildCases(ref, definition, 7)[0].args);
  firstCases[ref.key] = { names: argumentNames(definition.signature, args.length), args: plain(args) };
}
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(firstCases));
console.log(`wrote the first cases of ${Object.keys(firstCases).length} exercises to ${path.relative(process.cwd(), outFile)}`);
