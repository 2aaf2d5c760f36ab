// How long 1 M float32 parameters take to reach a learner's function in a sandbox child: from the moment the
// tutor starts sending the run message (serialising it included) until the harness is about to call the
// function, as a flat Float32Array and as rowsOf 1000 × 1000. The harness sends "case-start" just before the
// call; its arrival, on the tutor's own clock, bounds that time from above (it adds the way back). The learner's
// function also returns Date.now() when it starts (the wall clock both processes share, to the millisecond).
// A fresh child per sample, `runs` samples after one warm-up. Prints one JSON line:
// { isolation, caseStart: { flat: ms[], rows: ms[] }, learnerStart: { flat, rows }, sendMs: { flat, rows } }.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [rootArg, runsArg] = process.argv.slice(2);
const root = path.resolve(rootArg);
const runs = Number(runsArg ?? 10);
const dist = (p) => path.join(root, 'dist', p);
const { bundleLearnerFile } = await import(dist('sandbox/bundle.js'));
const { bundleFileName, defaultLimits, runMessage, startSandboxChild } = await import(dist('sandbox/run-child.js'));
const { currentIsolation } = await import(dist('sandbox/isolation.js'));
const { matrixOf, rowsOf } = await import(dist('pack-api.js'));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-tensor-'));
const exercises = path.join(tmp, 'exercises');
mkdirSync(exercises);
const learner = path.join(exercises, 'weights.ts');
writeFileSync(learner, 'export function f(w: unknown): number {\n  return Date.now();\n}\n');
const clock = () => performance.now();

const n = 1_000_000;
const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
const inputs = { flat: () => [[data]], rows: () => [[rowsOf(data, 1000, 1000)]], plain: () => [[matrixOf(data, 1000, 1000)]] };

/** One sample: a fresh child loads the bundle, then the timed run message. */
async function sample(kind, i) {
  const runDir = path.join(tmp, `${kind}-${i}`);
  mkdirSync(runDir);
  const bundle = await bundleLearnerFile(learner, exercises, path.join(runDir, bundleFileName));
  if (!bundle.ok) throw new Error(bundle.problem.message);
  const child = await startSandboxChild(runDir, defaultLimits.memoryMb, 30);
  const cases = inputs[kind]();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let sentWall = 0;
    let sendMs = 0;
    let caseStart = 0;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${kind}: no result within 20 s`));
    }, 20_000);
    child.listen(
      (message) => {
        if (message.type === 'loaded') {
          sentWall = Date.now();
          sent = clock();
          child.send(runMessage('main', 'f', cases, defaultLimits));
          sendMs = clock() - sent;
        } else if (message.type === 'case-start') {
          caseStart = clock() - sent;
        } else if (message.type === 'case-result') {
          clearTimeout(timer);
          child.kill();
          if (!message.ok || typeof message.value !== 'number') reject(new Error(`${kind}: ${JSON.stringify(message)}`));
          else resolve({ learnerStart: message.value - sentWall, caseStart, sendMs });
        }
      },
      (why) => reject(new Error(`${kind}: ${why}`)),
    );
    child.send({ type: 'load', url: pathToFileURL(path.join(runDir, bundleFileName)).href });
  });
}

const kinds = ['flat', 'rows', 'plain'];
const perKind = () => Object.fromEntries(kinds.map((k) => [k, []]));
const out = { isolation: (await currentIsolation()).mode, caseStart: perKind(), learnerStart: perKind(), sendMs: perKind() };
for (const kind of kinds) {
  for (let i = 0; i < runs + 1; i++) {
    const s = await sample(kind, i);
    if (i === 0) continue; // the first run warms the file cache
    out.learnerStart[kind].push(s.learnerStart);
    out.caseStart[kind].push(s.caseStart);
    out.sendMs[kind].push(s.sendMs);
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(JSON.stringify(out));
