import { watch, mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { FolderWatcher } from '../../src/core/workspace/file-watcher.js';

let watcher: FolderWatcher | undefined;
afterEach(() => watcher?.close());

function setup(debounceMs: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-watch-'));
  const events = { onChange: vi.fn(), onError: vi.fn() };
  watcher = new FolderWatcher(events, debounceMs);
  return { dir, events, watcher };
}

/** Writes `file` and returns once the file system has told of it (to a watcher of the test's own) and a little more. */
async function writeAndSettle(file: string, text: string): Promise<void> {
  const seen = new Promise<void>((resolve) => {
    const own = watch(path.dirname(file), (_event, name) => {
      if (name?.toString() !== path.basename(file)) return;
      own.close();
      resolve();
    });
  });
  await fs.writeFile(file, text);
  await seen;
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('FolderWatcher', () => {
  test('a burst of writes to a watched file is told once, and a later write once more', async () => {
    const { dir, events, watcher } = setup(200);
    const file = path.join(dir, 'a.ts');
    await fs.writeFile(file, '0');
    watcher.watch([file]);
    for (let i = 1; i <= 3; i++) await fs.writeFile(file, String(i));
    await vi.waitFor(() => expect(events.onChange).toHaveBeenCalledTimes(1), { timeout: 5000, interval: 10 });
    await fs.writeFile(file, '4');
    await vi.waitFor(() => expect(events.onChange).toHaveBeenCalledTimes(2), { timeout: 5000, interval: 10 });
    expect(events.onError).not.toHaveBeenCalled();
  });

  test('other files of the folder are not told of; watching another set of files forgets the old one', async () => {
    const { dir, events, watcher } = setup(0);
    const [a, b] = [path.join(dir, 'a.ts'), path.join(dir, 'b.ts')];
    await fs.writeFile(a, '');
    await fs.writeFile(b, '');
    watcher.watch([a]);
    await writeAndSettle(b, 'x');
    expect(events.onChange).not.toHaveBeenCalled();
    watcher.watch([b]);
    await writeAndSettle(a, 'y');
    expect(events.onChange).not.toHaveBeenCalled();
    // With no debounce, the truncate and the write of one writeFile may be told apart on a busy machine.
    await fs.writeFile(b, 'z');
    await vi.waitFor(() => expect(events.onChange).toHaveBeenCalled(), { timeout: 5000, interval: 10 });
  });

  test('nothing is told after close, and watch does nothing any more', async () => {
    const { dir, events, watcher } = setup(0);
    const file = path.join(dir, 'a.ts');
    await fs.writeFile(file, '');
    watcher.watch([file]);
    watcher.close();
    watcher.watch([file]);
    await writeAndSettle(file, 'x');
    expect(events.onChange).not.toHaveBeenCalled();
  });

  test('a folder that cannot be watched is told as an error', () => {
    const { dir, events, watcher } = setup(0);
    watcher.watch([path.join(dir, 'missing', 'a.ts')]);
    expect(events.onError).toHaveBeenCalledTimes(1);
    expect((events.onError.mock.calls[0][0] as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
