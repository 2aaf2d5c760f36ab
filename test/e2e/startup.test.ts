import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { bin, makeWorkspace, tempDir } from '../helpers/cli.js';

let ws: string;
let probe: string;

/** Runs the bin with a preload that prints, at exit, which heavy modules were loaded. */
function loadedHeavyModules(args: string[]): string[] {
  const result = spawnSync(process.execPath, ['--import', probe, bin, ...args], { env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
  const last = result.stderr.trim().split('\n').pop() ?? '[]';
  return JSON.parse(last) as string[];
}

beforeAll(async () => {
  ws = await makeWorkspace();
  probe = path.join(tempDir(), 'probe.mjs');
  await fs.writeFile(
    probe,
    `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
process.on('exit', () => {
  const heavy = Object.keys(require.cache).filter((f) => /@tensorflow|esbuild|marked/.test(f));
  process.stderr.write(JSON.stringify([...new Set(heavy.map((f) => f.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)/)?.[1]))]));
});
`,
  );
});

describe('start-up stays light', () => {
  test('--version loads neither tfjs nor esbuild', () => {
    expect(loadedHeavyModules(['--version'])).toEqual([]);
  });

  test('list loads neither tfjs nor esbuild', () => {
    expect(loadedHeavyModules(['list', '--workspace', ws])).toEqual([]);
  });

  test('the probe does see tfjs when a command grades (so the two tests above can fail)', () => {
    expect(loadedHeavyModules(['check', 'softmax', '--workspace', ws])).toEqual(expect.arrayContaining(['@tensorflow/tfjs-core', 'esbuild']));
  });
});
