// A class of a thousand, sharded (issue 22; SPEC §7: the CI matrix is the distributed engine). Generates a
// synthetic class (bench/class-generator.mjs), then, as one job of a ten-job CI matrix would:
//   1. grades one shard for real: `grade <class> --pack <pack> --shard 1/10 --jobs 2 --seed 42
//      --reporter json=shard-1.json`, timed once from a fresh definition cache (a CI job starts cold), with
//      the peak memory of the tutor and all its children sampled every 20 ms (bench/process-tree-memory.mjs);
//      its results are checked against what the generator wrote: a file that is not a model solution must
//      not pass (else this throws), and every other disagreement is reported;
//   2. makes the nine other shards' results from that one, without grading them: the same verdicts under the
//      names of the submissions each shard holds (every tenth from i), so they are valid, distinct shard files
//      of one run (same seed, packs and exercises, each submission once), which is all `grade merge` checks;
//   3. times `grade merge shard-*.json --reporter json=merged.json --reporter html=report.html` (`mergeRuns`
//      runs after a warm-up; its peak memory on the last) and checks the merged class has every submission.
// The class is written to /dev/shm where it has room: 110,000 small files on a busy disk take minutes to write
// and as long to delete, which is not what is measured (the grader reads them from the page cache either way).
//
//   node bench/class-shard.mjs <root> [size = 1000] [mergeRuns = 5]     (BENCH_CLASS_PACK: the pack graded)
//
// Prints a line about each step, then one JSON line (the last line of stdout) with the figures.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkAgainstManifest, generateClass } from './class-generator.mjs';
import { sampleTreeMemory } from './process-tree-memory.mjs';

const [rootArg, sizeArg, runsArg] = process.argv.slice(2);
const root = path.resolve(rootArg ?? '.');
const size = Number(sizeArg ?? 1000);
const mergeRuns = Number(runsArg ?? 5);
const pack = process.env.BENCH_CLASS_PACK ?? 'transformer-core';
const shards = 10;
const jobs = 2;
const seed = 42;
if (!Number.isInteger(size) || size < 1) throw new Error(`class-shard: the class size must be a whole number of 1 or more, got ${sizeArg}`);
if (!Number.isInteger(mergeRuns) || mergeRuns < 1) throw new Error(`class-shard: the merge runs must be a whole number of 1 or more, got ${runsArg}`);

const bin = path.join(root, 'bin', 'llm-tutor.js');
const tmp = mkdtempSync(path.join(ramDiskFor(size) ?? os.tmpdir(), 'llm-tutor-bench-class-'));
const classDir = path.join(tmp, 'class');
const out = path.join(tmp, 'out');
mkdirSync(out);
// CI cleared: grade under CI requires bubblewrap; this measures the isolation the machine gives (recorded below).
const env = { ...process.env, CI: '', NO_COLOR: '1', LLM_TUTOR_CACHE_DIR: path.join(tmp, 'cache') };
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MiB`;

/** /dev/shm when it has room for the class (about 0.5 MiB a submission, a 4 KiB block per file) and its results, else undefined. */
function ramDiskFor(submissions) {
  if (!existsSync('/dev/shm')) return undefined;
  const { bavail, bsize } = statfsSync('/dev/shm');
  return bavail * bsize > submissions * 2 ** 20 + 2 ** 30 ? '/dev/shm' : undefined;
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs the CLI with `args` in `out`, sampling its process tree's memory; resolves { ms, code, memory, stdout, stderr }. */
function run(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: out, stdio: ['ignore', 'pipe', 'pipe'] });
    const sampler = sampleTreeMemory(child.pid, 20);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      resolve({ ms, code, memory: sampler.stop(), stdout, stderr });
    });
  });
}

/** Exit 0 (all passed) or 1 (something did not) are results; anything else is the run failing. */
function checkExit(label, result) {
  if (result.code !== 0 && result.code !== 1) throw new Error(`${label}: exit ${result.code}\n${result.stdout}\n${result.stderr}`);
}

try {
  let started = performance.now();
  const manifest = generateClass(root, classDir, { size, seed });
  const generateMs = performance.now() - started;
  console.log(`generated ${size} submissions (${Object.entries(manifest.counts).map(([k, n]) => `${n} ${k}`).join(', ')}) in ${(generateMs / 1000).toFixed(1)} s`);

  // 1. One shard, graded for real.
  const shardFile = (i) => path.join(out, `shard-${i}.json`);
  const graded = await run(['grade', classDir, '--pack', pack, '--shard', `1/${shards}`, '--jobs', String(jobs), '--seed', String(seed), '--reporter', `json=${shardFile(1)}`]);
  checkExit('grade --shard 1', graded);
  const shard1 = JSON.parse(readFileSync(shardFile(1), 'utf8'));
  const inShard1 = manifest.submissions.filter((_, i) => i % shards === 0);
  if (shard1.submissions.length !== inShard1.length) throw new Error(`grade --shard 1/${shards} graded ${shard1.submissions.length} submissions, expected ${inShard1.length}`);
  const disagreements = checkAgainstManifest(manifest, shard1);
  const fooled = disagreements.filter((line) => /\((wrong|hostile):[^)]*\): pass/.test(line));
  if (fooled.length) throw new Error(`the grader passed files that are not model solutions:\n${fooled.join('\n')}`);
  for (const line of disagreements) console.error(`unexpected: ${line}`);
  const shardMix = {};
  for (const s of inShard1) shardMix[s.kind] = (shardMix[s.kind] ?? 0) + 1;
  // The hostile files the shard graded, by kind: what its time spends on time-outs and memory caps.
  const hostileFiles = {};
  for (const s of inShard1) {
    for (const [key, content] of Object.entries(s.files ?? {})) {
      if (key.startsWith(`${pack}/`) && content.startsWith('hostile:')) hostileFiles[content.slice(8)] = (hostileFiles[content.slice(8)] ?? 0) + 1;
    }
  }
  const memory = graded.memory;
  console.log(
    `grade --shard 1/${shards} --jobs ${jobs} (${inShard1.length} submissions × ${shard1.exercises.length} exercises of ${pack}, isolation ${shard1.isolation}): ` +
      `${(graded.ms / 1000).toFixed(1)} s, ${(graded.ms / inShard1.length).toFixed(0)} ms per submission; peak memory ${mib(memory.peakBytes)} for all processes ` +
      `(tutor ${mib(memory.peakByRole.tutor?.hwmBytes ?? 0)}, largest sandbox child ${mib(memory.peakByRole.sandbox?.hwmBytes ?? 0)}, ${memory.peakByRole.sandbox?.processes ?? 0} sandbox children)`,
  );

  // 2. The nine other shards, from the first: shard i holds the submissions at i − 1, i − 1 + 10, … in name order.
  const { summarise } = await import(path.join(root, 'dist', 'core', 'class', 'results.js'));
  for (let i = 2; i <= shards; i++) {
    const submissions = [];
    shard1.submissions.forEach((s, row) => {
      const at = row * shards + (i - 1);
      if (at >= size) return;
      const id = manifest.submissions[at].id;
      submissions.push({ ...s, id, path: `${s.path.slice(0, -s.id.length)}${id}` });
    });
    const { status: _status, summary: _summary, ...rest } = shard1;
    writeFileSync(shardFile(i), JSON.stringify(summarise({ ...rest, shard: { index: i, count: shards }, submissions }), null, 2));
  }

  // 3. The merge, as the report job of the matrix runs it.
  const files = Array.from({ length: shards }, (_, i) => path.basename(shardFile(i + 1)));
  const mergeArgs = ['grade', 'merge', ...files, '--reporter', 'json=merged.json', '--reporter', 'html=report.html'];
  const mergeMs = [];
  let merged;
  for (let i = 0; i <= mergeRuns; i++) {
    merged = await run(mergeArgs);
    checkExit('grade merge', merged);
    if (i > 0) mergeMs.push(merged.ms); // the first run warms the OS file cache
  }
  const mergedResult = JSON.parse(readFileSync(path.join(out, 'merged.json'), 'utf8'));
  const names = new Set(mergedResult.submissions.map((s) => s.id));
  if (mergedResult.submissions.length !== size || names.size !== size || manifest.submissions.some((s) => !names.has(s.id))) {
    throw new Error(`grade merge: expected the ${size} submissions of the class, got ${mergedResult.submissions.length} (${names.size} names)`);
  }
  const htmlBytes = statSync(path.join(out, 'report.html')).size;
  const jsonBytes = statSync(path.join(out, 'merged.json')).size;
  console.log(
    `grade merge of ${shards} shard files (${size} submissions) → json + html: median ${median(mergeMs).toFixed(0)} ms of ${mergeMs.length} runs ` +
      `(min ${Math.min(...mergeMs).toFixed(0)}, max ${Math.max(...mergeMs).toFixed(0)}); peak memory ${mib(merged.memory.peakBytes)}; report.html ${mib(htmlBytes)}, merged.json ${mib(jsonBytes)}`,
  );

  const trimmed = (m) => ({ peakBytes: m.peakBytes, peakAtMs: Math.round(m.peakAtMs), peakRoles: m.peakRoles, peakByRole: m.peakByRole, samples: m.samples, supported: m.supported });
  console.log(
    JSON.stringify({
      classSize: size,
      shards,
      pack,
      exercises: shard1.exercises.length,
      jobs,
      seed,
      isolation: shard1.isolation,
      backend: shard1.backend,
      loadAverage: os.loadavg()[0],
      counts: manifest.counts,
      generateMs,
      shard: {
        submissions: inShard1.length,
        mix: shardMix,
        hostileFiles,
        ms: graded.ms,
        perSubmissionMs: graded.ms / inShard1.length,
        statuses: { pass: shard1.summary.submissionsPassed, ...countStatuses(shard1) },
        results: { passed: shard1.summary.passed, failed: shard1.summary.failed, errored: shard1.summary.errored },
        unexpected: disagreements.length,
        unexpectedFirst: disagreements.slice(0, 20),
        memory: { ...trimmed(memory), largestProcesses: memory.peakByProcess.slice(0, 5).map(({ pid, role, hwmBytes, command }) => ({ pid, role, hwmBytes, command: command.slice(0, 120) })) },
      },
      merge: { ms: mergeMs, medianMs: median(mergeMs), submissions: mergedResult.submissions.length, htmlBytes, jsonBytes, memory: trimmed(merged.memory) },
    }),
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** Submissions by status. */
function countStatuses(result) {
  const counts = { fail: 0, error: 0 };
  for (const s of result.submissions) if (s.status !== 'pass') counts[s.status]++;
  return counts;
}
