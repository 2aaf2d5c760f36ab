#!/usr/bin/env node
// A synthetic class for the class-grading benchmark (issue 22): one llm-tutor workspace per submission, the same
// class for the same seed. Every workspace has every built-in pack's files (as `init` makes them); in the packs
// given (default: every built-in pack) each submission's files are, by the submission's kind:
//   solved  (40%) every exercise holds its model solution (exercises/<pack>/<id>/solution.ts);
//   wrong   (30%) one to three exercises of each pack hold a classic mistake (`wrongFile` below), the others
//                 their model solutions;
//   hostile (15%) one exercise of each pack holds hostile code (`hostileKinds`: loops forever, exits, reads
//                 /etc/passwd, opens a socket, writes files, prints fake passes, throws a huge string, allocates
//                 until the heap cap, signals the grader, overflows the stack, floods stdout), the others their
//                 model solutions;
//   empty   (10%) an empty folder (no llm-tutor.json), a workspace left as `init` made it, or one whose
//                 exercises/ folder is gone;
//   partial  (5%) each exercise a model solution or the starter, half and half.
// The shares are rounded per kind and solved takes the rest; the kinds are dealt so that every shard of ten
// (`grade --shard i/10`) has the class's mix, in a seeded shuffle.
// Each file's content is recorded in the manifest (`generateClass`'s result, and class-manifest.json beside
// the submissions from the CLI, which `grade` does not take for a submission: it is a file), so what a grade
// says can be checked against what was written: a solved file passes, a starter or a missing file is an error,
// everything else does not pass.
//
//   node bench/class-generator.mjs <dir> [--size N] [--seed S] [--packs a,b]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Each kind's share of the class. */
export const kindShares = { solved: 0.4, wrong: 0.3, hostile: 0.15, empty: 0.1, partial: 0.05 };

/** The empty kinds, dealt in turn: a folder without llm-tutor.json, a new workspace, one without exercises/. */
export const emptyVariants = ['empty-folder', 'starters', 'no-exercises'];

/**
 * Hostile learner files: each a body for every function the exercise exports (`(...args) => unknown`), and the
 * imports or top-level code it needs. All must end within the exercise's time limit and never pass
 * (test/e2e/adversarial.test.ts holds the sandbox to that for each misbehaviour, one file at a time).
 */
export const hostileKinds = {
  'infinite-loop': { body: 'for (;;) {}' },
  // Before any function is called: the file never finishes loading.
  'loops-on-load': { top: 'while (Date.now() > 0) {}', body: 'return null;' },
  exit: { body: 'process.exit(0);' },
  'reads-passwd': { imports: "import { readFileSync } from 'node:fs';", body: "return readFileSync('/etc/passwd', 'utf8');" },
  network: { imports: "import net from 'node:net';", body: "net.connect(443, '1.1.1.1').on('error', () => {});\n  return [];" },
  'writes-files': { imports: "import { writeFileSync } from 'node:fs';", body: "writeFileSync('pwned.txt', 'owned');\n  writeFileSync('/tmp/llm-tutor-class-pwned.txt', 'owned');\n  return [];" },
  'fake-pass': { body: "console.log('PASS all exercises');\n  console.log('  All cases pass.');\n  console.error('✓ all cases pass');\n  return null;" },
  'huge-throw': { body: "throw 'x'.repeat(2 ** 27);" },
  'allocates-until-oom': { body: 'const hoard: number[][] = [];\n  for (;;) hoard.push(new Array(1_000_000).fill(args.length));' },
  'signals-grader': { body: "process.kill(process.ppid, 'SIGKILL');\n  return null;" },
  'stack-overflow': { body: 'const deeper = (n: number): number => deeper(n + 1) + 1;\n  return deeper(0);' },
  'floods-stdout': { body: "for (let i = 0; i < 20_000; i++) console.log('spam '.repeat(20));\n  return null;" },
};

/**
 * Classic mistakes: one for every exercise of transformer-core (the pack the benchmark grades), and for the
 * exercises of the other packs that the generic mistakes of `wrongFile` do not make fail. Each is a learner file
 * from fixtures/learner/, or edits of the model solution (each must be found in it). Most are the exercise's own
 * misconceptions, so grading them runs the diagnosis, as a real class does.
 */
const mistakes = {
  'transformer-core': {
    'foundations/matmul': { id: 'transposed-result', fixture: 'matmul-transposed.ts' },
    'foundations/softmax': { id: 'no-max-subtraction', fixture: 'softmax-no-max.ts' },
    'foundations/cross-entropy': { id: 'sum-instead-of-mean', edit: ['return total / logits.length;', 'return total;'] },
    'attention/scaled-dot-product': { id: 'scale-by-d', edit: ['const scale = 1 / Math.sqrt(d);', 'const scale = 1 / d;'] },
    'attention/causal-mask': { id: 'diagonal-excluded', fixture: 'causal-diagonal-excluded.ts' },
    'attention/padding-mask': { id: 'no-max-subtraction', fixture: 'padding-mask-no-max.ts' },
    'attention/multi-head': { id: 'scale-by-d-model', edit: ['const scale = 1 / Math.sqrt(dHead);', 'const scale = 1 / Math.sqrt(C);'] },
    'attention/kv-cache': { id: 'no-scaling', edit: ['const scale = 1 / Math.sqrt(d);', 'const scale = 1;'] },
    'attention/grouped-query': { id: 'one-head-unscaled', fixture: 'grouped-query-head-1-unscaled.ts' },
    'attention/online-softmax': { id: 'not-divided-by-sum', edit: ['return out.map((o) => o / sum);', 'return out;'] },
    'positions/sinusoidal': { id: 'exponent-i-over-d', edit: ['const angle = p / 10000 ** ((2 * i) / d);', 'const angle = p / 10000 ** (i / d);'] },
    'positions/rope-frequencies': { id: 'exponent-i-over-d', edit: ['base ** (-(2 * i) / d)', 'base ** (-i / d)'] },
    'positions/rope': { id: 'row-index-as-position', edit: ['const angle = positions[r] * theta;', 'const angle = r * theta;'] },
    'positions/rope-half-split': { id: 'sign-flipped', edit: ['out[i] = a * cos - b * sin;\n      out[i + half] = a * sin + b * cos;', 'out[i] = a * cos + b * sin;\n      out[i + half] = -a * sin + b * cos;'] },
    'positions/rope-relative': { id: 'angle-m-plus-n', edit: ['rotate(k[2 * i], k[2 * i + 1], n * theta)', 'rotate(k[2 * i], k[2 * i + 1], -n * theta)'] },
    'positions/rope-scaling': { id: 'linear-multiplies', edit: ['/ d) / divisor', '/ d) * divisor'] },
    'positions/alibi': { id: 'positive-bias', edit: ['j <= i ? -m * (i - j)', 'j <= i ? m * (i - j)'] },
    'attention/llama-decode-step': { id: 'position-from-one', edit: ['const position = cache.k[0].length;', 'const position = cache.k[0].length + 1;'] },
    'tokenization/bpe-train': { id: 'utf16-code-units', edit: ['let ids = Array.from(new TextEncoder().encode(text));', 'let ids = Array.from(text, (ch) => ch.charCodeAt(0));'] },
    'tokenization/bpe-encode': { id: 'utf16-code-units', edit: ['let ids = Array.from(new TextEncoder().encode(text));', 'let ids = Array.from(text, (ch) => ch.charCodeAt(0));'] },
    'tokenization/bpe-decode': { id: 'from-char-code-per-byte', edit: ['return new TextDecoder().decode(new Uint8Array(bytes));', 'return String.fromCharCode(...bytes);'] },
    'tokenization/gpt2-pretokenize': { id: 'case-insensitive-contractions', edit: ['/gu;', '/giu;'] },
    'tokenization/gpt2-encode': { id: 'case-insensitive-contractions', edit: ['/gu;', '/giu;'] },
    'tokenization/bpe-on-real-text': { id: 'tokens-per-byte', edit: ['bytesOf(heldOut).length / ids.length', 'ids.length / bytesOf(heldOut).length'] },
    'lora/forward': { id: 'scale-alpha', edit: ['const scale = alpha / r;', 'const scale = alpha;'] },
    'lora/merge': { id: 'rslora-scaling', edit: ['const scale = alpha / r;', 'const scale = alpha / Math.sqrt(r);'] },
    'lora/param-count': { id: 'layers-not-multiplied', edit: ['{ trainable: cfg.nLayers * trainablePerLayer, frozen: cfg.nLayers * frozenPerLayer }', '{ trainable: trainablePerLayer, frozen: frozenPerLayer }'] },
    'lora/nf4-quantize': { id: 'absmax-without-abs', edit: ['Math.max(...block.map((x) => Math.abs(x)))', 'Math.max(...block)'] },
    'lora/qlora-forward': { id: 'scale-alpha', edit: ['const scale = alpha / rank;', 'const scale = alpha;'] },
  },
  // The exercises of the other packs on which no generic mistake below fails.
  training: {
    'objectives/mlm-masking': { id: 'random-and-keep-swapped', edit: ['else if (u.action[t] < 0.9)', 'else if (u.action[t] >= 0.9)'] },
    'objectives/span-corruption': { id: 'sentinels-counting-up', edit: ['sentinel--;', 'sentinel++;'] },
    'backprop/linear-backward': { id: 'db-averaged', edit: ['dy.reduce((s, row) => s + row[j], 0)', 'dy.reduce((s, row) => s + row[j], 0) / dy.length'] },
    'optim/loss-scaling': { id: 'counter-not-reset', edit: ['goodSteps: 0, skipStep: true', 'goodSteps: state.goodSteps, skipStep: true'] },
  },
  scaling: {
    'memory/gpt-params': { id: 'position-embeddings-forgotten', edit: ['const embeddings = cfg.vocab * c + cfg.context * c;', 'const embeddings = cfg.vocab * c;'] },
    'memory/training-bytes': { id: 'master-copy-forgotten', edit: [': 2 + 2 + (4 + 4 + 4);', ': 2 + 2 + (4 + 4);'] },
    'memory/zero': { id: 'k-16', edit: ['const K = 12;', 'const K = 16;'] },
    'memory/kv-cache': { id: 'k-and-v', edit: ['const valuesPerToken = 2 * cfg.layers', 'const valuesPerToken = cfg.layers'] },
    'memory/activations': { id: 'attention-term-forgotten', edit: ['return s * b * h * (34 + (5 * a * s) / h);', 'return s * b * h * 34;'] },
    'compute/training-flops': { id: 'forward-only', edit: ['const flops = 6 * cfg.params * tokens;', 'const flops = 2 * cfg.params * tokens;'] },
    'parallel/row-parallel': {
      id: 'bias-on-every-rank',
      edit: [
        ['sum + v * rows[k][j], 0)', 'sum + v * rows[k][j], b[j])'],
        ['partials.reduce((sum, p) => sum + p[t][j], 0) + b[j]', 'partials.reduce((sum, p) => sum + p[t][j], 0)'],
      ],
    },
    'moe/top-k-router': { id: 'no-renormalisation', edit: ['weights.push(normalize ? picked.map((p) => p / sum) : picked);', 'weights.push(picked);'] },
  },
  inference: {
    'quant/int8-absmax': { id: 'max-not-abs', edit: ['m = Math.max(m, Math.abs(v))', 'm = Math.max(m, v)'] },
    'quant/int8-zero-point': {
      id: 'range-without-zero',
      edit: [
        ['Math.min(0, ...x)', 'Math.min(...x)'],
        ['Math.max(0, ...x)', 'Math.max(...x)'],
      ],
    },
    'quant/per-channel': { id: 'round-half-up', edit: ['roundHalfEven((127 * v) / absmax[j])', 'Math.round((127 * v) / absmax[j])'] },
  },
  'alignment-multimodal': {
    'rl/gae': { id: 'gamma-missing-in-recursion', edit: ['lastAdvantage = delta + gamma * lambda * lastAdvantage;', 'lastAdvantage = delta + lambda * lastAdvantage;'] },
  },
  'mini-gpt': {
    'model/config': { id: 'bytes-as-fp16', edit: ['bytes: 4 * params', 'bytes: 2 * params'] },
  },
};

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function shuffle(items, random) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** How many submissions of each kind a class of `size` has: each share rounded, solved the rest. */
export function kindCounts(size) {
  const counts = {};
  for (const [kind, share] of Object.entries(kindShares)) if (kind !== 'solved') counts[kind] = Math.round(size * share);
  // Rounding up several shares of a tiny class could leave no room for solved: the rarest kinds give way.
  for (const kind of ['partial', 'empty', 'hostile', 'wrong']) {
    const over = Object.values(counts).reduce((a, b) => a + b, 0) - Math.max(0, size - 1);
    if (over > 0) counts[kind] -= Math.min(counts[kind], over);
  }
  return { solved: size - Object.values(counts).reduce((a, b) => a + b, 0), ...counts };
}

/** The functions a starter exports (`export function name`), in order. */
function exportedFunctions(starter) {
  return [...starter.matchAll(/^export (?:async )?function (\w+)/gm)].map((m) => m[1]);
}

/** A hostile learner file exporting each of `names`. */
export function hostileFile(kind, names) {
  const h = hostileKinds[kind];
  const fns = names.map((name) => `export function ${name}(...args: unknown[]): unknown {\n  ${h.body}\n}\n`);
  return [`// A hostile submission (${kind}).`, h.imports, h.top, '', ...fns].filter((line) => line !== undefined).join('\n');
}

/**
 * A learner file with a classic mistake: the listed one for the exercise, else the model solution with the first
 * of these edits that applies: the square root left out (a variance for a standard deviation, 1/d for 1/√d), a
 * loop that stops one short, or its answer rounded to two decimals (a learner formatting for display).
 * Returns the text and the mistake's name.
 */
export function wrongFile(root, packId, id, solution, names) {
  const listed = mistakes[packId]?.[id];
  if (listed?.fixture) return { text: readFileSync(path.join(root, 'fixtures', 'learner', listed.fixture), 'utf8'), mistake: listed.id };
  if (listed?.edit) {
    let text = solution;
    for (const [from, to] of Array.isArray(listed.edit[0]) ? listed.edit : [listed.edit]) {
      if (!text.includes(from)) throw new Error(`class generator: ${packId}/${id}'s solution no longer holds ${JSON.stringify(from)}; update its mistake in bench/class-generator.mjs`);
      text = text.replace(from, to);
    }
    return { text, mistake: listed.id };
  }
  if (solution.includes('Math.sqrt(')) return { text: solution.replace('Math.sqrt(', '('), mistake: 'square-root-left-out' };
  const loop = /for \(let (\w+) = 0; \1 < ([^;]+); \1\+\+\)/;
  if (loop.test(solution)) return { text: solution.replace(loop, 'for (let $1 = 0; $1 < $2 - 1; $1++)'), mistake: 'loop-stops-one-short' };
  let text = solution;
  for (const name of names) text = text.replace(new RegExp(`^export (async )?function ${name}\\b`, 'm'), `function ${name}Exact`);
  const round = 'const round = (v: unknown): unknown => (typeof v === "number" ? Math.round(v * 100) / 100 : Array.isArray(v) ? v.map(round) : v);';
  const wrappers = names.map((name) => `export function ${name}(...args: unknown[]): unknown {\n  return round((${name}Exact as (...a: unknown[]) => unknown)(...args));\n}\n`);
  return { text: [text, round, ...wrappers].join('\n'), mistake: 'rounded-to-two-decimals' };
}

/** The built-in packs' exercises: for each, the learner file's path in a workspace, the starter's exports, the solution. */
export function readExercises(root, packIds) {
  return packIds.map((packId) => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'exercises', packId, 'pack.json'), 'utf8'));
    return {
      packId,
      exercises: manifest.exercises.map(({ id }) => {
        const dir = path.join(root, 'exercises', packId, id);
        const starter = readFileSync(path.join(dir, 'starter.ts'), 'utf8');
        return { id, key: `${packId}/${id}`, file: path.join('exercises', packId, ...id.split('/')) + '.ts', names: exportedFunctions(starter), solution: readFileSync(path.join(dir, 'solution.ts'), 'utf8') };
      }),
    };
  });
}

/** The built-in packs (folders of exercises/ with a pack.json). */
function listPacks(root) {
  return readdirSync(path.join(root, 'exercises'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(root, 'exercises', e.name, 'pack.json')))
    .map((e) => e.name);
}

/**
 * Writes a class of `size` submissions into `dir` (created; it must be empty or absent), named student-0000,
 * student-0001, …, deterministic for `seed`. `root` is the llm-tutor checkout (its bin makes the template
 * workspace; its exercises give solutions and starters). Returns the manifest: the counts per kind, and per
 * submission its kind and what each exercise's file holds — `solved`, `starter`, `missing`, `wrong:<mistake>`
 * or `hostile:<kind>` — for the packs given (the other packs' files stay the starters).
 */
export function generateClass(root, dir, { size = 1000, seed = 42, packs } = {}) {
  if (!Number.isInteger(size) || size < 0) throw new Error(`class generator: size must be a whole number, got ${size}`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`class generator: ${dir} is not empty`);
  const known = listPacks(root);
  const packIds = packs ?? known;
  for (const p of packIds) if (!known.includes(p)) throw new Error(`class generator: no built-in pack "${p}" (the packs are ${known.join(', ')})`);
  mkdirSync(dir, { recursive: true });
  const random = prng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];

  // One `init`, held in memory and written out for each submission: an init per submission (0.6 s) would take
  // ten minutes for a thousand.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-class-template-'));
  let template;
  try {
    execFileSync(process.execPath, [path.join(root, 'bin', 'llm-tutor.js'), 'init', path.join(scratch, 'ws'), '--seed', String(seed)], { env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore' });
    template = readTree(path.join(scratch, 'ws'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const packsRead = readExercises(root, packIds);
  const wrongOf = new Map();

  const counts = kindCounts(size);
  const kinds = dealKinds(counts, size, random);
  const width = Math.max(4, String(size - 1).length);
  const hostileNames = Object.keys(hostileKinds);
  const submissions = [];
  for (let i = 0; i < size; i++) {
    const id = `student-${String(i).padStart(width, '0')}`;
    const target = path.join(dir, id);
    const [kind, variant] = kinds[i].split(':');
    const submission = { id, kind, ...(variant ? { variant } : {}) };
    submissions.push(submission);
    if (variant === 'empty-folder') {
      mkdirSync(target);
      continue;
    }
    const files = {};
    const written = new Map();
    submission.files = files;
    for (const { packId, exercises } of packsRead) {
      if (kind === 'empty') {
        for (const e of exercises) files[e.key] = variant === 'no-exercises' ? 'missing' : 'starter';
        continue;
      }
      const wrongIds = kind === 'wrong' ? new Set(shuffle(exercises.map((e) => e.id), random).slice(0, 1 + Math.floor(random() * Math.min(3, exercises.length)))) : new Set();
      const hostileId = kind === 'hostile' ? pick(exercises).id : undefined;
      for (const e of exercises) {
        if (e.id === hostileId) {
          const h = pick(hostileNames);
          written.set(e.file, hostileFile(h, e.names));
          files[e.key] = `hostile:${h}`;
        } else if (wrongIds.has(e.id)) {
          if (!wrongOf.has(e.key)) wrongOf.set(e.key, wrongFile(root, packId, e.id, e.solution, e.names));
          const { text, mistake } = wrongOf.get(e.key);
          written.set(e.file, text);
          files[e.key] = `wrong:${mistake}`;
        } else if (kind !== 'partial' || random() < 0.5) {
          written.set(e.file, e.solution);
          files[e.key] = 'solved';
        } else {
          files[e.key] = 'starter';
        }
      }
    }
    const skip = variant === 'no-exercises' ? (rel) => rel === 'exercises' || rel.startsWith(`exercises${path.sep}`) : () => false;
    for (const rel of template.dirs) if (!skip(rel)) mkdirSync(path.join(target, rel), { recursive: true });
    for (const [rel, content] of template.files) if (!skip(rel)) writeFileSync(path.join(target, rel), written.get(rel) ?? content);
  }
  return { size, seed, packs: packIds, counts, submissions };
}

/** Every folder (parents first, '' the top) and file (its bytes) under `top`, by path relative to it. */
function readTree(top) {
  const dirs = [''];
  const files = new Map();
  for (let i = 0; i < dirs.length; i++) {
    for (const entry of readdirSync(path.join(top, dirs[i]), { withFileTypes: true })) {
      const rel = path.join(dirs[i], entry.name);
      if (entry.isDirectory()) dirs.push(rel);
      else files.set(rel, readFileSync(path.join(top, rel)));
    }
  }
  return { dirs, files };
}

/**
 * The kind of each submission by index (`empty:<variant>` for an empty one), dealt so that every tenth
 * submission — one shard of `grade --shard i/10`, which takes every tenth in name order — has the class's mix,
 * give or take one of each kind: the kinds, grouped, go to the ten shards in turn, and each shard's are shuffled.
 */
function dealKinds(counts, size, random) {
  const grouped = Object.entries(counts).flatMap(([kind, n]) => Array.from({ length: n }, (_, j) => (kind === 'empty' ? `empty:${emptyVariants[j % emptyVariants.length]}` : kind)));
  const shards = Array.from({ length: 10 }, () => []);
  grouped.forEach((kind, j) => shards[j % 10].push(kind));
  for (const shard of shards) shuffle(shard, random);
  return Array.from({ length: size }, (_, i) => shards[i % 10][Math.floor(i / 10)]);
}

/**
 * What grading should say of a file the manifest describes: `pass` for a model solution, `error` for a starter
 * (it throws "not implemented") or a missing file, `not-pass` for a mistake or hostile code.
 */
export function expectedStatus(content) {
  if (content === 'solved') return 'pass';
  if (content === 'starter' || content === 'missing') return 'error';
  return 'not-pass';
}

/**
 * The results of a `grade` run (its json reporter's file) that disagree with the manifest, as lines: a
 * submission graded as other than its file says. A file that is not solved and passes is a grader fooled.
 */
export function checkAgainstManifest(manifest, result) {
  const byId = new Map(manifest.submissions.map((s) => [s.id, s]));
  const problems = [];
  for (const s of result.submissions) {
    const made = byId.get(s.id);
    if (!made) {
      problems.push(`${s.id}: not in the class`);
      continue;
    }
    if (made.variant === 'empty-folder') {
      if (s.status !== 'error' || !s.problem) problems.push(`${s.id} (empty folder): graded ${s.status} without a problem`);
      continue;
    }
    for (const e of s.exercises) {
      const content = made.files[e.key];
      if (content === undefined) continue; // a pack the class was not generated for: starters
      const want = expectedStatus(content);
      if (want === 'not-pass' ? e.status === 'pass' : e.status !== want) problems.push(`${s.id} ${e.key} (${content}): ${e.status}: ${e.message.slice(0, 200)}`);
    }
  }
  return problems;
}

const isMain = process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (isMain) {
  const args = process.argv.slice(2);
  const option = (name) => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const value = args[at + 1];
    args.splice(at, 2);
    if (value === undefined) throw new Error(`${name} needs a value`);
    return value;
  };
  try {
    const size = Number(option('--size') ?? 1000);
    const seed = Number(option('--seed') ?? 42);
    const packs = option('--packs')?.split(',').filter(Boolean);
    if (args.length !== 1) throw new Error('usage: node bench/class-generator.mjs <dir> [--size N] [--seed S] [--packs a,b]');
    if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${seed}`);
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const dir = path.resolve(args[0]);
    const started = performance.now();
    const manifest = generateClass(root, dir, { size, seed, packs });
    writeFileSync(path.join(dir, 'class-manifest.json'), `${JSON.stringify(manifest)}\n`);
    const mix = Object.entries(manifest.counts).map(([k, n]) => `${n} ${k}`).join(', ');
    console.log(`${size} submissions in ${dir} (${mix}; seed ${seed}) in ${((performance.now() - started) / 1000).toFixed(1)} s; manifest: class-manifest.json`);
  } catch (error) {
    console.error(`class-generator: ${error.message}`);
    process.exitCode = 2;
  }
}
