// Peak memory of a process and all its descendants (Linux /proc), for the benchmark's figures of a whole run:
// the tutor, its esbuild service and its sandbox children (under bubblewrap: bwrap → bwrap → node harness).
//
//   const sampler = sampleTreeMemory(child.pid, 20);
//   ... wait for the child to exit ...
//   const { peakBytes, peakByRole, peakByProcess } = sampler.stop();
//
// Every `intervalMs` it lists /proc, finds the descendants of `pid` by their parent ids, and sums their VmRSS:
// `peakBytes` is the largest sum seen (shared pages, such as Node's own code, count once per process, as the
// kernel's RSS does). Each process's own peak is its VmHWM (the kernel's high-water mark of its RSS), read at
// each sample: for a process that lives less than one interval, or that grows after its last sample, it is a
// lower bound. A child the tutor has forked but not yet exec'd is left out: its RSS is the tutor's own pages.
// Where /proc is missing (not Linux), `supported` is false and every figure is 0.
import { readFileSync, readdirSync } from 'node:fs';

/** What a process of the tree is, from its command line: the tutor (the root), a sandbox child, or a helper. */
export function roleOf(argv, isRoot) {
  if (isRoot) return 'tutor';
  const program = (argv[0] ?? '').split('/').pop();
  if (program === 'bwrap') return 'bwrap';
  if (program === 'prlimit' || program === 'setpriv') return 'launcher';
  if (program.startsWith('esbuild')) return 'esbuild';
  // A sandbox child is Node running the harness copied into its run folder (src/sandbox/run-child.ts).
  if (argv.some((arg) => arg.endsWith('/harness.mjs'))) return 'sandbox';
  // Whether bubblewrap works here: `node --version` in a sandbox, once per run (src/sandbox/isolation.ts).
  if (argv.length === 2 && argv[1] === '--version') return 'probe';
  return 'other';
}

function read(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // gone between listing and reading
  }
}

/** { rss, hwm } in bytes from /proc/<pid>/status, or undefined once it has exited. */
function memoryOf(pid) {
  const status = read(`/proc/${pid}/status`);
  if (!status) return undefined;
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/**
 * A process's parent id and start time (clock ticks since boot) from /proc/<pid>/stat, whose second field (the
 * name, in parentheses) may hold spaces. The start time tells a process from a later one given the same id.
 */
function statOf(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(fields[1]), start: fields[19] };
}

/**
 * Samples the memory of `pid` and its descendants every `intervalMs` until `stop()`, which takes a last
 * sample and returns:
 * - `peakBytes`: the largest sum of VmRSS over the tree at one sample; `peakAtMs` when (since the start),
 *   and `peakRoles`: that sum by role (tutor, sandbox, bwrap, esbuild, launcher, probe, other);
 * - `peakByRole`: per role, the largest VmHWM of one process and how many processes were seen;
 * - `peakByProcess`: every process seen, largest VmHWM first: `{ pid, role, command, hwmBytes, rssPeakBytes }`
 *   (`command` is its command line, cut to 300 characters). A process that execs another program is one entry
 *   per program: the bwrap that becomes a sandbox child is counted as a bwrap and as a sandbox child;
 * - `samples`, and `supported` (false where /proc cannot be read).
 */
export function sampleTreeMemory(pid, intervalMs = 20) {
  const rootCommand = read(`/proc/${pid}/cmdline`);
  const supported = rootCommand !== undefined;
  const started = performance.now();
  const stats = new Map(); // pid → { parent, start } of every process listed in /proc, read once per process
  const seen = new Map(); // `${pid}@${start}@${role}` → { pid, role, command, hwmBytes, rssPeakBytes }
  let peak = { bytes: 0, atMs: 0, roles: {} };
  let samples = 0;

  const sample = () => {
    if (!supported) return;
    const listed = new Set();
    for (const name of readdirSync('/proc')) {
      const p = Number(name);
      if (!Number.isInteger(p)) continue;
      listed.add(p);
      if (!stats.has(p)) stats.set(p, statOf(p));
    }
    for (const p of stats.keys()) if (!listed.has(p)) stats.delete(p);
    const children = new Map();
    for (const [p, stat] of stats) {
      if (!stat) continue;
      if (!children.has(stat.parent)) children.set(stat.parent, []);
      children.get(stat.parent).push(p);
    }
    const tree = [pid];
    for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
    let total = 0;
    const roles = {};
    for (const p of tree) {
      // Read between two reads of its command line: a process that execs (bubblewrap forks itself, then it,
      // prlimit and setpriv exec what they start) or exits meanwhile is left to the next sample, so that its
      // memory is counted under the program that used it.
      const before = read(`/proc/${p}/cmdline`);
      // A child forked by the tutor that has not yet exec'd (Node forks, then execs bwrap or prlimit) shares
      // the tutor's pages, which its RSS would count a second time.
      if (p !== pid && before === rootCommand) continue;
      const memory = memoryOf(p);
      if (!memory || !before || read(`/proc/${p}/cmdline`) !== before) continue;
      const argv = before.split('\0').filter(Boolean);
      const role = roleOf(argv, p === pid);
      const key = `${p}@${stats.get(p)?.start}@${role}`;
      let known = seen.get(key);
      if (!known) {
        known = { pid: p, role, command: argv.join(' ').slice(0, 300), hwmBytes: 0, rssPeakBytes: 0 };
        seen.set(key, known);
      }
      known.hwmBytes = Math.max(known.hwmBytes, memory.hwm);
      known.rssPeakBytes = Math.max(known.rssPeakBytes, memory.rss);
      total += memory.rss;
      roles[role] = (roles[role] ?? 0) + memory.rss;
    }
    samples++;
    if (total > peak.bytes) peak = { bytes: total, atMs: performance.now() - started, roles };
  };

  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const peakByProcess = [...seen.values()].sort((a, b) => b.hwmBytes - a.hwmBytes);
      const peakByRole = {};
      for (const p of peakByProcess) {
        const role = (peakByRole[p.role] ??= { hwmBytes: 0, processes: 0 });
        role.hwmBytes = Math.max(role.hwmBytes, p.hwmBytes);
        role.processes++;
      }
      return { supported, samples, peakBytes: peak.bytes, peakAtMs: peak.atMs, peakRoles: peak.roles, peakByRole, peakByProcess };
    },
  };
}
