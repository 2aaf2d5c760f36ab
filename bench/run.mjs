#!/usr/bin/env node
// Benchmarks of llm-tutor's budgets (SPEC §9), run on the built package.
// Each figure is the median (with min and max) of repeated runs, all from this one run of the script; a command's
// figure is also given as a multiple of `node -e 0` measured first, and absolute budgets are scaled by that floor
// (bench/budgets.mjs). Writes docs/benchmarks.md and docs/benchmarks.json.
// Environment: BENCH_RUNS (runs per command figure, default 15), BENCH_CLASS (class size, default 100),
// BENCH_SAVES (watch saves, default 30), BENCH_SHARD_CLASS (the sharded class, default 1000),
// BENCH_SUITE=0 (skip timing the test suite), BENCH_OUT (another folder for the two files).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { atLeast, judge, mib, ms, nominalFloorMs, ratio } from './budgets.mjs';
import { sampleTreeMemory } from './process-tree-memory.mjs';
import { profileSummary } from './profile-summary.mjs';
import { renderBenchmarks } from './render.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'llm-tutor.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-'));
const cache = path.join(tmp, 'cache');
// CI cleared: grade under CI requires bubblewrap, and the benchmark measures both isolations itself.
const env = { ...process.env, CI: '', NO_COLOR: '1', LLM_TUTOR_CACHE_DIR: cache };
// Memory is sampled from /proc (Linux); elsewhere the memory budgets are reported as not measured.
const canSampleMemory = existsSync('/proc/self/status');

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

function log(f) {
  const unit = f.unit === 'bytes' ? 'MiB' : (f.unit ?? 'ms');
  const show = (x) => (f.unit === 'bytes' ? (x / 2 ** 20).toFixed(0) : x.toFixed(x < 100 && !f.unit ? 1 : 0));
  console.log(`${f.label.padEnd(58)} median ${show(f.median).padStart(6)} ${unit}  (min ${show(f.min)}, max ${show(f.max)}, ${f.runs} runs)`);
}

function time(label, command, args, { before, expectCode = 0, n = runs, warmup = true, cwd = tmp, childEnv = env } = {}) {
  const samples = [];
  for (let i = 0; i < n + (warmup ? 1 : 0); i++) {
    before?.();
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { env: childEnv, cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== expectCode) throw new Error(`${label}: exit ${result.status}\n${result.stdout}\n${result.stderr}`);
    if (i > 0 || !warmup) samples.push(elapsed); // the first run warms the OS file cache
  }
  const f = { label, ...stats(samples) };
  log(f);
  return f;
}

/** Starts one CPU-bound process beside the measurements (a learner's busy machine: a build, a browser tab); returns its stop. */
function startCompetitor() {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return () => child.kill('SIGKILL');
}

/**
 * Peak memory of `command args` and of every process it starts, over `n` runs apart from the timed ones (sampling /proc
 * every 10 ms costs CPU): medians of the whole tree's peak (processes alive at once, summed), the command's own
 * process, and the largest sandbox child (a process running the harness). Undefined where /proc cannot be read.
 */
async function peakMemory(command, args, { n = 3, cwd = tmp, childEnv = env } = {}) {
  if (!canSampleMemory) return undefined;
  const tree = [];
  const own = [];
  const child = [];
  for (let i = 0; i < n; i++) {
    const proc = spawn(command, args, { env: childEnv, cwd, stdio: 'ignore' });
    const sampler = sampleTreeMemory(proc.pid, 10);
    await new Promise((resolve) => proc.on('exit', resolve));
    const { peakBytes, peakByRole } = sampler.stop();
    tree.push(peakBytes);
    own.push(peakByRole.tutor?.hwmBytes ?? 0);
    child.push(peakByRole.sandbox?.hwmBytes ?? 0);
  }
  return { tree: stats(tree), own: stats(own), child: stats(child) };
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  runs,
  nominalFloorMs,
  figures: [],
  profiles: {},
};
/** Records a figure (in the order of the table); `budget` is judged against the floor when the files are written. */
function record(f) {
  results.figures.push(f);
  return f;
}

execFileSync(process.execPath, [bin, 'init', path.join(tmp, 'ws'), '--seed', '42'], { env });
const ws = path.join(tmp, 'ws');
const learner = path.join(ws, 'exercises', 'transformer-core', 'attention', 'causal-mask.ts');
copyFileSync(path.join(root, 'exercises', 'transformer-core', 'attention', 'causal-mask', 'solution.ts'), learner);

const floor = record({ ...time('floor: node -e 0', process.execPath, ['-e', '0']), key: 'floor' });
// A sandbox child with an empty learner file, under each isolation: the floor of any grading, and what bubblewrap costs.
{
  const out = execFileSync(process.execPath, [path.join(root, 'bench', 'sandbox-start.mjs'), root, String(runs)], { env, encoding: 'utf8' });
  const measured = JSON.parse(out.trim().split('\n').pop());
  for (const mode of ['permission', 'bwrap']) {
    const label = `sandbox child: start, load an empty bundle, run one case (${mode === 'bwrap' ? 'bubblewrap + permission model' : 'permission model only'})`;
    if (!measured[mode]) {
      console.log(`${label}: not measured here (${measured.bwrapProblem})`);
      results.bwrapProblem = measured.bwrapProblem;
      continue;
    }
    log(record({ label, key: `sandbox-${mode}`, ...stats(measured[mode]) }));
  }
}
// 1 M float32 parameters (a model-sized input) reaching the learner's function in a sandbox child.
{
  const out = execFileSync(process.execPath, [path.join(root, 'bench', 'tensor-input.mjs'), root, String(Math.min(runs, 10))], { env, encoding: 'utf8' });
  const measured = JSON.parse(out.trim().split('\n').pop());
  for (const [kind, what] of [['flat', 'a Float32Array'], ['rows', 'rowsOf 1000 × 1000'], ['plain', 'matrixOf 1000 × 1000, plain number[][]']]) {
    const label = `1 M float32 to the learner's function: send → call (${what})`;
    log(record({ label, key: `tensor-input-${kind}`, ...stats(measured.caseStart[kind]), budget: ms(50), budgetName: '1 M float32 parameters to the child' }));
  }
}
// The capstone: `play` with the model solution of model/generate on each shipped model (bench/play.mjs).
{
  const out = execFileSync(process.execPath, [path.join(root, 'bench', 'play.mjs'), root, String(Math.min(runs, 5))], { env, encoding: 'utf8' });
  const measured = JSON.parse(out.trim().split('\n').pop());
  for (const [name, m] of Object.entries(measured)) {
    log(record({ label: `play (${name}): open your model → first tokens on screen`, key: `play-first-${name}`, ...stats(m.firstTokenMs), budget: ms(500), budgetName: '`play`: first token' }));
    log(record({ label: `play (${name}): tokens per second, 200 tokens at temperature 0.8`, key: `play-rate-${name}`, ...stats(m.tokensPerSecond), unit: 'tokens/s', budget: atLeast(50, 'tokens/s'), budgetName: '`play`: tokens per second' }));
  }
}

// Commands in a fresh process.
// The slowest exercise of the pack to grade: GPT-2's tokenizer with its 50,257-token vocabulary.
copyFileSync(
  path.join(root, 'exercises', 'transformer-core', 'tokenization', 'gpt2-encode', 'solution.ts'),
  path.join(ws, 'exercises', 'transformer-core', 'tokenization', 'gpt2-encode.ts'),
);
// The capstone's forward pass on the shipped weights (two models, 4 layers, up to 64 tokens), in the learner's plain JavaScript.
copyFileSync(path.join(root, 'exercises', 'mini-gpt', 'model', 'forward', 'solution.ts'), path.join(ws, 'exercises', 'mini-gpt', 'model', 'forward.ts'));
const checkArgs = ['check', 'attention/causal-mask', '--workspace', ws];
const commands = [
  { key: 'version', label: 'llm-tutor --version', args: ['--version'] },
  { key: 'list', label: 'llm-tutor list', args: ['list', '--workspace', ws], budget: ratio(2), budgetName: '`list`' },
  {
    key: 'check-cold-cache',
    label: 'cold check attention/causal-mask (empty cache: definition compiled, bubblewrap probed)',
    args: checkArgs,
    before: () => rmSync(cache, { recursive: true, force: true }),
  },
  { key: 'check-cold', label: 'cold check attention/causal-mask (new process, cache warm)', args: checkArgs, budget: ratio(4), budgetName: 'cold `check` of an attention exercise, OS sandbox on' },
  { key: 'check-cold-permission', label: 'cold check attention/causal-mask, --isolation permission (cache warm)', args: [...checkArgs, '--isolation', 'permission'] },
  { key: 'check-model-forward', label: 'cold check mini-gpt model/forward (shipped weights)', args: ['check', 'model/forward', '--workspace', ws], budget: ms(1000), budgetName: '`check` of model/forward on the shipped weights' },
  { key: 'check-slowest', label: 'cold check tokenization/gpt2-encode (the slowest exercise)', args: ['check', 'tokenization/gpt2-encode', '--workspace', ws] },
];
for (const c of commands) record({ ...time(c.label, process.execPath, [bin, ...c.args], { before: c.before }), key: c.key, budget: c.budget, budgetName: c.budgetName, args: c.args });
// The cold check's memory: the tutor's process and its sandbox child (runs apart from the timed ones).
{
  const memory = await peakMemory(process.execPath, [bin, ...checkArgs], { n: Math.min(runs, 5) });
  if (memory) {
    log(record({ label: 'cold check attention/causal-mask: peak memory of the tutor', key: 'check-cold-memory-tutor', ...memory.own, unit: 'bytes', budget: mib(100), budgetName: 'cold `check`: the tutor' }));
    log(record({ label: 'cold check attention/causal-mask: peak memory of the sandbox child', key: 'check-cold-memory-child', ...memory.child, unit: 'bytes', budget: mib(80), budgetName: 'cold `check`: the sandbox child' }));
  } else {
    for (const [key, who, limit] of [['check-cold-memory-tutor', 'the tutor', 100], ['check-cold-memory-child', 'the sandbox child', 80]]) {
      record({ label: `cold check attention/causal-mask: peak memory of ${who}`, key, notMeasured: '/proc cannot be read here', budget: mib(limit), budgetName: `cold \`check\`: ${who}` });
    }
  }
}

// The anchor: pytest + PyTorch checking the same function (bench/anchor), where a Python with both is installed.
{
  const candidates = [...new Set([process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean))];
  const python = candidates.find((p) => spawnSync(p, ['-c', 'import torch, pytest'], { encoding: 'utf8' }).status === 0);
  const anchorEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  const anchorArgs = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', path.join(root, 'bench', 'anchor', 'test_causal_mask.py')];
  if (python) {
    const version = (m) => spawnSync(python, ['-c', `import ${m}; print(${m}.__version__)`], { encoding: 'utf8' }).stdout.trim();
    results.anchor = { python, torch: version('torch'), pytest: version('pytest') };
    const anchor = time('anchor: pytest + PyTorch checking causal attention (13 tests)', python, anchorArgs, { n: Math.min(runs, 10), childEnv: anchorEnv });
    record({ ...anchor, key: 'anchor-pytest' });
    const memory = await peakMemory(python, anchorArgs, { n: 3, childEnv: anchorEnv });
    if (memory) log(record({ label: 'anchor: pytest + PyTorch, peak memory', key: 'anchor-pytest-memory', ...memory.tree, unit: 'bytes' }));
  } else {
    results.anchor = { absent: `no Python with torch and pytest here (tried ${candidates.join(', ')}; Debian: apt-get install python3-torch python3-pytest)` };
    console.log(`anchor: not measured: ${results.anchor.absent}`);
  }
}

// Grading: each built-in pack's model solutions (one submission), then a class of 100 × every pack.
const { listBuiltinPackIds } = await import(path.join(root, 'dist', 'core', 'packs', 'packs.js'));
const packIds = await listBuiltinPackIds();
const idsOf = (packId) => JSON.parse(readFileSync(path.join(root, 'exercises', packId, 'pack.json'), 'utf8')).exercises.map((e) => e.id);
/** A new workspace with the model solutions of `solved` (pack id → exercise ids); the rest keep their starters. */
const workspaceSolving = (name, solved) => {
  const dir = path.join(tmp, name);
  execFileSync(process.execPath, [bin, 'init', dir, '--seed', '42'], { env });
  for (const [packId, ids] of Object.entries(solved)) {
    for (const id of ids) copyFileSync(path.join(root, 'exercises', packId, id, 'solution.ts'), path.join(dir, 'exercises', packId, `${id}.ts`));
  }
  return dir;
};
const allSolved = workspaceSolving('solved', Object.fromEntries(packIds.map((id) => [id, idsOf(id)])));
{
  const packFigures = [];
  for (const packId of packIds) {
    const count = idsOf(packId).length;
    const key = packId === 'transformer-core' ? 'grade-pack' : `grade-pack-${packId}`;
    const f = time(`grade: the whole ${packId} pack (${count} exercises), model solutions`, process.execPath, [bin, 'grade', allSolved, '--pack', packId, '--seed', '42', '--reporter', 'json=' + path.join(tmp, `${key}.json`)], { n: Math.min(runs, 5) });
    packFigures.push(record({ ...f, key, budget: ms(3000), budgetName: '`grade` of one built-in pack', args: ['grade', allSolved, '--pack', packId, '--seed', '42'] }));
  }
  const sum = (k) => packFigures.reduce((total, f) => total + f[k], 0);
  log(record({ label: `grade: every built-in pack (${packIds.length} packs), one after another (sum of the medians)`, key: 'grade-all-packs', median: sum('median'), min: sum('min'), max: sum('max'), runs: packFigures[0].runs, budget: ms(10_000), budgetName: '`grade` of every built-in pack' }));
}

const classSize = Number(process.env.BENCH_CLASS ?? 100);
results.classSize = classSize;
/** A class folder of `classSize` copies of `template`. */
const classOf = (name, template) => {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  for (let i = 0; i < classSize; i++) cpSync(template, path.join(dir, `student-${String(i).padStart(3, '0')}`), { recursive: true });
  return dir;
};
/** Grades `dir` against `packId` once with --jobs 2 (timed, memory sampled); every submission must pass `passes` exercises. */
async function gradeClassOnce(dir, packId, passes) {
  const json = path.join(tmp, `class-${path.basename(dir)}-${packId}.json`);
  const args = [bin, 'grade', dir, '--pack', packId, '--jobs', '2', '--seed', '42', '--quiet', '--reporter', `json=${json}`];
  const started = process.hrtime.bigint();
  const proc = spawn(process.execPath, args, { env, cwd: tmp, stdio: 'ignore' });
  const sampler = canSampleMemory ? sampleTreeMemory(proc.pid, 20) : undefined;
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const memory = sampler?.stop();
  const graded = JSON.parse(readFileSync(json, 'utf8'));
  if (graded.submissions.length !== classSize || graded.submissions.some((s) => s.passed !== passes)) throw new Error(`class ${path.basename(dir)} × ${packId} (exit ${code}): expected ${passes} passes in each of ${classSize} submissions`);
  return { ms: elapsed, peakBytes: memory?.peakBytes };
}
{
  // Every built-in pack, one `grade --pack` after another, each with --jobs 2 (sampling memory costs a little CPU, within the figure).
  const dir = classOf('class-solved', allSolved);
  const perPack = [];
  for (const packId of packIds) {
    const one = await gradeClassOnce(dir, packId, idsOf(packId).length);
    perPack.push({ packId, ...one });
    console.log(`  class of ${classSize} × ${packId}: ${(one.ms / 1000).toFixed(1)} s${one.peakBytes ? `, peak ${(one.peakBytes / 2 ** 20).toFixed(0)} MiB` : ''}`);
  }
  results.classPerPack = perPack;
  const total = perPack.reduce((t, p) => t + p.ms, 0);
  const totalExercises = packIds.reduce((t, id) => t + idsOf(id).length, 0);
  log(record({ label: `grade: ${classSize} submissions × every built-in pack (${totalExercises} exercises), --jobs 2 (${(total / classSize).toFixed(0)} ms per submission)`, key: 'grade-class-every-pack', median: total, min: total, max: total, runs: 1, budget: ms(120_000), budgetName: 'a class of 100 × every built-in pack, `--jobs 2`: time' }));
  if (canSampleMemory) {
    const peak = Math.max(...perPack.map((p) => p.peakBytes));
    log(record({ label: `grade: ${classSize} submissions × every built-in pack, --jobs 2: peak memory of all processes`, key: 'grade-class-every-pack-memory', median: peak, min: peak, max: peak, runs: 1, unit: 'bytes', budget: mib(1536), budgetName: 'a class of 100 × every built-in pack: memory' }));
  } else {
    record({ label: `grade: ${classSize} submissions × every built-in pack: peak memory of all processes`, key: 'grade-class-every-pack-memory', notMeasured: '/proc cannot be read here', budget: mib(1536), budgetName: 'a class of 100 × every built-in pack: memory' });
  }
  rmSync(dir, { recursive: true, force: true });
}
{
  // A class mid-way through transformer-core: the first half solved, the rest still the starters (which throw), so half of every submission fails and is diagnosed.
  const allIds = idsOf('transformer-core');
  const half = Math.ceil(allIds.length / 2);
  const dir = classOf('class-midway', workspaceSolving('midway', { 'transformer-core': allIds.slice(0, half) }));
  const one = await gradeClassOnce(dir, 'transformer-core', half);
  log(record({ label: `grade: ${classSize} submissions mid-way through transformer-core (${half} solved, ${allIds.length - half} starters), --jobs 2`, key: 'grade-class-midway-jobs-2', median: one.ms, min: one.ms, max: one.ms, runs: 1 }));
  rmSync(dir, { recursive: true, force: true });
}

// A class of a thousand, sharded as a CI matrix does it (bench/class-shard.mjs): one shard graded here, the merge of ten shard files.
{
  const size = Number(process.env.BENCH_SHARD_CLASS ?? 1000);
  const out = execFileSync(process.execPath, [path.join(root, 'bench', 'class-shard.mjs'), root, String(size), String(Math.min(runs, 5))], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const shards = JSON.parse(out.trim().split('\n').pop());
  results.shards = shards;
  const { shard, merge } = shards;
  const mix = Object.entries(shards.counts).map(([kind, n]) => `${n} ${kind}`).join(', ');
  log(record({ label: `a class of ${shards.classSize} (${mix}): grade --shard 1/${shards.shards} --jobs 2, ${shard.submissions} submissions × ${shards.exercises} exercises of ${shards.pack}, cold (${shard.perSubmissionMs.toFixed(0)} ms per submission)`, key: 'shard-grade', median: shard.ms, min: shard.ms, max: shard.ms, runs: 1 }));
  if (shard.memory.supported) log(record({ label: `a class of ${shards.classSize}: one shard, peak memory of all processes`, key: 'shard-memory', median: shard.memory.peakBytes, min: shard.memory.peakBytes, max: shard.memory.peakBytes, runs: 1, unit: 'bytes' }));
  log(record({ label: `a class of ${shards.classSize}: grade merge of ${shards.shards} shard files → results.json and the HTML report`, key: 'shard-merge', ...stats(merge.ms) }));
}

// Watch mode: save → verdict on screen, many saves in one session.
{
  const { measureWatchLatency } = await import('./watch-latency.mjs');
  const read = (p) => readFileSync(p, 'utf8');
  const files = {
    pass: read(path.join(root, 'exercises', 'transformer-core', 'attention', 'causal-mask', 'solution.ts')),
    fail: read(path.join(root, 'fixtures', 'learner', 'causal-diagonal-excluded.ts')),
  };
  const saves = Number(process.env.BENCH_SAVES ?? 30);
  process.env.LLM_TUTOR_CACHE_DIR = cache;
  const { currentIsolation, requestIsolation } = await import(path.join(root, 'dist', 'sandbox', 'isolation.js'));
  // The default isolation first (bubblewrap where it works), then the permission model alone, in the same way.
  const watchRuns = [['auto', '']];
  requestIsolation('auto');
  if ((await currentIsolation()).mode === 'bwrap') watchRuns.push(['permission', ', --isolation permission']);
  for (const [mode, suffix] of watchRuns) {
    requestIsolation(mode);
    const { toVerdict, toScreen, bundleMs, sandboxMs } = await measureWatchLatency(root, ws, 'attention/causal-mask', files, saves);
    if (mode === 'auto') {
      results.watchStages = { bundle: stats(bundleMs), sandbox: stats(sandboxMs) };
      console.log(`  stages of a watch grading: bundle ${results.watchStages.bundle.median.toFixed(1)} ms, sandbox run ${results.watchStages.sandbox.median.toFixed(1)} ms (medians)`);
    }
    const keySuffix = mode === 'auto' ? '' : `-${mode}`;
    log(record({ label: `watch: save → verdict (attention/causal-mask${suffix})`, key: `watch-verdict${keySuffix}`, ...stats(toVerdict) }));
    const screen = { label: `watch: save → verdict on screen (attention/causal-mask${suffix})`, key: `watch-screen${keySuffix}`, ...stats(toScreen) };
    if (mode === 'auto') Object.assign(screen, { budget: ratio(1), budgetName: 'watch: save → verdict on screen, idle' });
    log(record(screen));
  }
  requestIsolation('auto');
  // The same with one CPU-bound process competing for the two cores: where the time goes on a busy machine.
  const stop = startCompetitor();
  try {
    const { toVerdict, toScreen, bundleMs, sandboxMs } = await measureWatchLatency(root, ws, 'attention/causal-mask', files, saves);
    results.watchStagesLoaded = { bundle: stats(bundleMs), sandbox: stats(sandboxMs) };
    console.log(`  stages of a watch grading, loaded: bundle ${results.watchStagesLoaded.bundle.median.toFixed(1)} ms, sandbox run ${results.watchStagesLoaded.sandbox.median.toFixed(1)} ms (medians)`);
    log(record({ label: 'watch: save → verdict (attention/causal-mask), one CPU-bound process competing', key: 'watch-verdict-loaded', ...stats(toVerdict) }));
    log(record({ label: 'watch: save → verdict on screen (attention/causal-mask), one CPU-bound process competing', key: 'watch-screen-loaded', ...stats(toScreen), budget: ratio(2.5), budgetName: 'watch: save → verdict on screen, one CPU-bound process competing' }));
  } finally {
    stop();
  }
}

// From launch to the first verdict: `next --once` in a fresh process (loading the workspace, the definition, the reference,
// bundling and running the learner's file: what the interactive screen does before its first verdict), idle and loaded.
{
  const args = [bin, 'next', '--once', '--workspace', ws];
  record({ ...time('next --once: launch → first verdict (foundations/matmul)', process.execPath, args, { expectCode: 1 }), key: 'launch-verdict', budget: ratio(8), budgetName: 'watch: launch → first verdict' });
  const stop = startCompetitor();
  try {
    record({ ...time('next --once: launch → first verdict, one CPU-bound process competing', process.execPath, args, { expectCode: 1 }), key: 'launch-verdict-loaded' });
  } finally {
    stop();
  }
}

// Would an incremental esbuild context help watch mode? Bundle the same learner file both ways.
{
  const { measureBundling } = await import('./esbuild-incremental.mjs');
  const { full, incremental } = await measureBundling(root, learner, path.join(ws, 'exercises'));
  results.bundling = { full: stats(full), incremental: stats(incremental) };
  console.log(`esbuild, one learner file: fresh build ${results.bundling.full.median.toFixed(1)} ms, incremental rebuild ${results.bundling.incremental.median.toFixed(1)} ms (medians)`);
}

// The reference computations of every exercise, on each tfjs backend this machine has (one process per backend).
results.backends = [];
for (const backend of ['node', 'wasm', 'cpu']) {
  const out = execFileSync(process.execPath, [path.join(root, 'bench', 'references.mjs'), backend, String(runs)], { env, encoding: 'utf8' });
  const measured = JSON.parse(out.trim().split('\n').pop());
  if (measured.available) {
    measured.exercises = measured.exercises.map((e) => ({ ...e, ...stats(e.samples) }));
    measured.totalMs = measured.exercises.reduce((sum, e) => sum + e.median, 0);
    measured.totalFirstMs = measured.exercises.reduce((sum, e) => sum + e.firstMs, 0);
    console.log(`references on ${backend}: ${measured.totalMs.toFixed(0)} ms for all exercises (first run ${measured.totalFirstMs.toFixed(0)} ms, backend load ${measured.loadMs.toFixed(0)} ms)`);
  } else {
    console.log(`references on ${backend}: not available (${measured.reason})`);
  }
  results.backends.push(measured);
}

// The test suite as CI runs it (`npm test`: build, type-check of the exercises, vitest), last: it keeps both cores busy.
if (process.env.BENCH_SUITE === '0') {
  record({ label: 'the test suite: npm test', key: 'test-suite', notMeasured: 'BENCH_SUITE=0', budget: ms(600_000), budgetName: 'the test suite with every pack, 2 cores' });
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = process.hrtime.bigint();
  const suite = spawnSync(npm, ['test'], { cwd: root, env: { ...process.env, BENCH_SUITE: '0' }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const summary = (/Tests\s+(.*)/.exec(suite.stdout.replace(/\u001B\[[0-9;]*m/g, ''))?.[1]?.trim() ?? 'no summary').replaceAll('|', '·');
  results.suite = { exitCode: suite.status, summary };
  log(record({ label: `the test suite: npm test (${summary}${suite.status === 0 ? '' : `; exit ${suite.status}`})`, key: 'test-suite', median: elapsed, min: elapsed, max: elapsed, runs: 1, budget: ms(600_000), budgetName: 'the test suite with every pack, 2 cores' }));
}

// Where the time goes, for every command budget not met: one profiled run of the tutor's process.
for (const f of results.figures) {
  if (!f.budget || f.notMeasured || !f.args || judge(f, floor.median).met) continue;
  const summary = profileSummary([bin, ...f.args], { env, cwd: tmp });
  if (summary) results.profiles[f.key] = summary;
}

// BENCH_OUT: another folder for the two files (the test of this script uses it; the committed figures live in docs/).
const outDir = process.env.BENCH_OUT ?? path.join(root, 'docs');
mkdirSync(outDir, { recursive: true });
results.budgets = results.figures
  .filter((f) => f.budget && !f.notMeasured)
  .map((f) => ({ key: f.key, budget: f.budget, ...(({ limit, met }) => ({ limit, met }))(judge(f, floor.median)), median: f.median }));
writeFileSync(path.join(outDir, 'benchmarks.json'), `${JSON.stringify(results, null, 2)}\n`);
rmSync(tmp, { recursive: true, force: true });
const { met, budgets, unmet } = renderBenchmarks(results, root, outDir);
console.log(`\n${met} of ${budgets} budgets met${unmet.length ? `; not met: ${unmet.join(', ')}` : ''}`);
console.log(`Wrote ${path.join(outDir, 'benchmarks.md')} and benchmarks.json`);
