import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { EditorLauncher, EditorResult } from '../../src/launch/editor.js';
import type { CreateFileWatcher } from '../../src/core/workspace/file-watcher.js';
import { checkExercise } from '../../src/core/workspace/check.js';
import { countSolved } from '../../src/core/workspace/progress.js';
import { WatchSession, type WatchSnapshot } from '../../src/core/workspace/watch-session.js';
import { openWorkspace, type Workspace } from '../../src/core/workspace/workspace.js';
import { learnerFile, makeWorkspace, processesNaming, repoRoot, runCli, tempDir } from '../helpers/cli.js';

let ws: Workspace;
let session: WatchSession | undefined;

beforeAll(async () => {
  ws = await openWorkspace(await makeWorkspace());
});

afterEach(async () => {
  await session?.close();
  session = undefined;
});

function open(id: string): WatchSession {
  const ref = ws.exercises.find((r) => r.id === id)!;
  return new WatchSession(ws, ws.exercises, { seed: 3 }, { formatVersion: 1, packVersions: {}, packExercises: {}, exercises: {} }, ref);
}

async function until(s: WatchSession, check: (snap: WatchSnapshot) => boolean): Promise<WatchSnapshot> {
  return vi.waitFor(
    () => {
      const snap = s.getSnapshot();
      if (!check(snap)) throw new Error(`not yet: ${snap.phase} ${snap.verdict?.status}`);
      return snap;
    },
    { timeout: 15_000, interval: 10 },
  );
}

const solution = (id: string) => path.join(repoRoot, 'exercises', 'transformer-core', id, 'solution.ts');

describe('WatchSession', () => {
  test('grades on start and again on every save of the learner file', async () => {
    session = open('foundations/softmax');
    await session.start();
    let snap = await until(session, (s) => s.phase === 'idle' && s.verdict !== undefined);
    expect(snap.verdict?.status).toBe('error');
    expect(snap.lessonSummary).toMatch(/^Softmax turns a vector/);
    expect(snap.hints).toEqual([]);
    await fs.copyFile(solution('foundations/softmax'), learnerFile(ws.dir, 'foundations/softmax'));
    snap = await until(session, (s) => s.verdict?.status === 'pass');
    expect(snap.progress.exercises['transformer-core/foundations/softmax'].status).toBe('passed');
  });

  test('the snapshot carries what a pass opens onto: the properties checked on the learner\'s code and the lesson\'s sections beyond the exercise', async () => {
    session = open('positions/rope-relative');
    await session.start();
    const snap = await until(session, (s) => s.lessonSummary !== '');
    expect(snap.afterPass.properties).toEqual(['f(m+s, n+s) = f(m, n)']);
    const lesson = await fs.readFile(path.join(repoRoot, 'exercises', 'transformer-core', 'positions', 'rope-relative', 'lesson.md'), 'utf8');
    expect(snap.afterPass.inPractice?.heading).toBe('In practice: PyTorch and TensorFlow.js');
    expect(lesson).toContain(`## ${snap.afterPass.inPractice?.heading}\n\n${snap.afterPass.inPractice?.markdown}`);
  });

  test('editors that save by writing a new file and renaming it over the old one are followed, again and again', async () => {
    session = open('foundations/softmax');
    const file = learnerFile(ws.dir, 'foundations/softmax');
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', 'softmax-no-max.ts'), file);
    await session.start();
    await until(session, (s) => s.verdict?.status === 'fail');
    const saveByRename = async (content: string) => {
      const temp = path.join(path.dirname(file), `.softmax.ts.${Math.random().toString(36).slice(2)}.swp`);
      await fs.writeFile(temp, content);
      await fs.rename(temp, file);
    };
    const right = await fs.readFile(solution('foundations/softmax'), 'utf8');
    const wrong = await fs.readFile(path.join(repoRoot, 'fixtures', 'learner', 'softmax-no-max.ts'), 'utf8');
    for (let i = 0; i < 3; i++) {
      await saveByRename(right);
      await until(session, (s) => s.phase === 'idle' && s.verdict?.status === 'pass');
      await saveByRename(wrong);
      await until(session, (s) => s.phase === 'idle' && s.verdict?.status === 'fail');
    }
    await saveByRename(right);
    await until(session, (s) => s.phase === 'idle' && s.verdict?.status === 'pass');
  });

  test('h reveals the hint for the diagnosed mistake first, then the tiered hints that still apply', async () => {
    const fresh = await openWorkspace(await makeWorkspace());
    const file = learnerFile(fresh.dir, 'foundations/softmax');
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', 'softmax-no-max.ts'), file);
    const ref = fresh.exercises.find((r) => r.id === 'foundations/softmax')!;
    session = new WatchSession(fresh, fresh.exercises, { seed: 3, manual: true }, await fresh.state.read(), ref);
    await session.start();
    await until(session, (s) => s.phase === 'idle' && s.verdict?.diagnosis?.misconceptionId === 'no-max-subtraction');
    await session.revealHint();
    expect(session.getSnapshot().hints).toEqual([
      { label: 'Hint for “exponentiating without subtracting the max”', text: expect.stringMatching(/^Evaluate Math\.exp\(1000\)/) },
    ]);

    // The max subtraction fixed, the fully masked row not handled yet: that mistake's hint comes next.
    await fs.writeFile(file, 'export function softmax(x: Vector): Vector {\n  const m = Math.max(...x);\n  const e = x.map((v) => Math.exp(v - m));\n  const s = e.reduce((a, b) => a + b, 0);\n  return e.map((v) => v / s);\n}\n');
    await session.rerun();
    expect(session.getSnapshot().verdict?.diagnosis?.misconceptionId).toBe('nan-on-fully-masked-row');
    await session.revealHint();
    expect(session.getSnapshot().hints.at(-1)?.label).toBe('Hint for “no special case for a row that is all −Infinity”');

    // Fixed: the tiered hints, skipping the one about the max subtraction; revealed hints stay, in order.
    await fs.copyFile(solution('foundations/softmax'), file);
    await session.rerun();
    expect(session.getSnapshot().verdict?.status).toBe('pass');
    await session.revealHint();
    await session.revealHint();
    expect(session.getSnapshot().hints.map((h) => h.label)).toEqual([
      'Hint for “exponentiating without subtracting the max”',
      'Hint for “no special case for a row that is all −Infinity”',
      'Hint 1/3',
      'Hint 3/3',
    ]);
    expect(session.getSnapshot().hints[2].text).not.toMatch(/max|constant/i);
    await session.revealHint();
    expect(session.getSnapshot().notice).toBe('That was the last hint.');
    const saved = JSON.parse(await fs.readFile(fresh.state.file, 'utf8'));
    expect(saved.exercises['transformer-core/foundations/softmax'].revealedHints).toEqual(['mistake:no-max-subtraction', 'mistake:nan-on-fully-masked-row', 'tier:1', 'tier:3']);
  });

  test('saving a file the learner file imports re-grades it too', async () => {
    const fresh = await openWorkspace(await makeWorkspace());
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', 'softmax-imports-own-file.ts'), learnerFile(fresh.dir, 'foundations/softmax'));
    const ref = fresh.exercises.find((r) => r.id === 'foundations/softmax')!;
    session = new WatchSession(fresh, fresh.exercises, { seed: 3 }, await fresh.state.read(), ref);
    await session.start();
    const failing = await until(session, (s) => s.phase === 'idle' && s.verdict?.status === 'error');
    expect(failing.verdict?.learnerFiles).toContain(learnerFile(fresh.dir, 'foundations/matmul'));
    await fs.copyFile(solution('foundations/matmul'), learnerFile(fresh.dir, 'foundations/matmul'));
    // matmul no longer throws, so softmax is graded on values (x·I turns −Infinity into NaN, so masked cases still fail).
    const regraded = await until(session, (s) => s.phase === 'idle' && s.verdict?.status === 'fail');
    expect(regraded.verdict?.cases[0].status).toBe('pass');
  });

  test('n moves on only after a pass, hints are saved as they are revealed', async () => {
    session = open('foundations/cross-entropy');
    await session.start();
    await until(session, (s) => s.phase === 'idle' && s.verdict?.status === 'error');
    await session.goNext();
    expect(session.getSnapshot().exercise.id).toBe('foundations/cross-entropy');
    expect(session.getSnapshot().notice).toMatch(/only after a pass/);
    await session.revealHint();
    await session.revealHint();
    const state = JSON.parse(await fs.readFile(ws.state.file, 'utf8'));
    expect(state.exercises['transformer-core/foundations/cross-entropy'].revealedHints).toEqual(['tier:1', 'tier:2']);
    expect(session.getSnapshot().hints.map((h) => h.label)).toEqual(['Hint 1/3', 'Hint 2/3']);
    expect(await session.solution()).toBeUndefined();
    expect(session.getSnapshot().notice).toBe('The model solution opens after your code passes.');

    await fs.copyFile(solution('foundations/cross-entropy'), learnerFile(ws.dir, 'foundations/cross-entropy'));
    await until(session, (s) => s.verdict?.status === 'pass');
    expect(await session.solution()).toContain('export function crossEntropy');
    await session.goNext();
    // The next unsolved exercise of the pack, in order (softmax passed in the test above).
    await until(session, (s) => s.exercise.id === 'attention/scaled-dot-product');
  });

  test('when the whole pack passes, n shows the pack-finished screen', async () => {
    const dir = path.join(tempDir(), 'ws');
    const r = await runCli(['init', dir, '--packs', path.join(repoRoot, 'fixtures', 'packs', 'features'), '--seed', '2']);
    expect(r.code).toBe(0);
    const small = await openWorkspace(dir);
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'packs', 'features', 'stream', 'total', 'solution.ts'), learnerFile(dir, 'stream/total', 'features'));
    session = new WatchSession(small, small.exercises, { seed: 2 }, await small.state.read(), small.exercises[0]);
    await session.start();
    await until(session, (s) => s.verdict?.status === 'pass');
    await session.goNext();
    const snap = await until(session, (s) => s.packDone !== undefined);
    expect(snap.packDone).toMatchObject({ packId: 'features', solved: 1, total: 1, next: undefined });
  });

  test('s in a pack built without solutions: the notice says there is none, before a pass and after', async () => {
    const course = path.join(tempDir(), 'course');
    await fs.cp(path.join(repoRoot, 'fixtures', 'packs', 'features'), course, { recursive: true });
    const manifest = path.join(course, 'pack.json');
    await fs.writeFile(manifest, JSON.stringify({ ...JSON.parse(await fs.readFile(manifest, 'utf8')), solutions: false }));
    const model = path.join(course, 'stream', 'total', 'solution.ts');
    const right = await fs.readFile(model, 'utf8');
    await fs.rm(model);
    const dir = path.join(tempDir(), 'ws');
    expect((await runCli(['init', dir, '--packs', course, '--seed', '2'])).code).toBe(0);
    const small = await openWorkspace(dir);
    session = new WatchSession(small, small.exercises, { seed: 2 }, await small.state.read(), small.exercises[0]);
    await session.start();
    await until(session, (s) => s.phase === 'idle' && s.verdict !== undefined);
    const none = 'The pack "features" does not ship its model solutions, so there is none to show for stream/total.';
    expect(await session.solution()).toBeUndefined();
    expect(session.getSnapshot().notice).toBe(none);
    await fs.writeFile(learnerFile(dir, 'stream/total', 'features'), right);
    await until(session, (s) => s.verdict?.status === 'pass');
    expect(await session.solution()).toBeUndefined();
    expect(session.getSnapshot().notice).toBe(none);
  });

  test('reset restores the starter with a backup and re-grades the current exercise', async () => {
    await fs.copyFile(solution('foundations/matmul'), learnerFile(ws.dir, 'foundations/matmul'));
    session = open('foundations/matmul');
    await session.start();
    await until(session, (s) => s.verdict?.status === 'pass');
    const backup = await session.reset(session.getSnapshot().exercise);
    expect(await fs.readFile(backup!, 'utf8')).toContain('export function matmul');
    await until(session, (s) => s.verdict?.status === 'error');
    expect(session.getSnapshot().notice).toMatch(/^Restored the starter of foundations\/matmul/);
  });

  test('a grading tells of every stage it goes through, in order (the screen throttles them, not the session)', async () => {
    session = open('foundations/softmax');
    await session.start();
    await until(session, (s) => s.phase === 'idle' && s.verdict !== undefined);
    const stages: (string | undefined)[] = [];
    const off = session.subscribe((s) => {
      if (s.phase === 'grading' && stages.at(-1) !== s.stage) stages.push(s.stage);
    });
    await session.rerun();
    off();
    expect(stages).toEqual(['starting', 'bundle', 'reference', 'sandbox', 'diagnose']);
  });
});

describe('WatchSession with a fake file watcher and editor', () => {
  function fakeWatcher() {
    const fake = { watched: [] as string[][], closed: 0, change: () => {}, fail: (_error: unknown) => {} };
    const createWatcher: CreateFileWatcher = (events) => {
      fake.change = events.onChange;
      fake.fail = events.onError;
      return {
        watch: (files) => void fake.watched.push(files),
        close: () => void fake.closed++,
      };
    };
    return { fake, createWatcher };
  }

  test('the session watches the learner file, re-grades when the watcher tells of a change, and closes the watcher', async () => {
    const { fake, createWatcher } = fakeWatcher();
    const ref = ws.exercises.find((r) => r.id === 'foundations/softmax')!;
    session = new WatchSession(ws, ws.exercises, { seed: 3, createWatcher }, await ws.state.read(), ref);
    await session.start();
    await until(session, (s) => s.phase === 'idle' && s.verdict !== undefined);
    expect(fake.watched[0]).toEqual([learnerFile(ws.dir, 'foundations/softmax')]);
    const attempts = (await ws.state.read()).exercises[ref.key].attempts;
    fake.change();
    await until(session, (s) => s.phase === 'idle' && s.progress.exercises[ref.key].attempts === attempts + 1);
    fake.fail(new Error('ENOSPC'));
    expect(session.getSnapshot().watchProblem).toBe('Watching your files failed (ENOSPC). Press r to re-grade, or restart with --manual-run.');
    await session.close();
    expect(fake.closed).toBe(1);
  });

  test('a save during a grading cancels it: its sandbox child is killed, and the verdict of the newest save shows well before the time limit', async () => {
    const { fake, createWatcher } = fakeWatcher();
    const fresh = await openWorkspace(await makeWorkspace());
    const file = learnerFile(fresh.dir, 'foundations/softmax');
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', 'softmax-infinite-loop.ts'), file);
    const ref = fresh.exercises.find((r) => r.id === 'foundations/softmax')!;
    // Each sandbox child runs in a folder under TMPDIR: a TMPDIR of this test's own tells its children from any other.
    const runs = tempDir('llm-tutor-cancel-');
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = runs;
    try {
      session = new WatchSession(fresh, fresh.exercises, { seed: 3, timeoutMs: 20_000, createWatcher }, await fresh.state.read(), ref);
      const verdicts: string[] = [];
      session.subscribe((s) => {
        if (s.verdict && verdicts.at(-1) !== s.verdict.summary) verdicts.push(s.verdict.summary);
      });
      const started = performance.now();
      void session.start();
      await until(session, (s) => s.phase === 'grading' && s.stage === 'sandbox');
      const hungRunDirs = [...new Set(processesNaming(runs).flatMap((p) => p.match(/llm-tutor-run-\w+/g) ?? []))];
      expect(hungRunDirs.length).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await fs.copyFile(solution('foundations/softmax'), file);
      fake.change();
      const passed = await until(session, (s) => s.phase === 'idle' && s.verdict?.status === 'pass');
      expect(performance.now() - started).toBeLessThan(15_000);
      // The hung grading showed nothing and recorded nothing: one attempt, the pass.
      expect(verdicts).toEqual([passed.verdict!.summary]);
      // The verdict shows first; the progress file is written right after.
      await vi.waitFor(async () => expect((await fresh.state.read()).exercises[ref.key]).toMatchObject({ status: 'passed', attempts: 1 }), { timeout: 5000, interval: 20 });
      await vi.waitFor(() => expect(hungRunDirs.flatMap((dir) => processesNaming(dir))).toEqual([]), { timeout: 5000, interval: 50 });
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
  });

  test('a save of an imported exercise file grades that exercise first: the note and the progress tell where it stands now', async () => {
    const { fake, createWatcher } = fakeWatcher();
    const fresh = await openWorkspace(await makeWorkspace());
    const softmaxFile = learnerFile(fresh.dir, 'foundations/softmax');
    await fs.copyFile(solution('foundations/softmax'), softmaxFile);
    await fs.copyFile(path.join(repoRoot, 'fixtures', 'learner', 'padding-mask-imports-softmax.ts'), learnerFile(fresh.dir, 'attention/padding-mask'));
    const softmax = fresh.exercises.find((r) => r.id === 'foundations/softmax')!;
    const paddingMask = fresh.exercises.find((r) => r.id === 'attention/padding-mask')!;
    expect((await checkExercise(fresh, softmax, { seed: 3 })).status).toBe('pass');
    session = new WatchSession(fresh, fresh.exercises, { seed: 3, createWatcher }, await fresh.state.read(), paddingMask);
    await session.start();
    let snap = await until(session, (s) => s.phase === 'idle' && s.verdict?.status === 'pass');
    expect(snap.verdict?.notes).toEqual([]);
    expect(countSolved(snap.exercises, snap.progress)).toMatchObject({ solved: 2 });

    const attemptsOf = (s: WatchSnapshot) => s.progress.exercises[paddingMask.key]?.attempts;
    const saveSoftmax = async (content: string) => {
      const attempts = attemptsOf(session!.getSnapshot());
      await fs.writeFile(softmaxFile, content);
      fake.change();
      return until(session!, (s) => s.phase === 'idle' && attemptsOf(s) === attempts + 1);
    };
    snap = await saveSoftmax('export function softmax(x: Vector): Vector {\n  return x.map(() => 1 / x.length);\n}\n');
    expect(snap.verdict?.status).toBe('fail');
    expect(snap.verdict?.notes).toContain(
      'This file imports softmax.ts (transformer-core/foundations/softmax), which does not pass yet: if its code is wrong, this exercise fails too. Check it with `llm-tutor check transformer-core/foundations/softmax`.',
    );
    expect(snap.progress.exercises[softmax.key].status).toBe('failed');
    expect(countSolved(snap.exercises, snap.progress)).toMatchObject({ solved: 0 });
    expect((await fresh.state.read()).exercises[softmax.key]).toMatchObject({ status: 'failed', attempts: 2 });

    snap = await saveSoftmax(await fs.readFile(solution('foundations/softmax'), 'utf8'));
    expect(snap.verdict?.status).toBe('pass');
    expect(snap.verdict?.notes).toEqual([]);
    expect(snap.progress.exercises[softmax.key].status).toBe('passed');
    expect(countSolved(snap.exercises, snap.progress)).toMatchObject({ solved: 2 });
  });

  test('with --manual-run no watcher is made', async () => {
    const createWatcher = vi.fn<CreateFileWatcher>();
    session = new WatchSession(ws, ws.exercises, { seed: 3, manual: true, createWatcher }, await ws.state.read(), ws.exercises[0]);
    expect(createWatcher).not.toHaveBeenCalled();
    expect(session.getSnapshot().watching).toBe('manual');
  });

  test('openEditor opens the current learner file with the launcher given, and says what happened', () => {
    const results: EditorResult[] = [{ kind: 'none' }, { kind: 'failed', command: 'vim', message: 'spawn vim ENOENT' }, { kind: 'window', command: 'code' }, { kind: 'terminal', command: 'nano' }];
    const launchEditor = vi.fn<EditorLauncher>(() => results.shift()!);
    const ref = ws.exercises.find((r) => r.id === 'foundations/matmul')!;
    session = new WatchSession(ws, ws.exercises, { seed: 3, manual: true, launchEditor }, { formatVersion: 1, packVersions: {}, packExercises: {}, exercises: {} }, ref);
    const terminal = { beforeTerminal: () => {}, afterTerminal: () => {} };
    const notices: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      session.openEditor(ws.dir, terminal);
      notices.push(session.getSnapshot().notice);
    }
    expect(launchEditor).toHaveBeenCalledWith(learnerFile(ws.dir, 'foundations/matmul'), terminal);
    const file = path.join('exercises', 'transformer-core', 'foundations', 'matmul.ts');
    expect(notices).toEqual([`Set $EDITOR or $VISUAL to open files from here. Your file: ${file}`, 'Could not start vim: spawn vim ENOENT', `Opened ${file} in code.`, undefined]);
  });
});
