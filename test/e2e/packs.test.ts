import { execFileSync } from 'node:child_process';
import { promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { learnerFile, makeWorkspace, repoRoot, runCli, tempDir, useSolution } from '../helpers/cli.js';
import { stamped, translationStamp } from '../../src/core/packs/translations.js';
import { translationFindings } from '../../src/core/packs/validate-translations.js';
import type { ExerciseRef } from '../../src/core/packs/packs.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

async function edit(file: string, change: (text: string) => string): Promise<void> {
  await fs.writeFile(file, change(await fs.readFile(file, 'utf8')));
}

describe('an instructor writes a pack, a learner uses it', () => {
  test('pack new → edit → validate → add → solve → check', async () => {
    const dir = path.join(tempDir(), 'my-course');
    const created = await runCli(['pack', 'new', dir]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created the pack "my-course"');
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'pack.json'), 'utf8'));
    // Resolved through node_modules/llm-tutor: test/e2e/pack-authoring.test.ts checks it there.
    expect(manifest.$schema).toBe('./node_modules/llm-tutor/schemas/pack.schema.json');

    // The instructor adds a case and a third hint.
    const definition = path.join(dir, 'basics', 'relu', 'exercise.ts');
    await edit(definition, (t) => t.replace("{ name: 'all positive', args: [[0.5, 2, 7]] },", "{ name: 'all positive', args: [[0.5, 2, 7]] },\n    { name: 'zeros stay zero', args: [[0, 0, 0]] },"));
    await edit(definition, (t) => t.replace("hints: ['Look", "hints: ['Plot it in your head.', 'Look"));
    const valid = await runCli(['pack', 'validate', dir]);
    expect(valid.stdout).toContain('✓ basics/relu: 2 misconceptions, 3 hints');
    expect(valid.stdout).toContain('my-course 0.1.0 is valid: 1 exercise');
    expect(valid.code).toBe(0);

    const ws = await makeWorkspace();
    const added = await runCli(['pack', 'add', dir, '--workspace', ws]);
    expect(added.stdout).toContain('Enabled my-course 0.1.0 (My course): 1 exercise.');
    const list = await runCli(['pack', 'list', '--workspace', ws]);
    expect(list.stdout).toMatch(/my-course\s+0\.1\.0\s+0\/1 passed/);

    const file = learnerFile(ws, 'basics/relu', 'my-course');
    expect(await fs.readFile(file, 'utf8')).toContain("throw new Error('not implemented')");
    await fs.writeFile(file, 'export function relu(x: Vector): Vector {\n  return x.map((v) => Math.max(0, v));\n}\n');
    const checked = await runCli(['check', 'my-course/basics/relu', '--workspace', ws]);
    expect(checked.stdout).toMatch(/^PASS my-course\/basics\/relu/);
    expect(checked.code).toBe(0);

    // CI grades the learner against the instructor's copy of the pack.
    const graded = await runCli(['grade', ws, '--pack', dir, '--reporter', 'json']);
    expect(graded.code).toBe(0);
    const results = JSON.parse(graded.stdout);
    expect(results.packs).toEqual([{ id: 'my-course', version: '0.1.0' }]);
    expect(results.submissions[0].exercises.map((e: { key: string; status: string }) => [e.key, e.status])).toEqual([['my-course/basics/relu', 'pass']]);
  });

  test('a pack packed with npm pack installs from its .tgz, and an update keeps progress and says what changed', { timeout: 120_000 }, async () => {
    const source = path.join(tempDir(), 'features');
    await fs.cp(path.join(repoRoot, 'fixtures', 'packs', 'features'), source, { recursive: true });
    const out = tempDir();
    execFileSync(npm, ['pack', '--pack-destination', out], { cwd: source, stdio: 'pipe' });
    const tarball = path.join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);

    const ws = await makeWorkspace();
    const added = await runCli(['pack', 'add', tarball, '--workspace', ws]);
    expect(added.stdout).toContain('Enabled features 1.0.0');
    expect(added.stdout).toContain('llm-tutor.json lists it as ./.llm-tutor/packs/features');
    await fs.copyFile(path.join(source, 'stream', 'total', 'solution.ts'), learnerFile(ws, 'stream/total', 'features'));
    expect((await runCli(['check', 'stream/total', '--workspace', ws])).code).toBe(0);
    const graded = await runCli(['grade', ws, '--pack', source, '--reporter', 'json']);
    expect(JSON.parse(graded.stdout).submissions[0]).toMatchObject({ status: 'pass', passed: 1, total: 1 });

    // Version 1.1.0 adds an exercise.
    await fs.cp(path.join(source, 'stream', 'total'), path.join(source, 'stream', 'total-again'), { recursive: true });
    await edit(path.join(source, 'pack.json'), (t) => t.replace('"version": "1.0.0"', '"version": "1.1.0"').replace('"title": "Total of a stream of blocks" }', '"title": "Total of a stream of blocks" }, { "id": "stream/total-again", "title": "Again" }'));
    await edit(path.join(source, 'package.json'), (t) => t.replace('"version": "1.0.0"', '"version": "1.1.0"'));
    execFileSync(npm, ['pack', '--pack-destination', out], { cwd: source, stdio: 'pipe' });
    const updated = await runCli(['pack', 'add', path.join(out, 'llm-tutor-pack-features-1.1.0.tgz'), '--workspace', ws]);
    expect(updated.stdout).toContain('Updated features from 1.0.0 to 1.1.0.');
    const list = await runCli(['list', '--workspace', ws]);
    expect(updated.stdout).toContain('Wrote 1 starter file under exercises/features/.');
    // `pack add` wrote the new starter: the notice does not claim it again.
    expect(list.stderr).toContain('The pack features was updated from 1.0.0 to 1.1.0. New: stream/total-again. Progress of every other exercise is kept.');
    expect(list.stdout).toMatch(/✓ stream\/total /);
    expect(list.stdout).toMatch(/· stream\/total-again /);
  });

  test('pack add: a downgrade says so; the same version with other content is refused without --force', async () => {
    const v3 = path.join(tempDir(), 'course');
    await runCli(['pack', 'new', v3]);
    const setVersion = async (dir: string, version: string) => {
      for (const file of ['pack.json', 'package.json']) await edit(path.join(dir, file), (t) => t.replace(/"version": "[^"]+"/, `"version": "${version}"`));
    };
    await setVersion(v3, '0.3.0');
    const v2 = path.join(tempDir(), 'course');
    await fs.cp(v3, v2, { recursive: true });
    await setVersion(v2, '0.2.0');
    const ws = await makeWorkspace();
    await runCli(['pack', 'add', v3, '--workspace', ws]);
    const down = await runCli(['pack', 'add', v2, '--workspace', ws]);
    expect(down.stdout).toContain('Downgraded course from 0.3.0 to 0.2.0: an older version than the one enabled.');

    const other = path.join(tempDir(), 'course');
    await fs.cp(v2, other, { recursive: true });
    await edit(ex(other, 'lesson.md'), (t) => `${t}\nOne more paragraph.\n`);
    const refused = await runCli(['pack', 'add', other, '--workspace', ws]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('The pack "course" 0.2.0 is already enabled, with different content.\nGive the new content a new version (in pack.json and package.json), or pass --force to replace it.');
    const copy = path.join(tempDir(), 'course');
    await fs.cp(v2, copy, { recursive: true });
    expect((await runCli(['pack', 'add', copy, '--workspace', ws])).code).toBe(0);
    const forced = await runCli(['pack', 'add', other, '--force', '--workspace', ws]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(await fs.readFile(path.join(ws, 'llm-tutor.json'), 'utf8')).packs).toContain(other);
  });

  test('an update whose new exercise already has a learner file does not claim to write its starter', async () => {
    const dir = path.join(tempDir(), 'grows');
    await runCli(['pack', 'new', dir]);
    const ws = await makeWorkspace();
    await runCli(['pack', 'add', dir, '--workspace', ws]);
    await runCli(['list', '--workspace', ws]);
    await fs.cp(path.join(dir, 'basics', 'relu'), path.join(dir, 'basics', 'relu-again'), { recursive: true });
    await edit(path.join(dir, 'pack.json'), (t) => t.replace('"version": "0.1.0"', '"version": "0.2.0"').replace(/(\{\s*"id": "basics\/relu",\s*"title": "ReLU"\s*\})/, '$1, { "id": "basics/relu-again", "title": "Again" }'));
    await fs.writeFile(learnerFile(ws, 'basics/relu-again', 'grows'), 'export function relu(x: number[]) { return x; }\n');
    const list = await runCli(['list', '--workspace', ws]);
    expect(list.stderr).toContain('The pack grows was updated from 0.1.0 to 0.2.0. New: basics/relu-again. Progress');
    await fs.cp(path.join(dir, 'basics', 'relu'), path.join(dir, 'basics', 'relu-third'), { recursive: true });
    await edit(path.join(dir, 'pack.json'), (t) => t.replace('"version": "0.2.0"', '"version": "0.3.0"').replace('{ "id": "basics/relu-again", "title": "Again" }', '{ "id": "basics/relu-again", "title": "Again" }, { "id": "basics/relu-third", "title": "Third" }'));
    const third = await runCli(['list', '--workspace', ws]);
    expect(third.stderr).toContain('New: basics/relu-third (1 starter file written).');
  });

  test('requires: a missing pack and a newer llm-tutor are refused with what to do', async () => {
    const dir = path.join(tempDir(), 'needy');
    await runCli(['pack', 'new', dir]);
    await edit(path.join(dir, 'pack.json'), (t) => t.replace('"packs": []', '"packs": ["llm-engineering"]'));
    const ws = await makeWorkspace();
    const r = await runCli(['pack', 'add', dir, '--workspace', ws]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('The pack "needy" requires the pack "llm-engineering", which is not enabled in this workspace.\nEnable it first: `llm-tutor pack add llm-engineering`.');
    await edit(path.join(dir, 'pack.json'), (t) => t.replace('"packs": ["llm-engineering"]', '"packs": []').replace(/"llmTutor": "[^"]+"/, '"llmTutor": ">=99.0.0"'));
    const old = await runCli(['pack', 'add', dir, '--workspace', ws]);
    expect(old.stderr).toMatch(/The pack "needy" needs llm-tutor >=99\.0\.0; this is llm-tutor \d+\.\d+\.\d+\./);
  });

  test('pack remove keeps the files; a path that is not a pack is one clear line', async () => {
    const dir = path.join(tempDir(), 'extra');
    await runCli(['pack', 'new', dir]);
    const ws = await makeWorkspace();
    await runCli(['pack', 'add', dir, '--workspace', ws]);
    const removed = await runCli(['pack', 'remove', 'extra', '--workspace', ws]);
    expect(removed.stdout).toContain('Disabled the pack "extra". Your files in exercises/extra/ and your progress are kept');
    expect((await fs.stat(learnerFile(ws, 'basics/relu', 'extra'))).isFile()).toBe(true);
    const bad = await runCli(['pack', 'add', './no/such/folder', '--workspace', ws]);
    expect(bad.stderr).toMatch(/No pack at .*no\/such\/folder: not a folder or a \.tgz file\./);
  });
});

describe('a changed exercise loses its pass', () => {
  /** A relu that passes the scaffold's cases but not a large negative entry. */
  const almostRelu = 'export function relu(x: Vector): Vector {\n  return x.map((v) => (v < -100 ? v : Math.max(0, v)));\n}\n';
  const addLargeNegativeCase = (t: string) => t.replace("{ name: 'all positive', args: [[0.5, 2, 7]] },", "{ name: 'all positive', args: [[0.5, 2, 7]] },\n    { name: 'a large negative', args: [[-1000, 1]] },");

  async function passedCourse(): Promise<{ dir: string; ws: string }> {
    const dir = path.join(tempDir(), 'course');
    await runCli(['pack', 'new', dir]);
    const ws = await makeWorkspace();
    await runCli(['pack', 'add', dir, '--workspace', ws]);
    await fs.writeFile(learnerFile(ws, 'basics/relu', 'course'), almostRelu);
    expect((await runCli(['check', 'course/basics/relu', '--workspace', ws])).code).toBe(0);
    return { dir, ws };
  }

  test('a folder pack edited in place: list shows the pass as changed, next grades it, pack add names it', async () => {
    const { dir, ws } = await passedCourse();
    await edit(path.join(dir, 'basics', 'relu', 'lesson.md'), (t) => `${t}\nA clearer word.\n`);
    expect((await runCli(['list', '--workspace', ws, '--pack', 'course'])).stdout).toMatch(/✓ basics\/relu /);

    await edit(path.join(dir, 'basics', 'relu', 'exercise.ts'), addLargeNegativeCase);
    const list = await runCli(['list', '--workspace', ws, '--pack', 'course']);
    expect(list.stdout).toMatch(/~ basics\/relu +ReLU \(the exercise changed in course 0\.1\.0: check it again\) ← current/);
    expect(list.stdout).toContain('0 of 1 exercise pass.');

    const added = await runCli(['pack', 'add', dir, '--workspace', ws]);
    expect(added.stdout).toContain('Changed in 0.1.0: basics/relu. A pass of it from before no longer counts: check it again (`llm-tutor next` goes to the first).');

    const next = await runCli(['next', '--once', '--workspace', ws, '--pack', 'course']);
    expect(next.stdout).toContain('(basics/relu)');
    expect(next.stdout).toMatch(/^FAIL course\/basics\/relu/m);
    expect(next.code).toBe(1);
    expect((await runCli(['list', '--workspace', ws, '--pack', 'course'])).stdout).toMatch(/✗ basics\/relu /);
  });

  test('a pack updated where it is (as a built-in pack is by a new llm-tutor): the update notice names the changed exercise', async () => {
    const { dir, ws } = await passedCourse();
    await edit(path.join(dir, 'pack.json'), (t) => t.replace('"version": "0.1.0"', '"version": "0.2.0"'));
    await edit(path.join(dir, 'basics', 'relu', 'exercise.ts'), addLargeNegativeCase);
    // The learner's file fails the new case: the pass is checked again under 0.2.0, and lost.
    const list = await runCli(['list', '--workspace', ws, '--pack', 'course']);
    expect(list.stderr).toContain('Checking your 1 pass of changed exercises of course 0.2.0 again…');
    expect(list.stderr).toContain('The pack course was updated from 0.1.0 to 0.2.0. Changed: basics/relu. Your pass of basics/relu was checked again under 0.2.0: it no longer passes: check it again. Progress of every other exercise is kept.');
    expect(list.stdout).toMatch(/✗ basics\/relu /);
    // Once only: the next command has nothing more to say.
    expect((await runCli(['list', '--workspace', ws, '--pack', 'course'])).stderr).toBe('');
  });

  test('a pack updated where it is: a pass that still passes under the new version is kept', async () => {
    const { dir, ws } = await passedCourse();
    await fs.copyFile(path.join(dir, 'basics', 'relu', 'solution.ts'), learnerFile(ws, 'basics/relu', 'course'));
    expect((await runCli(['check', 'course/basics/relu', '--workspace', ws])).code).toBe(0);
    await edit(path.join(dir, 'pack.json'), (t) => t.replace('"version": "0.1.0"', '"version": "0.2.0"'));
    await edit(path.join(dir, 'basics', 'relu', 'exercise.ts'), addLargeNegativeCase);
    const list = await runCli(['list', '--workspace', ws, '--pack', 'course']);
    expect(list.stderr).toContain('Changed: basics/relu. Your pass of basics/relu was checked again under 0.2.0: it still passes. Progress of every other exercise is kept.');
    expect(list.stdout).toMatch(/✓ basics\/relu /);
    const state = JSON.parse(await fs.readFile(path.join(ws, '.llm-tutor', 'state.json'), 'utf8'));
    expect(state.exercises['course/basics/relu'].status).toBe('passed');
  });

  test('a new version in another folder: pack add names the exercises whose definition differs from the version enabled', async () => {
    const dir = path.join(tempDir(), 'course');
    await runCli(['pack', 'new', dir]);
    const ws = await makeWorkspace();
    await runCli(['pack', 'add', dir, '--workspace', ws]);
    const newer = path.join(tempDir(), 'course-0.2.0');
    await fs.cp(dir, newer, { recursive: true });
    await edit(path.join(newer, 'pack.json'), (t) => t.replace('"version": "0.1.0"', '"version": "0.2.0"'));
    await edit(path.join(newer, 'basics', 'relu', 'exercise.ts'), addLargeNegativeCase);
    const updated = await runCli(['pack', 'add', newer, '--workspace', ws]);
    expect(updated.stdout).toContain('Updated course from 0.1.0 to 0.2.0.\nChanged in 0.2.0: basics/relu.');
  });
});

/** A scaffolded pack, broken by `breakIt`. */
async function brokenPack(breakIt: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(tempDir(), 'broken');
  await runCli(['pack', 'new', dir]);
  await breakIt(dir);
  return dir;
}

const ex = (dir: string, file: string) => path.join(dir, 'basics', 'relu', file);

describe('the built-in pack updated by a new llm-tutor', () => {
  test('passes recorded under the previous version are graded again: one that still passes is kept, new exercises are named', async () => {
    const ws = await makeWorkspace();
    for (const id of ['foundations/softmax', 'foundations/matmul']) {
      await useSolution(ws, id);
      expect((await runCli(['check', id, '--workspace', ws])).code).toBe(0);
    }
    // The workspace as the previous version left it: another version, a definition digest of its own, one exercise fewer.
    const stateFile = path.join(ws, '.llm-tutor', 'state.json');
    const state = JSON.parse(await fs.readFile(stateFile, 'utf8'));
    const current = JSON.parse(await fs.readFile(path.join(repoRoot, 'exercises', 'transformer-core', 'pack.json'), 'utf8')).version;
    state.packVersions['transformer-core'] = '0.0.1';
    state.packExercises['transformer-core'] = state.packExercises['transformer-core'].filter((id: string) => id !== 'lora/qlora-forward');
    state.exercises['transformer-core/foundations/softmax'].definition = 'f'.repeat(64);
    await fs.writeFile(stateFile, JSON.stringify(state));
    const list = await runCli(['list', '--workspace', ws]);
    expect(list.stderr).toContain(`The pack transformer-core was updated from 0.0.1 to ${current}. New: lora/qlora-forward. Changed: foundations/softmax. Your pass of foundations/softmax was checked again under ${current}: it still passes. Progress of every other exercise is kept.`);
    expect(list.stdout).toMatch(/✓ foundations\/softmax /);
    expect(list.stdout).toMatch(/✓ foundations\/matmul /);
  });
});

describe('pack validate reports every problem with its file and field', () => {
  const cases: [string, (dir: string) => Promise<void>, RegExp][] = [
    ['bad JSON', (d) => fs.writeFile(path.join(d, 'pack.json'), '{ "id": "x", }'), /pack\.json: invalid JSON at line 1, column 14\n/],
    ['bad JSON in package.json', (d) => edit(path.join(d, 'package.json'), (t) => t.replace(/("version": "[^"]+"),/, '$1')), /package\.json: invalid JSON at line 4, column 3\n/],
    ['package.json and pack.json versions that differ', (d) => edit(path.join(d, 'package.json'), (t) => t.replace(/"version": "[^"]+"/, '"version": "0.3.0"')), /package\.json version: the version is 0\.3\.0 but pack\.json's is 0\.1\.0\n/],
    ['a starter that exports another name', (d) => edit(ex(d, 'starter.ts'), (t) => t.replace('function relu', 'function Relu')), /starter\.ts: the starter exports Relu but entry is relu: change one\n/],
    ['a solution that exports another name', (d) => edit(ex(d, 'solution.ts'), (t) => t.replace('function relu', 'function Relu')), /solution\.ts: the solution exports Relu but entry is relu: change one\n/],
    ['a signature that names another function', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("signature: 'relu(", "signature: 'reLU(")), /exercise\.ts signature: the signature names reLU but entry is relu: change one\n/],
    ['a signature that does not parse', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("signature: 'relu(x: Vector): Vector'", "signature: 'relu(x: Vector'")), /exercise\.ts signature: "relu\(x: Vector" does not read as a function signature\n/],
    ['a starter that fails otherwise than "not implemented"', (d) => edit(ex(d, 'starter.ts'), (t) => t.replace("throw new Error('not implemented');", 'return x.slice(1);')), /starter\.ts: the starter fails otherwise than "not implemented": case "the lesson example": Expected shape \[5\], got \[4\]\.\n/],
    ['a misconception whose wrong() always throws', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace('wrong: (_ctx, x) => x.map((v) => (v > 0 ? v : 0.01 * v)),', "wrong: () => { throw new Error('oops'); },")), /exercise\.ts misconceptions\[1\] \(leaky\): throws on every case \(seed 1\); on case "the lesson example": oops \(exercise\.ts:32\)\n/],
    ['two cases of one name', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("name: 'all positive'", "name: 'all negative'")), /exercise\.ts cases: two cases are named "all negative" \(seed 1\)\n/],
    ['unknown field', (d) => edit(path.join(d, 'pack.json'), (t) => t.replace('"formatVersion"', '"autor": "me",\n  "formatVersion"')), /pack\.json: unknown field "autor": remove it or check the spelling/],
    ['duplicate id', (d) => edit(path.join(d, 'pack.json'), (t) => t.replace('{ "id": "basics/relu", "title": "ReLU" }', '{ "id": "basics/relu", "title": "ReLU" }, { "id": "basics/relu", "title": "again" }').replace(/\{\s*"id": "basics\/relu",\s*"title": "ReLU"\s*\}/, '{ "id": "basics/relu", "title": "ReLU" }, { "id": "basics/relu", "title": "again" }')), /pack\.json exercises\[1\]\.id: duplicate exercise id "basics\/relu"/],
    ['missing lesson', (d) => fs.rm(ex(d, 'lesson.md')), /lesson\.md exercises\[0\]: missing lesson/],
    ['starter that passes', (d) => fs.copyFile(ex(d, 'solution.ts'), ex(d, 'starter.ts')), /starter\.ts: the starter already passes/],
    ['solution that fails', (d) => edit(ex(d, 'solution.ts'), (t) => t.replace('v > 0 ? v : 0', 'v > 0 ? v : 0.01 * v')), /solution\.ts: the model solution does not pass \(seed 1\): case "the lesson example"/],
    ['reference that throws', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("reference: ({ tf }, x) => tf.relu(tf.tensor1d(x)),", "reference: ({ tf }, x) => { if (x.length === 3) throw new Error('boom'); return tf.relu(tf.tensor1d(x)); },")), /exercise\.ts reference: the reference threw on case "all negative": boom \(exercise\.ts:16\)\n/],
    ['trace that throws', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("reference: ({ tf }, x) => tf.relu(tf.tensor1d(x)),", "reference: ({ tf }, x) => tf.relu(tf.tensor1d(x)),\n  trace: (_ctx, x) => { if (x.length === 3) throw new Error('no max'); return { positive: x.map((v) => v > 0) }; },")), /exercise\.ts trace: threw on case "all negative": no max/],
    ['unreachable misconception', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace('wrong: (_ctx, x) => x.map((v) => (v > 0 ? v : 0.01 * v)),', 'wrong: (_ctx, x) => x.map((v) => (v > 0 ? v : 0)),')), /exercise\.ts misconceptions\[1\] \(leaky\): unreachable: its wrong output passes the reference on every case/],
    ['two misconceptions that are the same', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace('wrong: (_ctx, x) => x.map((v) => (v > 0 ? v : 0.01 * v)),', 'wrong: (_ctx, x) => x.map((v) => (v < 0 ? v : 0)),')), /exercise\.ts misconceptions\[1\] \(leaky\): gives the same outputs as "comparison-reversed" on every case/],
    ['missing hints', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace(/hints: \[.*\],/, 'hints: [],')), /exercise\.ts hints: must have at least one hint/],
    ['a single hint', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace(/hints: \[.*\],/, "hints: ['Only one.'],")), /exercise\.ts hints: only 1 hint/],
    ['a misconception without a hint', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace(/\n\s*hint: 'What should a negative entry become[^\n]*/, '')), /exercise\.ts misconceptions\[1\]\.hint: "leaky" has no hint/],
    ['a tiered hint about a mistake the exercise does not list', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("hints: ['Look", "hints: [{ text: 'Sigmoid is smooth.', misconception: 'sigmoid' }, 'Look")), /exercise\.ts hints\[0\]\.misconception: names "sigmoid", which is not the id of one of this exercise's misconceptions/],
    ['missing exercise folder', (d) => fs.rm(path.join(d, 'basics'), { recursive: true }), /basics\/relu exercises\[0\]: the folder of exercise "basics\/relu" is missing/],
    ['definition without entry', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("entry: 'relu',", '')), /exercise\.ts entry: is missing/],
    ['syntax error in the definition', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("entry: 'relu',", "entry: 'relu,")), /exercise\.ts.*Unterminated string literal/],
  ];

  test.each(cases)('%s', async (_name, breakIt, expected) => {
    const dir = await brokenPack(breakIt);
    const r = await runCli(['pack', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(expected);
    expect(r.stdout).toMatch(/\n {4}fix: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a wrong() that throws on some cases is a warning with the case, the error and its line; the pack stays valid', async () => {
    const dir = await brokenPack((d) => edit(ex(d, 'exercise.ts'), (t) => t.replace('wrong: (_ctx, x) => x.map((v) => (v > 0 ? v : 0.01 * v)),', "wrong: (_ctx, x) => { if (x.length === 3) throw new Error('three'); return x.map((v) => (v > 0 ? v : 0.01 * v)); },")));
    const r = await runCli(['pack', 'validate', dir], { cwd: dir });
    expect(r.stdout.split('\n')).toContain('! basics/relu/exercise.ts misconceptions[1] (leaky): throws on case "all negative" (seed 1): three (exercise.ts:32); diagnosis leaves out the cases where it throws');
    expect(r.code).toBe(0);
    await edit(ex(dir, 'exercise.ts'), (t) => t.replace("new Error('three')", "new Error('not applicable: three entries')"));
    const quiet = await runCli(['pack', 'validate', dir], { cwd: dir });
    expect(quiet.stdout).not.toContain('throws on case');
  });

  test('one misconception is counted as one', async () => {
    const dir = await brokenPack((d) => edit(ex(d, 'exercise.ts'), (t) => t.replace(/\n\s*\{\n\s*id: 'leaky',[\s\S]*?\n\s*\},(?=\n\s*\],)/, '')));
    const r = await runCli(['pack', 'validate', dir]);
    expect(r.stdout).toContain('✓ basics/relu: 1 misconception, 2 hints\n');
    expect(r.code).toBe(0);
  });

  test('several problems are all reported, not only the first', async () => {
    const dir = await brokenPack(async (d) => {
      await fs.rm(ex(d, 'lesson.md'));
      await fs.copyFile(ex(d, 'solution.ts'), ex(d, 'starter.ts'));
      await edit(ex(d, 'exercise.ts'), (t) => t.replace(/hints: \[.*\],/, "hints: ['Only one.'],"));
    });
    const r = await runCli(['pack', 'validate', dir, '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.problems.map((p: { message: string }) => p.message)).toEqual(expect.arrayContaining(['missing lesson', 'only 1 hint', 'the starter already passes']));
  });
});

describe('translations', () => {
  const fixture = path.join(repoRoot, 'fixtures', 'packs', 'translated');

  /** A copy of the fixture pack, broken by `breakIt`. */
  async function brokenTranslation(breakIt: (dir: string) => Promise<void>): Promise<string> {
    const dir = path.join(tempDir(), 'translated');
    await fs.cp(fixture, dir, { recursive: true });
    await breakIt(dir);
    return dir;
  }

  test('a pack with zh-CN texts and lesson validates clean and names its locales', async () => {
    const r = await runCli(['pack', 'validate', fixture]);
    expect(r.stdout).toContain('✓ basics/relu: 2 misconceptions, 2 hints\nlocales: en, zh-CN\n');
    expect(r.stdout).toContain('translated 1.0.0 is valid: 1 exercise');
    expect(r.code).toBe(0);
    const json = JSON.parse((await runCli(['pack', 'validate', fixture, '--json'])).stdout);
    expect(json.locales).toEqual(['en', 'zh-CN']);
  });

  test('learners see English by default', async () => {
    const ws = await makeWorkspace();
    await runCli(['pack', 'add', fixture, '--workspace', ws]);
    const hint = await runCli(['hint', 'translated/basics/relu', '--workspace', ws]);
    expect(hint.stdout).toContain('Hint 1/2\n  Look at each entry on its own: what happens to a negative one?');
    const lesson = await runCli(['lesson', 'translated/basics/relu', '--workspace', ws]);
    expect(lesson.stdout).toContain('The idea. The rectified linear unit keeps positive numbers');
  });

  const broken: [string, (dir: string) => Promise<void>, string][] = [
    ['a message without en', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("en: 'Your output keeps", "fr: 'Your output keeps")), 'basics/relu/exercise.ts misconceptions[0].message: has no `en` text: English is the default and the fallback, so every translated text needs it'],
    ['a hint with a bad tag', (d) => edit(ex(d, 'exercise.ts'), (t) => t.replace("'zh-CN': '逐个看", "zh_CN: '逐个看")), 'basics/relu/exercise.ts hints[0].zh_CN: "zh_CN" is not a locale tag: write a language and an optional region, such as en, zh or zh-CN'],
    ['a lesson with a bad tag', (d) => fs.rename(ex(d, 'lesson.zh-CN.md'), ex(d, 'lesson.chinese.md')), 'basics/relu/lesson.chinese.md: "chinese" is not a locale tag'],
    ['an empty translated lesson', (d) => fs.writeFile(ex(d, 'lesson.zh-CN.md'), '\n'), 'basics/relu/lesson.zh-CN.md: the translated lesson is empty'],
  ];

  test('an instructor\'s pack is warned of texts left in English, and of a translated lesson older than lesson.md, with the stamp to write', async () => {
    const r = await runCli(['pack', 'validate', fixture], { cwd: fixture });
    expect(r.stdout.split('\n')).toContain('! basics/relu/exercise.ts misconceptions[1].title, misconceptions[1].message, misconceptions[1].hint and 1 more: 4 texts have no zh-CN: learners reading zh-CN see them in English');
    const dir = await brokenTranslation((d) => edit(ex(d, 'lesson.md'), (t) => t.replace('keeps positive numbers', 'keeps the positive numbers')));
    const stale = await runCli(['pack', 'validate', dir], { cwd: dir });
    expect(stale.code).toBe(0);
    const english = await fs.readFile(ex(dir, 'lesson.md'), 'utf8');
    const lines = stale.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('! basics/relu/lesson.zh-CN.md: stale: translated from an earlier lesson.md (sha256:6099a5294b9f912b; lesson.md is now sha256:'));
    expect(at, stale.stdout).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe(`    fix: Bring the translation up to date with lesson.md (\`git diff\` on lesson.md shows what changed), then make this its first line: ${translationStamp(english)}`);
    // Writing that stamp makes it current.
    await edit(ex(dir, 'lesson.zh-CN.md'), (t) => stamped(t, english));
    expect((await runCli(['pack', 'validate', dir], { cwd: dir })).stdout).not.toContain('stale');
  });

  test('a translated lesson without a stamp, and an exercise without the translated lesson, are warned of', async () => {
    const dir = await brokenTranslation((d) => edit(ex(d, 'lesson.zh-CN.md'), (t) => t.replace(/^<!--[^\n]*-->\n/, '')));
    const r = await runCli(['pack', 'validate', dir], { cwd: dir });
    expect(r.stdout).toContain('! basics/relu/lesson.zh-CN.md: the zh-CN lesson has no stamp naming the lesson.md it was translated from');
    const unstamped = await translationFindings([{ dir: ex(dir, '.'), id: 'basics/relu' } as ExerciseRef], new Map(), ['zh-CN']);
    expect(unstamped.map((f) => f.message)).toEqual(['the zh-CN lesson has no stamp naming the lesson.md it was translated from, so a later change to lesson.md cannot be noticed']);
    await fs.rm(ex(dir, 'lesson.zh-CN.md'));
    const missing = await translationFindings([{ dir: ex(dir, '.'), id: 'basics/relu' } as ExerciseRef], new Map(), ['zh-CN']);
    expect(missing.map((f) => f.message)).toEqual(['no zh-CN lesson: the pack is written in zh-CN (0 of 1 exercises have lesson.zh-CN.md), so learners reading zh-CN get this one in English']);
  });

  test('in a built-in pack the same findings are errors', async () => {
    const dir = await brokenTranslation(async () => {});
    const { validatePack } = await import('../../src/core/packs/validate.js');
    const report = await validatePack(dir, { builtin: true, seeds: [1] });
    expect(report.problems.map((p) => p.message)).toEqual(['2 titles have no zh-CN: learners reading zh-CN see them in English', '4 texts have no zh-CN: learners reading zh-CN see them in English']);
    expect((await validatePack(dir, { seeds: [1] })).problems).toEqual([]);
  });

  test('with --lang zh-CN, LLM_TUTOR_LANG or LANG=zh_CN.UTF-8, learners read the zh-CN lesson and hints, and English where the pack has none', async () => {
    const ws = await makeWorkspace();
    await runCli(['pack', 'add', fixture, '--workspace', ws]);
    for (const how of [{ args: ['--lang', 'zh-CN'], env: {} }, { args: [], env: { LLM_TUTOR_LANG: 'zh-CN' } }, { args: [], env: { LANG: 'zh_CN.UTF-8' } }]) {
      const lesson = await runCli([...how.args, 'lesson', 'translated/basics/relu', '--workspace', ws], { env: how.env });
      expect(lesson.stdout, JSON.stringify(how)).toContain('核心思想。');
      expect(lesson.stdout).not.toContain('translated from lesson.md');
    }
    const hints = await runCli(['--lang', 'zh-CN', 'hint', 'translated/basics/relu', '--workspace', ws]);
    expect(hints.stdout).toContain('逐个看每个元素：负数会变成什么？');
    // --lang wins over the environment; LANG=C is English.
    const english = await runCli(['--lang', 'en', 'lesson', 'translated/basics/relu', '--workspace', ws], { env: { LLM_TUTOR_LANG: 'zh-CN' } });
    expect(english.stdout).toContain('The idea.');
    expect((await runCli(['lesson', 'translated/basics/relu', '--workspace', ws], { env: { LANG: 'C' } })).stdout).toContain('The idea.');
  });

  test('init --lang zh records the language in llm-tutor.json, and the workspace speaks it without the option', async () => {
    const ws = path.join(tempDir(), 'ws');
    const init = await runCli(['--lang', 'zh', 'init', ws, '--packs', 'transformer-core']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('个练习');
    expect(JSON.parse(await fs.readFile(path.join(ws, 'llm-tutor.json'), 'utf8')).lang).toBe('zh-CN');
    const list = await runCli(['list'], { cwd: ws });
    expect(list.stdout).toContain('矩阵乘法');
    expect(list.stdout).toContain('Transformer 核心');
    expect((await runCli(['--lang', 'en', 'list'], { cwd: ws })).stdout).toContain('Matrix multiplication');
    // Without --lang, init writes no "lang": the system locale goes on choosing.
    const plain = path.join(tempDir(), 'ws');
    await runCli(['init', plain, '--packs', 'transformer-core'], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(JSON.parse(await fs.readFile(path.join(plain, 'llm-tutor.json'), 'utf8')).lang).toBeUndefined();
  });

  test.each(broken)('%s is one line naming the file and the field', async (_name, breakIt, line) => {
    const dir = await brokenTranslation(breakIt);
    const r = await runCli(['pack', 'validate', dir], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toContain(`✗ ${line}`);
  });
});

describe('pinned expected values', () => {
  const fixture = path.join(repoRoot, 'fixtures', 'packs', 'pinned');

  test('a pack whose pinned values agree with the reference validates clean', async () => {
    const r = await runCli(['pack', 'validate', fixture]);
    expect(r.stdout).toContain('✓ basics/softmax: 1 misconception, 2 hints\n');
    expect(r.code).toBe(0);
  });

  test('a pinned value the reference does not give is a problem naming the case, with the comparison', async () => {
    const dir = path.join(tempDir(), 'pinned');
    await fs.cp(fixture, dir, { recursive: true });
    await edit(path.join(dir, 'basics', 'softmax', 'exercise.ts'), (t) => t.replace('0.66524096', '0.66124096'));
    const r = await runCli(['pack', 'validate', dir], { cwd: dir });
    expect(r.code).toBe(1);
    // The digits of the difference depend on the backend's float32 rounding.
    expect(r.stdout).toMatch(
      /^✗ basics\/softmax\/exercise\.ts cases: the reference's output is not the expected value pinned on case "the lesson example \[1, 2, 3\]" \(seed 1\): Mismatched elements: 1 \/ 3 \(33\.3%\)\. Greatest absolute difference 0\.0039999\d* at \[2\] \(allowed 7\.612e-5\)\./m,
    );
    expect(r.stdout.match(/pinned on case/g)).toHaveLength(1);
    expect(r.stdout).toContain('1 problem in pinned 1.0.0');
  });
});
