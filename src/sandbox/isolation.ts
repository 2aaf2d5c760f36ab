import { spawn } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir } from '../core/common/paths.js';
import { UserError } from '../errors.js';
import { killTree } from './live-children.js';
import { t } from '../i18n/i18n.js';

/**
 * How a sandbox child is isolated (over 300 lines: the bubblewrap arguments,
 * the resource limits and the probe that decides between the two layers are
 * read together when auditing what a child can reach):
 * - `bwrap`: bubblewrap around Node's permission model — own PID, network,
 *   IPC and UTS namespaces, a file system of Node's runtime and the run's
 *   folder only, resource limits, killed with its parent;
 * - `permission`: Node's permission model only, with resource limits and a
 *   parent-death signal where the machine has the tools for them.
 */
export type IsolationMode = 'bwrap' | 'permission';

/** The isolation in use and why it was chosen. */
export interface Isolation {
  mode: IsolationMode;
  /** One sentence: why this mode (what was found, or what was asked for). */
  reason: string;
  /** Set when bubblewrap was looked for and does not work here: what happened. */
  bwrapProblem?: string;
}

/** What a sandbox child needs to be started. */
export interface LaunchSpec {
  /** The folder holding the harness and bundle; the only folder the child may read. */
  runDir: string;
  /** The script Node starts, inside `runDir`. */
  script: string;
  memoryMb: number;
  /** CPU seconds the process may use in its whole life: a backstop behind the wall-clock limit. */
  cpuSeconds: number;
}

/** The command line that starts one sandbox child. */
export interface Launch {
  command: string;
  args: string[];
}

const installHint = 'Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`';

/** Looks a program up on PATH; undefined when absent. */
export function findProgram(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      if (existsSync(candidate) && lstatSync(realpathSync(candidate)).isFile()) return candidate;
    } catch {
      // An unreadable PATH entry: skip it.
    }
  }
  return undefined;
}

/**
 * bubblewrap arguments that make `target` resolve inside the sandbox as it
 * does outside: every symbolic link on its way is recreated as a link, and
 * the file or folder it ends at is bound read-only.
 */
function bindResolved(target: string, binds: Map<string, string[]>): void {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let current = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(current, parts[i]);
    let stat;
    try {
      stat = lstatSync(next);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) {
      const link = readlinkSync(next);
      if (!binds.has(next)) binds.set(next, ['--symlink', link, next]);
      // Follow the link and go on with the rest of the path from where it points.
      bindResolved(path.join(path.resolve(current, link), ...parts.slice(i + 1)), binds);
      return;
    }
    current = next;
  }
  if (![...binds.keys()].some((bound) => current === bound || current.startsWith(`${bound}${path.sep}`))) binds.set(current, ['--ro-bind', current, current]);
}

/** The program interpreter (dynamic loader) an ELF executable names, if any; reads only the headers. */
function elfInterpreter(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const read = (offset: number, length: number) => {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, readSync(fd!, buffer, 0, length, offset));
    };
    const header = read(0, 64);
    if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return undefined;
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = read(phoff, phentsize * phnum);
    for (let at = 0; at + 56 <= table.length; at += phentsize) {
      if (table.readUInt32LE(at) !== 3) continue;
      const segment = read(Number(table.readBigUInt64LE(at + 8)), Math.min(4096, Number(table.readBigUInt64LE(at + 32))));
      return segment.toString('latin1').replace(/\0.*$/s, '');
    }
  } catch {
    // Not an ELF file we can read: nothing to add.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return undefined;
}

let runtimeBinds: string[] | undefined;

/**
 * The read-only binds that make Node's runtime work inside the sandbox: the
 * node executable, the folders of the shared libraries this very process
 * mapped (so, those Node needs), the dynamic loader, and `prlimit` to set
 * the limits inside.
 */
export function nodeRuntimeBinds(prlimit: string | undefined): string[] {
  if (runtimeBinds) return runtimeBinds;
  const binds = new Map<string, string[]>();
  const exec = realpathSync(process.execPath);
  const files = new Set<string>();
  try {
    for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const file = line.split(/\s+/)[5];
      if (file?.startsWith('/') && file !== exec && /\.so(\.|$)/.test(path.basename(file))) files.add(path.dirname(file));
    }
  } catch {
    // No /proc: the loader and the executable's own folder are all we can add.
  }
  const interpreter = elfInterpreter(exec);
  if (interpreter) {
    bindResolved(interpreter, binds);
    files.add(path.dirname(realpathSync(interpreter)));
  }
  for (const dir of [...files].sort((a, b) => a.length - b.length)) bindResolved(dir, binds);
  bindResolved(process.execPath, binds);
  if (prlimit) {
    bindResolved(prlimit, binds);
    const prlimitInterpreter = elfInterpreter(realpathSync(prlimit));
    if (prlimitInterpreter) bindResolved(prlimitInterpreter, binds);
  }
  // Links first (bubblewrap makes parent folders as it goes), then binds, shortest paths first.
  const folders = [...binds.values()].filter((b) => b[0] === '--ro-bind').map((b) => b[2]);
  const covered = (target: string) => folders.some((f) => target !== f && target.startsWith(`${f}${path.sep}`));
  const ordered = [...binds.values()]
    .filter((b) => b[0] !== '--ro-bind' || !covered(b[2]))
    .sort((a, b) => (a[0] === b[0] ? a[2].length - b[2].length : a[0] === '--symlink' ? -1 : 1));
  runtimeBinds = ordered.flat();
  return runtimeBinds;
}

/** Node's own flags for a sandbox child: the permission model, reading only the run's folder. */
function nodeArgs(spec: LaunchSpec): string[] {
  return [
    '--experimental-permission',
    `--allow-fs-read=${spec.runDir}${path.sep}`,
    '--enable-source-maps',
    `--max-old-space-size=${spec.memoryMb}`,
    // A young generation of up to 64 MiB a half (V8's default is 16): learner code that builds a row per token and
    // layer, and the model-sized inputs made into rows for each call, survive fewer scavenges. A capstone submission
    // costs a quarter less CPU, its child about 80 MiB more at its peak.
    '--max-semi-space-size=64',
    '--no-warnings',
    // Trace events (which the permission model lets through) could only land in the run's folder.
    `--trace-event-file-pattern=${path.join(spec.runDir, 'trace-${pid}-${rotation}.log')}`,
    spec.script,
  ];
}

/** Address space for a child: its heap cap twice over, plus room for V8's reservations and Node's own. */
function addressSpaceBytes(memoryMb: number): number {
  return (2 * memoryMb + 2048) * 1024 * 1024;
}

function limitArgs(spec: Pick<LaunchSpec, 'memoryMb' | 'cpuSeconds'>, withProcesses: boolean): string[] {
  const args = [`--cpu=${spec.cpuSeconds}`, `--as=${addressSpaceBytes(spec.memoryMb)}`, '--fsize=0', '--core=0'];
  // Threads count as processes: Node needs about a dozen of them.
  if (withProcesses) args.push('--nproc=64');
  return args;
}

interface Tools {
  bwrap?: string;
  prlimit?: string;
  setpriv?: string;
}

let tools: Tools | undefined;
function findTools(): Tools {
  tools ??= process.platform === 'linux' ? { bwrap: process.env.LLM_TUTOR_BWRAP ?? findProgram('bwrap'), prlimit: findProgram('prlimit'), setpriv: findProgram('setpriv') } : {};
  return tools;
}

/** `prlimit` and its limits in front of a command, where `prlimit` is found. */
function limitPrefix(prlimit: string | undefined, spec: Pick<LaunchSpec, 'memoryMb' | 'cpuSeconds'>, withProcesses: boolean): string[] {
  return prlimit ? [prlimit, ...limitArgs(spec, withProcesses), '--'] : [];
}

/** bubblewrap's arguments: its namespaces, Node's runtime and `runDir` (read-only, the working folder), then `command`. */
function bwrapArgs(runDir: string, prlimit: string | undefined, command: string[]): string[] {
  return [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--clearenv',
    ...nodeRuntimeBinds(prlimit),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--ro-bind',
    runDir,
    runDir,
    '--chdir',
    runDir,
    '--hostname',
    'llm-tutor-sandbox',
    '--',
    ...command,
  ];
}

/** The command line that starts a sandbox child under `mode`. */
export function launchCommand(mode: IsolationMode, spec: LaunchSpec): Launch {
  const { bwrap, prlimit, setpriv } = findTools();
  if (mode === 'bwrap') {
    if (!bwrap) throw new Error('bubblewrap is not available');
    return { command: bwrap, args: bwrapArgs(spec.runDir, prlimit, [...limitPrefix(prlimit, spec, true), process.execPath, ...nodeArgs(spec)]) };
  }
  // Without namespaces: the same limits, and a parent-death signal so the child never outlives the tutor.
  const chain = [...limitPrefix(prlimit, spec, false), ...(setpriv ? [setpriv, '--pdeathsig', 'KILL', '--'] : []), process.execPath, ...nodeArgs(spec)];
  return { command: chain[0], args: chain.slice(1) };
}

/** What `doctor` says the permission-only layer has on this machine. */
export function permissionLayerExtras(): string[] {
  const { prlimit, setpriv } = findTools();
  return [prlimit ? t('resource limits (prlimit)') : t('no resource limits (prlimit not found)'), setpriv ? t('parent-death signal (setpriv)') : t('no parent-death signal (setpriv not found)')];
}

/** Why user namespaces may be refused here, as far as the machine tells. */
function userNamespaceHint(): string {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  if (read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') return t('AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later): give bwrap an AppArmor profile or set kernel.apparmor_restrict_unprivileged_userns=0 (docs/ci.md)');
  if (read('/proc/sys/kernel/unprivileged_userns_clone') === '0') return t('unprivileged user namespaces are turned off (kernel.unprivileged_userns_clone=0)');
  if (read('/proc/sys/user/max_user_namespaces') === '0') return t('user namespaces are turned off (user.max_user_namespaces=0)');
  return t('unprivileged user namespaces may be off');
}

/**
 * Runs `node --version` inside the sandbox that `launchCommand('bwrap')`
 * builds: resolves undefined when it works, else what went wrong, in a line.
 */
function probeBwrap(): Promise<string | undefined> {
  const { bwrap, prlimit } = findTools();
  if (process.platform !== 'linux') return Promise.resolve(t`bubblewrap is for Linux; this is ${process.platform}`);
  if (!bwrap) return Promise.resolve(t('bwrap was not found on PATH'));
  const args = bwrapArgs(path.dirname(realpathSync(process.execPath)), prlimit, [...limitPrefix(prlimit, { memoryMb: 64, cpuSeconds: 5 }, true), process.execPath, '--version']);
  return new Promise((resolve) => {
    const child = spawn(bwrap, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {}, detached: true });
    let out = '';
    let err = '';
    const timer = setTimeout(() => killTree(child), 10_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(t`bwrap could not be started (${error.message})`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && out.trim() === process.version) resolve(undefined);
      else resolve(t`bwrap is installed but cannot make a sandbox here (${(err.trim().split('\n')[0] || `exit ${code ?? signal}`).slice(0, 200)}); ${userNamespaceHint()}`);
    });
  });
}

/** How long a probe that worked is trusted without running it again. */
const rememberedProbeMs = 24 * 60 * 60 * 1000;

/**
 * Everything the probe's success depends on: the programs it runs (path, size,
 * time), Node, the kernel, the user, and the settings that turn user namespaces
 * off. A change to any of them runs the probe again.
 */
function probeKey(): string {
  const { bwrap, prlimit } = findTools();
  const file = (name: string | undefined) => {
    if (!name) return '-';
    try {
      const real = realpathSync(name);
      const stat = statSync(real);
      return `${real}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return `${name}:?`;
    }
  };
  const setting = (name: string) => {
    try {
      return readFileSync(name, 'utf8').trim();
    } catch {
      return '-';
    }
  };
  const settings = ['/proc/sys/kernel/apparmor_restrict_unprivileged_userns', '/proc/sys/kernel/unprivileged_userns_clone', '/proc/sys/user/max_user_namespaces'].map(setting);
  return JSON.stringify([file(bwrap), file(prlimit), process.execPath, process.version, os.release(), process.getuid?.() ?? -1, ...settings]);
}

const probeRecordFile = () => path.join(cacheDir(), 'bwrap-probe.json');

/** Whether a probe with this key worked less than a day ago (read from the cache folder). */
function probeRemembered(key: string, now = Date.now()): boolean {
  try {
    const record = JSON.parse(readFileSync(probeRecordFile(), 'utf8')) as { key?: unknown; workedAt?: unknown };
    return record.key === key && typeof record.workedAt === 'number' && now - record.workedAt >= 0 && now - record.workedAt < rememberedProbeMs;
  } catch {
    return false;
  }
}

/** Remembers that the probe worked (atomically: a reader sees a whole record or none); a cache that cannot be written is no error. */
function rememberProbe(key: string): void {
  const file = probeRecordFile();
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, JSON.stringify({ key, workedAt: Date.now() }), { flag: 'wx', mode: 0o600 });
    renameSync(temp, file);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing was written.
    }
  }
}

/**
 * The probe, skipped when it worked with the same key in the last day: it
 * costs a process start (40–80 ms) before the first sandbox child of every
 * command. Only success is remembered, so a remembered record can never turn
 * bubblewrap off; a machine where it stopped working for a reason outside the
 * key shows it as the child failing to start, and `doctor` probes afresh.
 */
async function probeBwrapRemembering(fresh: boolean): Promise<string | undefined> {
  const key = probeKey();
  if (!fresh && probeRemembered(key)) return undefined;
  const problem = await probeBwrap();
  if (!problem) rememberProbe(key);
  return problem;
}

export type IsolationRequest = IsolationMode | 'auto';

let requested: IsolationRequest = 'auto';
let chosen: Promise<Isolation> | undefined;

/** Sets what the sandbox children of this process use; `auto` picks bubblewrap whenever it works. */
export function requestIsolation(request: IsolationRequest): void {
  if (request !== requested) chosen = undefined;
  requested = request;
}

/** What was asked for: `--isolation`, else `LLM_TUTOR_ISOLATION`, else auto. */
export function requestedIsolation(): IsolationRequest {
  return requested;
}

/**
 * The isolation every sandbox child of this process uses, decided once: with
 * `auto`, bubblewrap when a probe sandbox runs Node here, else the permission
 * model alone (with the reason). Asking for `bwrap` where it does not work
 * gives `mode: 'permission'` with `bwrapProblem` set; callers that require it
 * check that. A probe that worked is remembered for a day (`fresh`: probe again).
 */
export function currentIsolation(options: { fresh?: boolean } = {}): Promise<Isolation> {
  if (options.fresh) chosen = undefined;
  chosen ??= (async (): Promise<Isolation> => {
    if (requested === 'permission') return { mode: 'permission', reason: t('chosen with --isolation permission') };
    const problem = await probeBwrapRemembering(options.fresh === true);
    if (!problem) return { mode: 'bwrap', reason: requested === 'bwrap' ? t('chosen with --isolation bwrap') : t('bubblewrap works on this machine') };
    return { mode: 'permission', reason: problem, bwrapProblem: problem };
  })();
  return chosen;
}

/** Whether this process runs under CI (`CI` set to anything but empty, 0 or false). */
export function runningInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * The isolation for a command that runs learner code, or a UserError when
 * what is required is missing: `--isolation bwrap` where bubblewrap does not
 * work, or (with `requireOsInCi`, for `grade`) CI without bubblewrap unless
 * `--isolation permission` says so.
 */
export async function ensureIsolation(options: { requireOsInCi?: boolean } = {}): Promise<Isolation> {
  const isolation = await currentIsolation();
  if (isolation.mode === 'bwrap') return isolation;
  const problem = isolation.bwrapProblem ?? '';
  if (requested === 'bwrap') {
    throw new UserError(t`--isolation bwrap was asked for, but ${problem}.`, { next: t`Install bubblewrap (${installHint}), or pass --isolation permission.`, exitCode: 2 });
  }
  if (options.requireOsInCi && requested !== 'permission' && runningInCi()) {
    throw new UserError(t`grade in CI runs learner code only inside the OS sandbox, and ${problem}.`, {
      next: t`Install bubblewrap (${installHint}), or pass --isolation permission to grade with Node's permission model alone.`,
      exitCode: 2,
    });
  }
  return isolation;
}
