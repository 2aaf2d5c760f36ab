import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChalkInstance } from 'chalk';
import { padColumns, type GlobalOptions, type Io } from './io.js';
import { isUserError } from '../errors.js';
import { cacheDir } from '../core/packs/definitions.js';
import { UnsafeFileError } from '../core/common/safe-read.js';
import { recoveredPasses, regrade, ungradedEdits, type Regraded } from '../core/workspace/recover.js';
import { CorruptStateError, type StateStore } from '../core/workspace/state-store.js';
import { exercisesOfPack, findWorkspaceDir, learnerFileOf, openWorkspace, type Workspace } from '../core/workspace/workspace.js';
import { version } from '../core/common/version.js';
import { plural, sentences } from '../core/common/words.js';
import { loadTf, parseBackend } from '../reference/backend.js';
import { escapeLogLine } from '../report/escape.js';
import { makeChalk } from '../report/chalk.js';
import { confirm } from './confirm.js';
import { gradingOptionsOf } from './context.js';
import { t } from '../i18n/i18n.js';

interface Check {
  ok: boolean | 'warn';
  label: string;
  detail?: string;
}

async function sandboxProbe(): Promise<Check[]> {
  const { bundleLearnerFile } = await import('../sandbox/bundle.js');
  const { runInSandbox, bundleFileName } = await import('../sandbox/run-child.js');
  const { currentIsolation, permissionLayerExtras, requestedIsolation } = await import('../sandbox/isolation.js');
  // The probe runs again here, whatever an earlier command remembered: doctor reports what the machine does now.
  const isolation = await currentIsolation({ fresh: true });
  const checks: Check[] = [];
  if (isolation.mode === 'bwrap') {
    checks.push({ ok: true, label: t('isolation'), detail: t`bwrap (OS sandbox: own PID, network, IPC and UTS namespaces; Node's runtime and the bundle only; resource limits) around Node's permission model: ${isolation.reason}` });
  } else {
    const why = requestedIsolation() === 'permission' ? isolation.reason : t`bubblewrap is not used: ${isolation.reason}`;
    checks.push({ ok: 'warn', label: t('isolation'), detail: t`permission (Node's permission model only; ${permissionLayerExtras().join(', ')}): ${why}. \`grade\` under CI refuses to run so unless given --isolation permission.` });
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'llm-tutor-doctor-'));
  try {
    const root = path.join(dir, 'exercises');
    const runDir = path.join(dir, 'run');
    await fs.mkdir(root);
    await fs.mkdir(runDir);
    const probe = path.join(root, 'probe.ts');
    const target = path.join(dir, 'written-by-probe.txt');
    await fs.writeFile(
      probe,
      `import { writeFileSync } from 'node:fs';\nimport { hostname } from 'node:os';\nexport function probe(): string[] {\n  let write = 'write allowed';\n  try { writeFileSync(${JSON.stringify(target)}, 'x'); } catch (e) { write = (e as { code?: string }).code ?? 'denied'; }\n  let signal = 'signal allowed';\n  try { process.kill(process.ppid || 1, 0); } catch (e) { signal = (e as { code?: string }).code ?? 'denied'; }\n  return [write, signal, hostname()];\n}\n`,
    );
    const bundle = await bundleLearnerFile(probe, root, path.join(runDir, bundleFileName));
    if (!bundle.ok) return [...checks, { ok: false, label: t('sandbox'), detail: t`bundling a probe failed: ${bundle.problem.message}` }];
    const run = await runInSandbox(runDir, 'probe', [[]], { timeoutMs: 10_000, memoryMb: 128, outputBytes: 1024 });
    const outcome = run.outcomes[0];
    if (!outcome?.ok) {
      const stderr = run.stderr.split('\n')[0];
      const detail = run.crashed ? t`the probe did not run (exit ${run.crashed.code ?? run.crashed.signal}): ${stderr}` : run.timedOut ? t`the probe did not run (timed out): ${stderr}` : t`the probe did not run (no result): ${stderr}`;
      return [...checks, { ok: false, label: t('sandbox'), detail }];
    }
    const [write, signal, host] = outcome.value as string[];
    if (write !== 'ERR_ACCESS_DENIED' || existsSync(target)) return [...checks, { ok: false, label: t('sandbox'), detail: t`the permission model did not block a file write (${String(write)})` }];
    if (signal !== 'ERR_ACCESS_DENIED') return [...checks, { ok: false, label: t('sandbox'), detail: t`a probe could signal its parent (${String(signal)})` }];
    if (isolation.mode === 'bwrap' && host !== 'llm-tutor-sandbox') return [...checks, { ok: false, label: t('sandbox'), detail: t`the probe did not run inside bubblewrap (hostname ${String(host)})` }];
    const ms = run.durationMs.toFixed(0);
    const detail = isolation.mode === 'bwrap' ? t`a probe ran inside bubblewrap with file writes and signals to other processes blocked, in ${ms} ms` : t`a probe ran with file writes and signals to other processes blocked, in ${ms} ms`;
    return [...checks, { ok: true, label: t('sandbox'), detail }];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The progress file's health; with `repair`, a damaged one is repaired first. */
async function progressCheck(store: StateStore, repair: boolean): Promise<Check> {
  try {
    const state = await store.read();
    return { ok: true, label: t('progress'), detail: t`${Object.values(state.exercises).filter((e) => e.status === 'passed').length} passed` };
  } catch (error) {
    // A link, a FIFO, a device or an oversized file in place of the progress file: --repair moves it aside.
    const unsafe = error instanceof UnsafeFileError && error.file === store.file && error.reason !== 'unreadable' && error.reason !== 'linked-folder';
    if (!(error instanceof CorruptStateError) && !unsafe) throw error;
    if (!repair) return { ok: false, label: t('progress'), detail: unsafe ? error.message : sentences([error.message, t('Run `llm-tutor doctor --repair`.')]) };
    const repaired = await store.repair();
    return {
      ok: true,
      label: t('progress'),
      detail: repaired.movedAside
        ? t`repaired: what was in place of the progress file is moved, unread, to ${repaired.movedAside}; progress starts afresh`
        : t`repaired: kept ${plural(repaired.kept, 'exercise record')}, dropped ${repaired.dropped}; the damaged file is kept at ${repaired.backup}`,
    };
  }
}

/** A warning when learner files differ from their starter with no grading recorded (what `--repair` offers to re-grade). */
async function ungradedCheck(workspace: Workspace): Promise<Check[]> {
  const count = (await ungradedEdits(workspace, await workspace.state.read())).length;
  if (count === 0) return [];
  return [{ ok: 'warn', label: t('ungraded edits'), detail: t`${plural(count, 'edited learner file')} with no grading recorded: \`llm-tutor doctor --repair\` re-grades them to rebuild your progress` }];
}

/** The workspace's checks, and the workspace when its progress can be read (after a repair, with `repair`). */
async function workspaceChecks(io: Io, globals: GlobalOptions, repair: boolean): Promise<{ checks: Check[]; workspace?: Workspace }> {
  const wsDir = globals.workspace ? path.resolve(io.cwd, globals.workspace) : findWorkspaceDir(io.cwd);
  if (!wsDir) return { checks: [{ ok: 'warn', label: t('workspace'), detail: t('none here; `llm-tutor init` creates one') }] };
  try {
    const opened = await openWorkspace(wsDir);
    // --pack narrows the learner files checked and re-graded to that pack's.
    const ws = globals.pack ? { ...opened, exercises: await exercisesOfPack(opened, globals.pack) } : opened;
    const missing = ws.exercises.filter((r) => !existsSync(learnerFileOf(ws, r))).length;
    const checks: Check[] = [
      {
        ok: missing === 0 ? true : 'warn',
        label: t('workspace'),
        detail: missing ? t`${wsDir}: ${plural(ws.exercises.length, 'exercise')}, ${plural(missing, 'learner file')} missing (run \`llm-tutor init ${wsDir}\` to write them)` : `${wsDir}: ${plural(ws.exercises.length, 'exercise')}`,
      },
    ];
    const progress = await progressCheck(ws.state, repair);
    if (!progress.ok) return { checks: [...checks, progress] };
    // With --repair, the re-grade that follows lists them itself.
    return { checks: [...checks, progress, ...(repair ? [] : await ungradedCheck(ws))], workspace: ws };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { checks: [{ ok: false, label: t('workspace'), detail: error.message }] };
  }
}

/** One re-graded file as a progress line: `[2/3] ✓ transformer-core/foundations/softmax: <summary>`. */
function regradedLine(result: Regraded, index: number, total: number, c: ChalkInstance): string {
  const icon = result.verdict.status === 'pass' ? c.green('✓') : c.red('✗');
  const unsaved = result.recorded ? '' : t` (not saved: ${result.verdict.notes.at(-1) ?? t('no progress file')})`;
  return `[${index + 1}/${total}] ${icon} ${escapeLogLine(`${result.ref.key}: ${result.verdict.summary}${unsaved}`)}`;
}

/**
 * `doctor --repair`'s second step: learner files that differ from their
 * starter and have no grading recorded are listed and, once the learner
 * agrees (or with --yes), graded as `check` grades them, so that progress
 * holds every pass seen again and nothing more. Returns false when the
 * learner declines.
 */
async function rebuildProgress(io: Io, globals: GlobalOptions, workspace: Workspace, c: ChalkInstance, yes: boolean | undefined): Promise<boolean> {
  const refs = await ungradedEdits(workspace, await workspace.state.read());
  if (refs.length === 0) return true;
  const files = plural(refs.length, 'file');
  io.out(`\n${t`Your progress records no grading of ${plural(refs.length, 'edited learner file')}:`}`);
  for (const ref of refs) io.out(`  ${escapeLogLine(path.relative(io.cwd, learnerFileOf(workspace, ref)))}`);
  const agreed = await confirm(io, { question: t`Re-grade ${files} to rebuild your progress?`, action: t`Re-grading ${files} would rebuild your progress`, yes, byDefault: 'yes' });
  if (!agreed) {
    io.out(t('Not re-graded. `llm-tutor doctor --repair` offers again; `llm-tutor check <id>` grades one.'));
    return false;
  }
  const results = await regrade(workspace, refs, { ...gradingOptionsOf(workspace, globals), onGraded: (result, index) => io.out(regradedLine(result, index, refs.length, c)) });
  const passes = recoveredPasses(results);
  const recovered = t`Recovered ${plural(passes, 'pass', 'passes')} of ${files} re-graded.`;
  io.out(passes < refs.length ? sentences([recovered, t('The others are recorded as attempted, not passed.')]) : recovered);
  return true;
}

/** The tfjs backend's line: which one is active, whether --backend forced it, how long it took to load, and those skipped. */
function loadedDetail(active: string, forced: boolean, ms: string, skipped: string): string {
  const loaded = forced ? t`${active} (forced with --backend), loaded in ${ms} ms` : t`${active}, loaded in ${ms} ms`;
  return skipped ? t`${loaded}; not used: ${skipped}` : loaded;
}

/** `llm-tutor doctor`: what works, what does not, and what to do about it; with --repair, mends the progress file. */
export default async function doctor(io: Io, globals: GlobalOptions, options: { repair?: boolean; yes?: boolean }): Promise<number> {
  const c = makeChalk(globals.color);
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({ ok: major >= 20, label: 'Node.js', detail: t`${process.versions.node} (llm-tutor ${version} needs 20 or newer)` });
  checks.push({
    ok: process.allowedNodeEnvironmentFlags.has('--experimental-permission') || process.allowedNodeEnvironmentFlags.has('--permission'),
    label: t('permission model'),
    detail: t('Node can run learner code with --experimental-permission'),
  });

  try {
    const forced = globals.backend ? parseBackend(globals.backend) : undefined;
    const { tf, report } = await loadTf(forced);
    const probe = tf.tidy(() => tf.softmax(tf.tensor1d([1, 2, 3])).arraySync() as number[]);
    const skipped = report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    checks.push({
      ok: Math.abs(probe[2] - 0.665241) < 1e-5,
      label: t('tfjs backend'),
      detail: loadedDetail(report.active, Boolean(forced), report.loadMs.toFixed(0), skipped),
    });
  } catch (error) {
    checks.push({ ok: false, label: t('tfjs backend'), detail: (error as Error).message });
  }

  try {
    checks.push(...(await sandboxProbe()));
  } catch (error) {
    checks.push({ ok: false, label: t('sandbox'), detail: (error as Error).message });
  }

  const cache = cacheDir();
  try {
    await fs.mkdir(cache, { recursive: true });
    await fs.access(cache, fs.constants.W_OK);
    checks.push({ ok: true, label: t('cache'), detail: cache });
  } catch {
    checks.push({ ok: 'warn', label: t('cache'), detail: t`${cache} is not writable: exercise definitions are compiled on every run (set LLM_TUTOR_CACHE_DIR)` });
  }

  const { checks: workspace, workspace: ws } = await workspaceChecks(io, globals, Boolean(options.repair));
  checks.push(...workspace);

  for (const check of checks) {
    const icon = check.ok === true ? c.green('✓') : check.ok === 'warn' ? c.yellow('!') : c.red('✗');
    io.out(`${icon} ${c.bold(padColumns(check.label, 17))} ${escapeLogLine(check.detail ?? '')}`);
  }
  const declined = options.repair && ws ? !(await rebuildProgress(io, globals, ws, c, options.yes)) : false;
  return declined || checks.some((ch) => ch.ok === false) ? 1 : 0;
}
