// Where a command's time goes: one run under `node --cpu-prof`, its samples' self time grouped by what the code is
// (Node's module loader, zod, tfjs, esbuild, waiting, llm-tutor's own modules by folder…). The tutor's process only:
// the sandbox child's work shows as waiting.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What a profile node's code is, for a reader: a short group name. */
function groupOf(callFrame) {
  const { url, functionName } = callFrame;
  if (!url) {
    if (functionName === '(idle)') return 'waiting (sandbox child, esbuild, files)';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(program)') return 'V8 and native code (program)';
    return `native: ${functionName || 'anonymous'}`;
  }
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/bootstrap')) return "Node's module loader (reading, compiling, linking modules)";
  if (url.startsWith('node:')) return 'Node built-ins';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) {
    if (nm[1].startsWith('@tensorflow/')) return 'tfjs';
    return nm[1];
  }
  const dist = /\/dist\/(.+)$/.exec(url);
  if (dist) {
    if (/^tf-[\w-]+\.(node\.)?js$/.test(dist[1]) || dist[1].startsWith('reference/tf')) return 'tfjs';
    const parts = dist[1].split('/');
    return `llm-tutor: ${parts.length > 1 ? `${parts[0]}/` : parts[0]}`;
  }
  if (url.includes('llm-tutor-') || url.includes('/cache/')) return 'exercise definition (cached module)';
  return 'other';
}

/** The `top` groups of self time of one `node --cpu-prof` run of `args`, with the profile's total: `{ totalMs, groups: [{ name, ms }] }`. */
export function profileSummary(args, { env, cwd, top = 8 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-bench-prof-'));
  try {
    spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...args], { env, cwd, encoding: 'utf8' });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return undefined;
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const groups = new Map();
    profile.samples.forEach((id, i) => {
      const name = groupOf(nodes.get(id).callFrame);
      groups.set(name, (groups.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    const totalMs = (profile.endTime - profile.startTime) / 1000;
    return { totalMs, groups: [...groups].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms).slice(0, top) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A profile summary as one Markdown line. */
export function profileLine(summary) {
  if (!summary) return 'no profile was written';
  return `${summary.totalMs.toFixed(0)} ms profiled: ${summary.groups.map((g) => `${g.name} ${g.ms.toFixed(0)} ms`).join(', ')}`;
}
