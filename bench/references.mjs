#!/usr/bin/env node
// The reference computations of every exercise of every built-in pack on one tfjs backend, in this process.
// Run by bench/run.mjs once per backend (a process holds one backend): node bench/references.mjs <backend> <runs>
// Prints one JSON line: { backend, available, reason?, loadMs, exercises: [{ id (pack/exercise), cases, firstMs, samples: [ms...] }] }.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [backend, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const dist = (p) => import(path.join(root, 'dist', p));
const [{ loadPack, exerciseRefs, listBuiltinPackIds }, { loadDefinition }, { buildCases, computeExpected }, { loadTf }] = await Promise.all([
  dist('core/packs/packs.js'),
  dist('core/packs/definitions.js'),
  dist('core/grading/grade.js'),
  dist('reference/backend.js'),
]);

let tf;
let report;
try {
  ({ tf, report } = await loadTf(backend));
} catch (error) {
  console.log(JSON.stringify({ backend, available: false, reason: error.message }));
  process.exit(0);
}
const packs = await Promise.all((await listBuiltinPackIds()).map((id) => loadPack(path.join(root, 'exercises', id), true)));
const exercises = [];
for (const ref of exerciseRefs(packs)) {
  const definition = await loadDefinition(ref);
  const cases = buildCases(ref, definition, 42);
  const ctx = { tf, exerciseDir: ref.dir };
  const samples = [];
  let firstMs = 0;
  // The first run is reported apart (what a cold check pays): it compiles the code paths and fills tfjs's caches.
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    await computeExpected(ref, definition, cases, ctx);
    if (i === 0) firstMs = performance.now() - started;
    else samples.push(performance.now() - started);
  }
  exercises.push({ id: ref.key, cases: cases.length, firstMs, samples });
}
console.log(JSON.stringify({ backend, available: true, active: report.active, loadMs: report.loadMs, exercises }));
