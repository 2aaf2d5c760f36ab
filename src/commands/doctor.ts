import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GlobalOptions, Io } from '../cli.js';
import { isUserError } from '../errors.js';
import { cacheDir } from '../core/definitions.js';
import { CorruptStateError, StateStore } from '../core/state-store.js';
import { findWorkspaceDir, learnerFileOf, openWorkspace } from '../core/workspace.js';
import { version } from '../core/version.js';
import { loadTf, parseBackend } from '../reference/backend.js';
import { escapeLogLine } from '../report/escape.js';
import { makeChalk } from '../report/pretty.js';

interface Check {
  ok: boolean | 'warn';
  label: string;
  detail?: string;
}

async function sandboxProbe(): Promise<Check> {
  const { bundleLearnerFile } = await import('../sandbox/bundle.js');
  const { runInSandbox } = await import('../sandbox/run-child.js');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'llm-tutor-doctor-'));
  try {
    const root = path.join(dir, 'exercises');
    await fs.mkdir(root);
    const probe = path.join(root, 'probe.ts');
    const target = path.join(dir, 'written-by-probe.txt');
    await fs.writeFile(
      probe,
      `import { writeFileSync } from 'node:fs';\nexport function probe(): string {\n  try { writeFileSync(${JSON.stringify(target)}, 'x'); return 'write allowed'; } catch (e) { return (e as { code?: string }).code ?? 'denied'; }\n}\n`,
    );
    const bundle = await bundleLearnerFile(probe, root, path.join(dir, 'bundle.mjs'));
    if (!bundle.ok) return { ok: false, label: 'sandbox', detail: `bundling a probe failed: ${bundle.problem.message}` };
    const run = await runInSandbox(bundle.file, 'probe', [[]], { timeoutMs: 5000, memoryMb: 128, outputBytes: 1024 });
    const outcome = run.outcomes[0];
    if (!outcome?.ok) return { ok: false, label: 'sandbox', detail: `the probe did not run (${run.crashed ? `exit ${run.crashed.code ?? run.crashed.signal}` : run.timedOut ? 'timed out' : 'no result'}): ${run.stderr.split('\n')[0]}` };
    if (outcome.value !== 'ERR_ACCESS_DENIED' || existsSync(target)) return { ok: false, label: 'sandbox', detail: `the permission model did not block a file write (${String(outcome.value)})` };
    return { ok: true, label: 'sandbox', detail: `child process with --experimental-permission: file writes blocked; started and answered in ${run.durationMs.toFixed(0)} ms. Network access is not blocked by Node 20 (see docs/security.md).` };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** `llm-tutor doctor`: what works, what does not, and what to do about it. */
export default async function doctor(io: Io, globals: GlobalOptions, options: { repair?: boolean }): Promise<number> {
  const c = makeChalk(globals.color === false ? false : undefined);
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({ ok: major >= 20, label: 'Node.js', detail: `${process.versions.node} (llm-tutor ${version} needs 20 or newer)` });
  checks.push({
    ok: process.allowedNodeEnvironmentFlags.has('--experimental-permission') || process.allowedNodeEnvironmentFlags.has('--permission'),
    label: 'permission model',
    detail: 'Node can run learner code with --experimental-permission',
  });

  try {
    const forced = globals.backend ? parseBackend(globals.backend) : undefined;
    const { tf, report } = await loadTf(forced);
    const probe = tf.tidy(() => tf.softmax(tf.tensor1d([1, 2, 3])).arraySync() as number[]);
    const skipped = report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    checks.push({
      ok: Math.abs(probe[2] - 0.665241) < 1e-5,
      label: 'tfjs backend',
      detail: `${report.active}${forced ? ' (forced with --backend)' : ''}, loaded in ${report.loadMs.toFixed(0)} ms${skipped ? `; not used: ${skipped}` : ''}`,
    });
  } catch (error) {
    checks.push({ ok: false, label: 'tfjs backend', detail: (error as Error).message });
  }

  try {
    checks.push(await sandboxProbe());
  } catch (error) {
    checks.push({ ok: false, label: 'sandbox', detail: (error as Error).message });
  }

  const cache = cacheDir();
  try {
    await fs.mkdir(cache, { recursive: true });
    await fs.access(cache, fs.constants.W_OK);
    checks.push({ ok: true, label: 'cache', detail: cache });
  } catch {
    checks.push({ ok: 'warn', label: 'cache', detail: `${cache} is not writable: exercise definitions are compiled on every run (set LLM_TUTOR_CACHE_DIR)` });
  }

  const wsDir = globals.workspace ? path.resolve(io.cwd, globals.workspace) : findWorkspaceDir(io.cwd);
  if (!wsDir) {
    checks.push({ ok: 'warn', label: 'workspace', detail: 'none here; `llm-tutor init` creates one' });
  } else {
    try {
      const ws = await openWorkspace(wsDir);
      const missing = ws.exercises.filter((r) => !existsSync(learnerFileOf(ws, r))).length;
      checks.push({ ok: missing === 0 ? true : 'warn', label: 'workspace', detail: `${wsDir}: ${ws.exercises.length} exercises${missing ? `, ${missing} learner files missing (run \`llm-tutor init ${wsDir}\` to write them)` : ''}` });
      const store = new StateStore(ws.state.file);
      try {
        const state = await store.read();
        checks.push({ ok: true, label: 'progress', detail: `${Object.values(state.exercises).filter((e) => e.status === 'passed').length} passed` });
      } catch (error) {
        if (!(error instanceof CorruptStateError)) throw error;
        if (options.repair) {
          const repaired = await store.repair();
          checks.push({ ok: true, label: 'progress', detail: `repaired: kept ${repaired.kept} exercise records, dropped ${repaired.dropped}; the damaged file is kept at ${repaired.backup}` });
        } else {
          checks.push({ ok: false, label: 'progress', detail: `${error.message} Run \`llm-tutor doctor --repair\`.` });
        }
      }
    } catch (error) {
      if (!isUserError(error)) throw error;
      checks.push({ ok: false, label: 'workspace', detail: error.message });
    }
  }

  for (const check of checks) {
    const icon = check.ok === true ? c.green('✓') : check.ok === 'warn' ? c.yellow('!') : c.red('✗');
    io.out(`${icon} ${c.bold(check.label.padEnd(17))} ${escapeLogLine(check.detail ?? '')}`);
  }
  return checks.some((ch) => ch.ok === false) ? 1 : 0;
}
