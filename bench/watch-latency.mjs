// Watch mode: time from saving the learner file to the new verdict on screen.
// Drives the real WatchSession and the real Ink App (rendered by ink-testing-library),
// alternating a passing and a failing file so every save changes what is shown.
import { promises as fs } from 'node:fs';
import path from 'node:path';

const ansi = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Returns { toVerdict: ms[], toScreen: ms[], bundleMs: ms[], sandboxMs: ms[] } for
 * `saves` saves of `exerciseId` in the workspace at `wsDir` (the last two are
 * the stages of each grading, as its verdict records them).
 */
export async function measureWatchLatency(root, wsDir, exerciseId, files, saves = 20) {
  const dist = (p) => path.join(root, 'dist', p);
  const { openWorkspace, learnerFileOf } = await import(dist('core/workspace/workspace.js'));
  const { WatchSession } = await import(dist('core/workspace/watch-session.js'));
  const { App } = await import(dist('ui/App.js'));
  const React = await import('react');
  const { render } = await import('ink-testing-library');

  const workspace = await openWorkspace(wsDir);
  const ref = workspace.exercises.find((r) => r.id === exerciseId);
  const file = learnerFileOf(workspace, ref);
  await fs.writeFile(file, files.fail);
  const session = new WatchSession(workspace, workspace.exercises, { seed: 42 }, await workspace.state.read(), ref);
  const view = render(React.createElement(App, { session, cwd: wsDir }));
  await session.start();

  const frame = () => (view.lastFrame() ?? '').replace(ansi, '');
  const waitFor = (check) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        if (check()) resolve(performance.now());
        else if (Date.now() - started > 15_000) reject(new Error(`timed out; frame:\n${frame()}`));
        else setImmediate(poll);
      };
      poll();
    });
  await waitFor(() => frame().includes(' FAIL '));

  const toVerdict = [];
  const toScreen = [];
  const bundleMs = [];
  const sandboxMs = [];
  for (let i = 0; i < saves; i++) {
    const pass = i % 2 === 0;
    const verdictSeen = new Promise((resolve) => {
      const off = session.subscribe((s) => {
        if (s.phase === 'idle' && s.verdict && (s.verdict.status === 'pass') === pass) {
          off();
          bundleMs.push(s.verdict.timings.bundleMs);
          sandboxMs.push(s.verdict.timings.sandboxMs);
          resolve(performance.now());
        }
      });
    });
    // Let the watcher settle between saves, as a person's saves are seconds apart.
    await new Promise((r) => setTimeout(r, 150));
    const saved = performance.now();
    await fs.writeFile(file, pass ? files.pass : files.fail);
    const shown = await waitFor(() => frame().includes(pass ? ' PASS ' : ' FAIL '));
    toScreen.push(shown - saved);
    toVerdict.push((await verdictSeen) - saved);
  }
  view.unmount();
  await session.close();
  return { toVerdict, toScreen, bundleMs, sandboxMs };
}
