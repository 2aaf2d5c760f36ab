import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestOptions } from 'vitest';

/** Programs some tests need that a fresh machine may lack; CI installs them all (.ci/run). */
export type Tool = 'chromium' | 'tmux' | 'bubblewrap';

/** Whether a tool can be used here, and if not, why, in a few words ("not installed"). */
export interface ToolCheck {
  available: boolean;
  why?: string;
}

/** What a test that needs a tool carries to the reporter (test/helpers/tools-reporter.ts). */
export interface ToolNeed {
  tool: Tool;
  why?: string;
}

declare module 'vitest' {
  interface TaskMeta {
    needs?: ToolNeed;
  }
}

/** The first line of a program's complaint, trimmed to fit a summary line. */
function firstLine(text: string | Buffer | null | undefined): string {
  return (String(text ?? '').trim().split('\n')[0] ?? '').slice(0, 80);
}

/** Where Debian installs Chromium, when it does. */
export function chromiumPath(): string | undefined {
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
}

function checkChromium(): ToolCheck {
  return chromiumPath() ? { available: true } : { available: false, why: 'not installed' };
}

function checkTmux(): ToolCheck {
  const run = spawnSync('tmux', ['-V'], { timeout: 10_000 });
  if (run.status === 0) return { available: true };
  const code = (run.error as NodeJS.ErrnoException | undefined)?.code;
  return { available: false, why: code === 'ENOENT' ? 'not installed' : `not usable: ${firstLine(run.stderr) || code || `exit ${run.status}`}` };
}

/** Whether bubblewrap can make a sandbox here: installed, and user namespaces allowed. */
function checkBubblewrap(): ToolCheck {
  if (process.platform !== 'linux') return { available: false, why: 'Linux only' };
  const run = spawnSync('bwrap', ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', process.execPath, '-e', '0'], { timeout: 10_000 });
  if (run.status === 0) return { available: true };
  const code = (run.error as NodeJS.ErrnoException | undefined)?.code;
  return { available: false, why: code === 'ENOENT' ? 'not installed' : `not usable: ${firstLine(run.stderr) || code || `exit ${run.status}`}` };
}

const checks: Record<Tool, () => ToolCheck> = { chromium: checkChromium, tmux: checkTmux, bubblewrap: checkBubblewrap };
const found = new Map<Tool, ToolCheck>();

/** Whether `tool` can be used on this machine (checked once per test file). */
export function toolCheck(tool: Tool): ToolCheck {
  let check = found.get(tool);
  if (!check) found.set(tool, (check = checks[tool]()));
  return check;
}

/** Whether a test needing `tool` runs here: where the tool works, and always under CI, where a missing tool must fail. */
export function runsHere(tool: Tool): boolean {
  return toolCheck(tool).available || process.env.CI === 'true';
}

/**
 * Options for a test or describe block that needs `tool`: skipped where the
 * tool is missing (except under CI), and marked so that the run's last line
 * says what did not run and why.
 */
export function needs(tool: Tool): TestOptions {
  const { why } = toolCheck(tool);
  return { skip: !runsHere(tool), meta: { needs: { tool, why } } };
}

/** Whether bubblewrap can make a sandbox on this machine (installed, user namespaces allowed). */
export const bwrapWorks = toolCheck('bubblewrap').available;

/** The two isolations a sandbox test runs under: bubblewrap (CI installs it), and the permission model alone, which must hold too. */
export const isolations = ['bwrap', 'permission'] as const;

/** Options for a test under `isolation`: one under bubblewrap {@link needs} it. */
export function needsIsolation(isolation: (typeof isolations)[number]): TestOptions {
  return isolation === 'bwrap' ? needs('bubblewrap') : {};
}
