// Peak memory of a process and all its descendants, sampled from /proc (Linux).
// Each process's own peak is its VmHWM (the kernel's high-water mark of its resident set), read at every sample,
// so a process that lives between two samples is missed but one sampled once has its true peak up to that sample.
// The tree's peak is the largest sum of VmRSS over one sample (processes alive at the same moment).
import { readdirSync, readFileSync } from 'node:fs';

/** The pid → parent pid map of every process now. */
function parents() {
  const map = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(name), ppid);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return map;
}

function statusBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return undefined;
  }
}

function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** Whether /proc can be read here (Linux); elsewhere the memory figures are reported as not measured. */
export const canSampleMemory = (() => {
  try {
    readFileSync('/proc/self/status', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Samples the tree under `rootPid` every `intervalMs` until `stop()`, which returns
 * `{ peakBytes, samples, processes: [{ pid, command, peakBytes }] }` (each process's last-read VmHWM).
 */
export function sampleTreeMemory(rootPid, intervalMs = 10) {
  const processes = new Map();
  let peakBytes = 0;
  let samples = 0;
  const sample = () => {
    const tree = new Set([rootPid]);
    const all = parents();
    // Descendants in any order: repeat until no process joins.
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, ppid] of all) if (!tree.has(pid) && tree.has(ppid)) (tree.add(pid), (grew = true));
    }
    let total = 0;
    for (const pid of tree) {
      const bytes = statusBytes(pid);
      if (!bytes) continue;
      total += bytes.rss;
      const known = processes.get(pid) ?? { pid, command: commandLine(pid), peakBytes: 0 };
      known.peakBytes = Math.max(known.peakBytes, bytes.hwm);
      processes.set(pid, known);
    }
    peakBytes = Math.max(peakBytes, total);
    samples += 1;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakBytes, samples, processes: [...processes.values()] };
    },
  };
}
