#!/usr/bin/env node
// Benchmarks of llm-tutor's budgets (SPEC §9), run on the built package.
// Each figure is the median (with min and max) of repeated runs, all from this one run of the script.
// Writes docs/benchmarks.md and docs/benchmarks.json.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'llm-tutor.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-'));
const cache = path.join(tmp, 'cache');
// CI cleared: grade under CI requires bubblewrap, and the benchmark measures both isolations itself.
const env = { ...process.env, CI: '', NO_COLOR: '1', LLM_TUTOR_CACHE_DIR: cache };

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

function time(label, command, args, { before, expectCode = 0, n = runs, warmup = true } = {}) {
  const samples = [];
  for (let i = 0; i < n + (warmup ? 1 : 0); i++) {
    before?.();
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { env, cwd: tmp, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== expectCode) throw new Error(`${label}: exit ${result.status}\n${result.stdout}\n${result.stderr}`);
    if (i > 0 || !warmup) samples.push(ms); // the first run warms the OS file cache
  }
  const s = stats(samples);
  console.log(`${label.padEnd(58)} median ${s.median.toFixed(0).padStart(5)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`);
  return { label, ...s };
}

/** Starts one CPU-bound process beside the measurements (a learner's busy machine: a build, a browser tab); returns its stop. */
function startCompetitor() {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return () => child.kill('SIGKILL');
}

execFileSync(process.execPath, [bin, 'init', path.join(tmp, 'ws'), '--seed', '42'], { env });
const ws = path.join(tmp, 'ws');
const learner = path.join(ws, 'exercises', 'transformer-core', 'attention', 'causal-mask.ts');
copyFileSync(path.join(root, 'exercises', 'transformer-core', 'attention', 'causal-mask', 'solution.ts'), learner);

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  runs,
  figures: [],
};
const floor = time('floor: node -e 0', process.execPath, ['-e', '0']);
results.figures.push(floor);
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
    const s = stats(measured[mode]);
    console.log(`${label.padEnd(58)} median ${s.median.toFixed(0).padStart(5)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`);
    results.figures.push({ label, key: `sandbox-${mode}`, ...s, floorMultiple: s.median / floor.median });
  }
}
// 1 M float32 parameters (a model-sized input) reaching the learner's function in a sandbox child.
{
  const out = execFileSync(process.execPath, [path.join(root, 'bench', 'tensor-input.mjs'), root, String(Math.min(runs, 10))], { env, encoding: 'utf8' });
  const measured = JSON.parse(out.trim().split('\n').pop());
  for (const [kind, what] of [['flat', 'a Float32Array'], ['rows', 'rowsOf 1000 × 1000'], ['plain', 'matrixOf 1000 × 1000, plain number[][]']]) {
    const label = `1 M float32 to the learner's function: send → call (${what})`;
    const s = stats(measured.caseStart[kind]);
    console.log(`${label.padEnd(58)} median ${s.median.toFixed(1).padStart(5)} ms  (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)})`);
    results.figures.push({ label, key: `tensor-input-${kind}`, ...s, budgetMs: 50 });
  }
}
// The capstone: `play` with the model solution of model/generate on each shipped model (bench/play.mjs).
{
  const out = execFileSync(process.execPath, [path.join(root, 'bench', 'play.mjs'), root, String(Math.min(runs, 5))], { env, encoding: 'utf8' });
  const measured = JSON.parse(out.trim().split('\n').pop());
  for (const [name, m] of Object.entries(measured)) {
    const first = { label: `play (${name}): open your model → first tokens on screen`, key: `play-first-${name}`, ...stats(m.firstTokenMs), budgetMs: 500 };
    const rate = { label: `play (${name}): tokens per second, 200 tokens at temperature 0.8`, key: `play-rate-${name}`, ...stats(m.tokensPerSecond), unit: 'tokens/s', atLeast: 50 };
    for (const f of [first, rate]) {
      const unit = f.unit ?? 'ms';
      console.log(`${f.label.padEnd(58)} median ${f.median.toFixed(0).padStart(5)} ${unit}  (min ${f.min.toFixed(0)}, max ${f.max.toFixed(0)})`);
      results.figures.push(f);
    }
  }
}
const budgets = [
  { key: 'version', label: 'llm-tutor --version', args: ['--version'], budgetMs: undefined },
  { key: 'list', label: 'llm-tutor list', args: ['list', '--workspace', ws], budgetMs: undefined },
  {
    key: 'check-cold-cache',
    label: 'cold check attention/causal-mask (empty definition cache)',
    args: ['check', 'attention/causal-mask', '--workspace', ws],
    budgetMs: 600,
    before: () => rmSync(cache, { recursive: true, force: true }),
  },
  { key: 'check-cold', label: 'cold check attention/causal-mask (new process, cache warm)', args: ['check', 'attention/causal-mask', '--workspace', ws], budgetMs: 600 },
  {
    key: 'check-cold-permission',
    label: 'cold check attention/causal-mask, --isolation permission (cache warm)',
    args: ['check', 'attention/causal-mask', '--workspace', ws, '--isolation', 'permission'],
    budgetMs: undefined,
  },
];
// The slowest exercise of the pack to grade: GPT-2's tokenizer with its 50,257-token vocabulary.
copyFileSync(
  path.join(root, 'exercises', 'transformer-core', 'tokenization', 'gpt2-encode', 'solution.ts'),
  path.join(ws, 'exercises', 'transformer-core', 'tokenization', 'gpt2-encode.ts'),
);
// The capstone's forward pass on the shipped weights (two models, 4 layers, up to 64 tokens), in the learner's plain JavaScript.
copyFileSync(path.join(root, 'exercises', 'mini-gpt', 'model', 'forward', 'solution.ts'), path.join(ws, 'exercises', 'mini-gpt', 'model', 'forward.ts'));
budgets.push({ key: 'check-model-forward', label: 'cold check mini-gpt model/forward (shipped weights)', args: ['check', 'model/forward', '--workspace', ws], budgetMs: 1000 });
budgets.push({ key: 'check-slowest', label: 'cold check tokenization/gpt2-encode (the slowest exercise)', args: ['check', 'tokenization/gpt2-encode', '--workspace', ws], budgetMs: undefined });
for (const b of budgets) {
  const figure = time(b.label, process.execPath, [bin, ...b.args], { before: b.before });
  figure.key = b.key;
  figure.budgetMs = b.budgetMs;
  figure.floorMultiple = figure.median / floor.median;
  results.figures.push(figure);
}

// Grading: the whole pack with the model solutions (one submission), then classes of 100.
{
  const pack = JSON.parse(readFileSync(path.join(root, 'exercises', 'transformer-core', 'pack.json'), 'utf8'));
  /** A new workspace with the model solutions of `solvedIds` (the rest keep their starters). */
  const workspaceSolving = (name, solvedIds, packId = 'transformer-core') => {
    const dir = path.join(tmp, name);
    execFileSync(process.execPath, [bin, 'init', dir, '--seed', '42'], { env });
    for (const id of solvedIds) copyFileSync(path.join(root, 'exercises', packId, id, 'solution.ts'), path.join(dir, 'exercises', packId, `${id}.ts`));
    return dir;
  };
  const allIds = pack.exercises.map((e) => e.id);
  const solved = workspaceSolving('solved', allIds);
  /** `grade` of one submission holding the model solutions of a whole built-in pack, against that pack. */
  const gradeWholePack = (key, packId, dir, count) => {
    const figure = time(`grade: the whole ${packId} pack (${count} exercises), model solutions`, process.execPath, [bin, 'grade', dir, '--pack', packId, '--seed', '42', '--reporter', 'json=' + path.join(tmp, `${key}.json`)], { n: Math.min(runs, 5) });
    figure.key = key;
    figure.budgetMs = 3000;
    figure.floorMultiple = figure.median / floor.median;
    results.figures.push(figure);
  };
  gradeWholePack('grade-pack', 'transformer-core', solved, allIds.length);
  // Every other built-in pack the same way, one figure each (`grade-pack-training`, `grade-pack-scaling`, …), in syllabus order.
  const { listBuiltinPackIds } = await import(path.join(root, 'dist', 'core', 'packs', 'packs.js'));
  for (const packId of (await listBuiltinPackIds()).filter((id) => id !== 'transformer-core')) {
    const ids = JSON.parse(readFileSync(path.join(root, 'exercises', packId, 'pack.json'), 'utf8')).exercises.map((e) => e.id);
    gradeWholePack(`grade-pack-${packId}`, packId, workspaceSolving(`solved-${packId}`, ids, packId), ids.length);
  }

  const classSize = Number(process.env.BENCH_CLASS ?? 100);
  results.classSize = classSize;
  /** `classSize` copies of `template`, graded once with `jobs`; every submission must pass exactly `passes` exercises. */
  const gradeClass = (key, label, template, jobs, passes) => {
    const classDir = path.join(tmp, key);
    mkdirSync(classDir);
    for (let i = 0; i < classSize; i++) cpSync(template, path.join(classDir, `student-${String(i).padStart(3, '0')}`), { recursive: true });
    const json = path.join(tmp, `${key}.json`);
    const expectCode = passes === allIds.length ? 0 : 1;
    const figure = time(label, process.execPath, [bin, 'grade', classDir, '--jobs', String(jobs), '--seed', '42', '--reporter', `json=${json}`], { n: 1, warmup: false, expectCode });
    const graded = JSON.parse(readFileSync(json, 'utf8'));
    if (graded.submissions.length !== classSize || graded.submissions.some((s) => s.passed !== passes)) throw new Error(`${label}: expected ${passes} passes in each of ${classSize} submissions`);
    figure.key = key;
    figure.budgetMs = jobs === 2 && classSize === 100 ? 90_000 : undefined;
    figure.perSubmissionMs = figure.median / classSize;
    figure.floorMultiple = figure.median / floor.median;
    console.log(`  per submission: ${figure.perSubmissionMs.toFixed(0)} ms`);
    results.figures.push(figure);
  };
  for (const jobs of [1, 2]) gradeClass(`grade-class-jobs-${jobs}`, `grade: ${classSize} submissions × ${allIds.length} exercises, --jobs ${jobs}`, solved, jobs, allIds.length);
  // A class mid-way through the pack: the first half solved, the rest still the starters (which throw),
  // so half of every submission fails and is diagnosed.
  const half = Math.ceil(allIds.length / 2);
  const midway = workspaceSolving('midway', allIds.slice(0, half));
  gradeClass('grade-class-midway-jobs-2', `grade: ${classSize} submissions mid-way (${half} solved, ${allIds.length - half} starters), --jobs 2`, midway, 2, half);
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
    for (const [label, samples, budgetMs] of [
      [`watch: save → verdict (attention/causal-mask${suffix})`, toVerdict, undefined],
      [`watch: save → verdict on screen (attention/causal-mask${suffix})`, toScreen, mode === 'auto' ? 150 : undefined],
    ]) {
      const s = stats(samples);
      console.log(`${label.padEnd(58)} median ${s.median.toFixed(0).padStart(5)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}, ${s.runs} saves)`);
      results.figures.push({ label, key: `${label.startsWith('watch: save → verdict on') ? 'watch-screen' : 'watch-verdict'}${keySuffix}`, ...s, budgetMs, floorMultiple: s.median / floor.median });
    }
  }
  requestIsolation('auto');
  // The same with one CPU-bound process competing for the two cores: where the time goes on a busy machine.
  const stop = startCompetitor();
  try {
    const { toVerdict, toScreen, bundleMs, sandboxMs } = await measureWatchLatency(root, ws, 'attention/causal-mask', files, saves);
    results.watchStagesLoaded = { bundle: stats(bundleMs), sandbox: stats(sandboxMs) };
    console.log(`  stages of a watch grading, loaded: bundle ${results.watchStagesLoaded.bundle.median.toFixed(1)} ms, sandbox run ${results.watchStagesLoaded.sandbox.median.toFixed(1)} ms (medians)`);
    for (const [label, samples, key] of [
      ['watch: save → verdict (attention/causal-mask), one CPU-bound process competing', toVerdict, 'watch-verdict-loaded'],
      ['watch: save → verdict on screen (attention/causal-mask), one CPU-bound process competing', toScreen, 'watch-screen-loaded'],
    ]) {
      const s = stats(samples);
      console.log(`${label.padEnd(58)} median ${s.median.toFixed(0).padStart(5)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}, ${s.runs} saves)`);
      results.figures.push({ label, key, ...s, floorMultiple: s.median / floor.median });
    }
  } finally {
    stop();
  }
}

// From launch to the first verdict: `next --once` in a fresh process (loading the workspace, the definition, the reference,
// bundling and running the learner's file: what the interactive screen does before its first verdict), idle and loaded.
{
  const args = [bin, 'next', '--once', '--workspace', ws];
  const idle = time('next --once: launch → first verdict (foundations/matmul)', process.execPath, args, { expectCode: 1 });
  results.figures.push({ ...idle, key: 'launch-verdict', floorMultiple: idle.median / floor.median });
  const stop = startCompetitor();
  try {
    const loaded = time('next --once: launch → first verdict, one CPU-bound process competing', process.execPath, args, { expectCode: 1 });
    results.figures.push({ ...loaded, key: 'launch-verdict-loaded', floorMultiple: loaded.median / floor.median });
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
const available = results.backends.filter((b) => b.available);
const referenceLines = [
  '## Reference computations per tfjs backend',
  '',
  `Every case of every exercise of every built-in pack (seed 42), computed by its tfjs reference in one process per backend: the median of ${runs} runs after a first run, which is shown apart (it compiles code paths and fills tfjs's caches, as a cold check does).`,
  '',
  ...results.backends.filter((b) => !b.available).map((b) => `- **${b.backend}**: not measured here: ${b.reason}`),
  '',
  `| exercise | cases | ${available.map((b) => `${b.backend} median (first)`).join(' | ')} |`,
  `| --- | ---: | ${available.map(() => '---:').join(' | ')} |`,
  ...(available[0]?.exercises ?? []).map((e, i) => `| ${e.id} | ${e.cases} | ${available.map((b) => `${b.exercises[i].median.toFixed(1)} ms (${b.exercises[i].firstMs.toFixed(1)} ms)`).join(' | ')} |`),
  `| **all exercises** |  | ${available.map((b) => `**${b.totalMs.toFixed(0)} ms** (${b.totalFirstMs.toFixed(0)} ms)`).join(' | ')} |`,
  `| loading tfjs and the backend |  | ${available.map((b) => `${b.loadMs.toFixed(0)} ms`).join(' | ')} |`,
  '',
];

const lines = [
  '# Benchmarks',
  '',
  `Measured by \`npm run bench\` (bench/run.mjs) on ${results.date.slice(0, 10)}: Node ${results.node}, ${results.cpus} cores (${results.cpuModel}).`,
  `Each command figure is the median of ${runs} runs of a fresh process (after one warm-up run), with min and max; the watch figures are medians over many saves in one session. All from one run of the script.`,
  '',
  '| what | median | min | max | × floor (`node -e 0`) | budget (SPEC §9) |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...results.figures.map((f) => {
    if (f.unit) return `| ${f.label} | ${f.median.toFixed(0)} ${f.unit} | ${f.min.toFixed(0)} ${f.unit} | ${f.max.toFixed(0)} ${f.unit} |  | ≥ ${f.atLeast} ${f.unit}: ${f.median >= f.atLeast ? 'met' : '**not met**'} |`;
    const budget = f.budgetMs ? `${f.budgetMs} ms: ${f.median <= f.budgetMs ? 'met' : '**not met**'}` : f.key === 'version' || f.key === 'list' ? 'no tfjs import' : '';
    const label = f.perSubmissionMs ? `${f.label} (${f.perSubmissionMs.toFixed(0)} ms per submission)` : f.label;
    const multiple = f.floorMultiple ? `${f.floorMultiple.toFixed(1)}×` : '';
    return `| ${label} | ${f.median.toFixed(0)} ms | ${f.min.toFixed(0)} ms | ${f.max.toFixed(0)} ms | ${multiple} | ${budget} |`;
  }),
  '',
  'The cold check includes starting Node, loading tfjs-core with the wasm backend, computing the reference on every case,',
  'bundling the learner file with esbuild and running it in a fresh sandboxed child process (started at once, so it loads Node while the file is bundled).',
  '"no tfjs import" for --version and list is checked by test/e2e/startup.test.ts.',
  'In watch mode the expected outputs are cached per exercise and seed, and a sandbox child is started ahead of each grading',
  '(still a fresh process per grading); "on screen" is when the Ink frame shows the new verdict.',
  `Learner code runs inside bubblewrap around Node's permission model where bubblewrap works (${results.bwrapProblem ? `not on this machine: ${results.bwrapProblem}` : 'it does here'}; docs/security.md):`,
  'the rows "sandbox child" give the cost of one child under each isolation, measured in one process (no CLI start-up), and the cold check and watch rows',
  'are given under both. The watch rows with "--isolation permission" come from the same session code, in the same run.',
  'The "1 M float32" rows time a run message holding 1,000,000 float32 parameters, from the moment the tutor starts sending it (serialising included)',
  'until the harness reports it is calling the learner\'s function (bench/tensor-input.mjs; a fresh child per run, under the default isolation).',
  `Of a watch grading, bundling the file with esbuild takes ${results.watchStages.bundle.median.toFixed(1)} ms and the run in the warm child ${results.watchStages.sandbox.median.toFixed(1)} ms (medians of the same saves);`,
  `with one CPU-bound process competing (\`node -e "for(;;){}"\`, started by the benchmark for the "competing" rows), ${results.watchStagesLoaded.bundle.median.toFixed(1)} ms and ${results.watchStagesLoaded.sandbox.median.toFixed(1)} ms.`,
  'The "launch → first verdict" rows are `next --once` in a fresh process, which does what the interactive screen does before its first verdict (without drawing it).',
  `Watch mode does a fresh esbuild build on each save: for the causal-mask file that is ${results.bundling.full.median.toFixed(1)} ms (min ${results.bundling.full.min.toFixed(1)}, max ${results.bundling.full.max.toFixed(1)}) with esbuild's service warm,`,
  `against ${results.bundling.incremental.median.toFixed(1)} ms (min ${results.bundling.incremental.min.toFixed(1)}, max ${results.bundling.incremental.max.toFixed(1)}) for an incremental context's rebuild (medians of ${results.bundling.full.runs} builds each, bench/esbuild-incremental.mjs).`,
  'Class grading runs each submission\'s files in one sandboxed child, one after another, with a fresh child after any file that',
  `leaves the process changed (see docs/security.md). The first class is ${results.classSize} copies of the model solutions; the mid-way class has`,
  'the first half of the exercises solved and the starters (which throw) in the rest, so half of every submission fails and is diagnosed.',
  '',
  ...referenceLines,
];
// BENCH_OUT: another folder for the two files (the test of this script uses it; the committed figures live in docs/).
const outDir = process.env.BENCH_OUT ?? path.join(root, 'docs');
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'benchmarks.md'), lines.join('\n'));
writeFileSync(path.join(outDir, 'benchmarks.json'), `${JSON.stringify(results, null, 2)}\n`);
rmSync(tmp, { recursive: true, force: true });
console.log(`\nWrote ${path.join(outDir, 'benchmarks.md')} and benchmarks.json`);
