// docs/benchmarks.md from the results bench/run.mjs measured (docs/benchmarks.json), with the notes of bench/notes.md
// under the budgets not met. Also a command: `node bench/render.mjs [folder]` writes the Markdown again from that
// folder's benchmarks.json (default docs/), after the notes are edited, without measuring again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { budgetTable, judge, nominalFloorMs, showFigure } from './budgets.mjs';
import { profileLine } from './profile-summary.mjs';

/** Writes `outDir`/benchmarks.md for `results`; returns how many budgets were met, of how many, and the keys of those not met. */
export function renderBenchmarks(results, root, outDir) {
  const runs = results.runs;
  const floor = results.figures.find((f) => f.key === 'floor');
  const floorMs = floor.median;
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

  const show = (f, x) => (f.unit === 'bytes' ? `${(x / 2 ** 20).toFixed(0)} MiB` : f.unit ? `${x.toFixed(0)} ${f.unit}` : `${x.toFixed(0)} ms`);
  const anchorFigure = results.figures.find((f) => f.key === 'anchor-pytest');
  const anchorMemory = results.figures.find((f) => f.key === 'anchor-pytest-memory');
  const coldCheck = results.figures.find((f) => f.key === 'check-cold');
  const coldTutor = results.figures.find((f) => f.key === 'check-cold-memory-tutor');
  const coldChild = results.figures.find((f) => f.key === 'check-cold-memory-child');
  const judged = results.figures.filter((f) => f.budget && !f.notMeasured).map((f) => ({ f, j: judge(f, floorMs) }));
  const unmet = judged.filter(({ j }) => !j.met);
  const notes = existsSync(path.join(root, 'bench', 'notes.md')) ? readFileSync(path.join(root, 'bench', 'notes.md'), 'utf8').trim().split('\n') : [];

  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` (bench/run.mjs) on ${results.date.slice(0, 10)}: Node ${results.node}, ${results.cpus} cores (${results.cpuModel}). \`node -e 0\` took **${floorMs.toFixed(0)} ms** here (median of ${floor.runs}).`,
    `Each command figure is the median of ${runs} runs of a fresh process (after one warm-up run), with min and max; the watch figures are medians over many saves in one session. All from one run of the script.`,
    `Budgets (SPEC §9): a command's is a multiple of \`node -e 0\` measured in this run; an absolute one is written for a machine where \`node -e 0\` takes ${nominalFloorMs} ms and is scaled by the floor measured here (× ${(floorMs / nominalFloorMs).toFixed(2)}: "limit here"); memory is not scaled.`,
    '',
    `## Budgets: ${judged.length - unmet.length} of ${judged.length} met`,
    '',
    ...budgetTable(results.figures, floorMs),
    '',
    anchorFigure
      ? `**The anchor**, measured in the same run: pytest + PyTorch checking the same function (bench/anchor: the same ten cases and two properties, a PyTorch reference; Python ${results.anchor.python}, torch ${results.anchor.torch}, pytest ${results.anchor.pytest}) takes **${show(anchorFigure, anchorFigure.median)}** (${(anchorFigure.median / floorMs).toFixed(1)}× \`node -e 0\`)${anchorMemory ? ` and ${show(anchorMemory, anchorMemory.median)} at its peak` : ''}; llm-tutor's cold check of attention/causal-mask takes ${show(coldCheck, coldCheck.median)} (${(coldCheck.median / anchorFigure.median).toFixed(2)}× the anchor)${coldTutor?.median && coldChild?.median ? `, with ${show(coldTutor, coldTutor.median)} for the tutor and ${show(coldChild, coldChild.median)} for its sandbox child` : ''}.`
      : `**The anchor** (pytest + PyTorch checking the same function, bench/anchor) was not measured: ${results.anchor.absent}.`,
    '',
    ...shardLines(results, floorMs),
    ...(unmet.length
      ? [
          '## Where the time goes, for the budgets not met',
          '',
          ...unmet.map(({ f, j }) => {
            const profile = results.profiles[f.key];
            return `- **${f.label}**: ${showFigure(f)} against ${j.limitText}.${profile ? ` One profiled run of the tutor's process: ${profileLine(profile)}.` : ''}`;
          }),
          '',
          ...notes,
          '',
        ]
      : []),
    '## Every figure',
    '',
    '| what | median | min | max | × floor (`node -e 0`) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.figures
      .filter((f) => !f.notMeasured)
      .map((f) => `| ${f.label} | ${show(f, f.median)} | ${show(f, f.min)} | ${show(f, f.max)} | ${f.unit ? '' : `${(f.median / floorMs).toFixed(1)}×`} |`),
    '',
    'The cold check includes starting Node, loading tfjs-core with the wasm backend, computing the reference on every case,',
    'bundling the learner file with esbuild and running it in a fresh sandboxed child process (started at once, so it loads Node while the file is bundled).',
    'With a warm cache the exercise definition is not compiled again and the bubblewrap probe is not run again (it is remembered for a day once it worked; docs/security.md).',
    '"--version" and "list" import no tfjs (test/e2e/startup.test.ts).',
    'Peak memory is sampled from /proc every 10 ms in runs apart from the timed ones (bench/process-tree-memory.mjs): a process\'s own peak is its VmHWM, and "all processes" is the largest sum of resident sets seen at once.',
    'In watch mode the expected outputs are cached per exercise and seed, and a sandbox child is started ahead of each grading',
    '(still a fresh process per grading); "on screen" is when the Ink frame shows the new verdict.',
    `Learner code runs inside bubblewrap around Node's permission model where bubblewrap works (${results.bwrapProblem ? `not on this machine: ${results.bwrapProblem}` : 'it does here'}; docs/security.md):`,
    'the rows "sandbox child" give the cost of one child under each isolation, measured in one process (no CLI start-up), and the cold check and watch rows',
    'are given under both. The watch rows with "--isolation permission" come from the same session code, in the same run.',
    'The "1 M float32" rows time a run message holding 1,000,000 float32 parameters, from the moment the tutor starts sending it (serialising included)',
    "until the harness reports it is calling the learner's function (bench/tensor-input.mjs; a fresh child per run, under the default isolation).",
    `Of a watch grading, bundling the file with esbuild takes ${results.watchStages.bundle.median.toFixed(1)} ms and the run in the warm child ${results.watchStages.sandbox.median.toFixed(1)} ms (medians of the same saves);`,
    `with one CPU-bound process competing (\`node -e "for(;;){}"\`, started by the benchmark for the "competing" rows), ${results.watchStagesLoaded.bundle.median.toFixed(1)} ms and ${results.watchStagesLoaded.sandbox.median.toFixed(1)} ms.`,
    'The "launch → first verdict" rows are `next --once` in a fresh process, which does what the interactive screen does before its first verdict (without drawing it).',
    `Watch mode does a fresh esbuild build on each save: for the causal-mask file that is ${results.bundling.full.median.toFixed(1)} ms (min ${results.bundling.full.min.toFixed(1)}, max ${results.bundling.full.max.toFixed(1)}) with esbuild's service warm,`,
    `against ${results.bundling.incremental.median.toFixed(1)} ms (min ${results.bundling.incremental.min.toFixed(1)}, max ${results.bundling.incremental.max.toFixed(1)}) for an incremental context's rebuild (medians of ${results.bundling.full.runs} builds each, bench/esbuild-incremental.mjs).`,
    `The per-pack grade rows grade one workspace holding every pack's model solutions, one \`grade --pack\` per pack; "every built-in pack" is the sum of their medians.`,
    `The class of ${results.classSize} is that workspace copied ${results.classSize} times, graded \`--jobs 2\` once per pack (${(results.classPerPack ?? []).map((p) => `${p.packId} ${(p.ms / 1000).toFixed(1)} s`).join(', ')}); its memory is the largest peak of those runs.`,
    "Class grading runs each submission's files in one sandboxed child, one after another, with a fresh child after any file that leaves the process changed (docs/security.md).",
    'The mid-way class has the first half of transformer-core solved and the starters (which throw) in the rest, so half of every submission fails and is diagnosed.',
    ...(results.shards?.notes ?? []),
    '',
    ...referenceLines,
  ];
  writeFileSync(path.join(outDir, 'benchmarks.md'), lines.join('\n'));
  return { met: judged.length - unmet.length, budgets: judged.length, unmet: unmet.map(({ f }) => f.key) };
}

/** The class of a thousand, sharded as a CI matrix runs it: what one job costs, and the merge. */
function shardLines(results, floorMs) {
  const find = (key) => results.figures.find((f) => f.key === key);
  const grade = find('shard-grade');
  const merge = find('shard-merge');
  if (!grade || !merge) return [];
  const s = results.shards;
  const memory = find('shard-memory');
  const everyPack = find('grade-class-every-pack');
  const minutes = (ms) => (ms < 120_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 60_000).toFixed(1)} min`);
  return [
    `**A class of ${s.classSize}**, sharded as a CI matrix runs it (bench/class-generator.mjs, bench/class-shard.mjs; docs/ci.md): one shard of ${s.shard.submissions} submissions (${Object.entries(s.shard.mix ?? {}).map(([k, n]) => `${n} ${k}`).join(', ')}) graded against ${s.pack} with \`--jobs 2\` took **${(grade.median / 1000).toFixed(1)} s** from a cold cache (${s.shard.perSubmissionMs.toFixed(0)} ms per submission)${memory ? `, all its processes together peaking at ${(memory.median / 2 ** 20).toFixed(0)} MiB` : ''}; ` +
      `\`grade merge\` of the ${s.shards} shard files (${s.classSize} submissions) into results.json and the HTML report took **${(merge.median / 1000).toFixed(1)} s** (median of ${merge.runs}). ` +
      `So a matrix of ${s.shards} jobs grades the class in about ${minutes(grade.median)} of grading per job (plus each job's setup) and ${(merge.median / 1000).toFixed(0)} s of merging, where one machine would take about ${minutes(grade.median * s.shards)}` +
      (everyPack ? `; a job grading every built-in pack for its ${s.shard.submissions} submissions would take about ${minutes((everyPack.median / results.classSize) * s.shard.submissions)} (from the class graded against every pack above).` : '.') +
      ` The load average when the shard was graded was ${s.loadAverage.toFixed(1)} (\`node -e 0\`: ${floorMs.toFixed(0)} ms).`,
    '',
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = path.resolve(process.argv[2] ?? path.join(root, 'docs'));
  const results = JSON.parse(readFileSync(path.join(outDir, 'benchmarks.json'), 'utf8'));
  const { met, budgets } = renderBenchmarks(results, root, outDir);
  console.log(`Wrote ${path.join(outDir, 'benchmarks.md')} (${met} of ${budgets} budgets met)`);
}
