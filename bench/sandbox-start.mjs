// The cost of one sandbox child under each isolation: start it, load an empty learner bundle, run one case,
// in this one process (no CLI start-up), `runs` times. Prints one JSON line: { permission: ms[], bwrap?: ms[], bwrapProblem? }.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [root, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 15);
const dist = (p) => path.join(root, 'dist', p);
const { bundleLearnerFile } = await import(dist('sandbox/bundle.js'));
const { runInSandbox, bundleFileName } = await import(dist('sandbox/run-child.js'));
const { currentIsolation, requestIsolation } = await import(dist('sandbox/isolation.js'));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-sandbox-'));
const exercises = path.join(tmp, 'exercises');
mkdirSync(exercises);
const learner = path.join(exercises, 'empty.ts');
writeFileSync(learner, 'export function f(): number {\n  return 1;\n}\n');

async function measure(mode) {
  requestIsolation(mode);
  const isolation = await currentIsolation();
  if (isolation.mode !== mode) return { problem: isolation.reason };
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    const runDir = path.join(tmp, `${mode}-${i}`);
    mkdirSync(runDir);
    const bundle = await bundleLearnerFile(learner, exercises, path.join(runDir, bundleFileName));
    if (!bundle.ok) throw new Error(bundle.problem.message);
    const started = performance.now();
    const run = await runInSandbox(runDir, 'f', [[]]);
    const ms = performance.now() - started;
    if (!run.outcomes[0]?.ok || run.outcomes[0].value !== 1) throw new Error(`${mode}: the empty run failed: ${run.stderr}`);
    if (i > 0) samples.push(ms); // the first run warms the file cache
  }
  return { samples };
}

const permission = await measure('permission');
const bwrap = await measure('bwrap');
rmSync(tmp, { recursive: true, force: true });
console.log(JSON.stringify({ permission: permission.samples, bwrap: bwrap.samples, bwrapProblem: bwrap.problem }));
