import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { FileError, formatIssuePath, UserError } from '../../errors.js';
import { readLimits, readRegularFile } from './safe-read.js';
import { schemaMessage } from './schemas.js';
import { t } from '../../i18n/i18n.js';

/** Turns zod issues into `{ path, message }` pairs a person can act on. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): { path: string; message: string }[] {
  return issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      message = issue.keys.length > 1 ? t`unknown fields ${keys}: remove them or check the spelling` : t`unknown field ${keys}: remove it or check the spelling`;
    } else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
      message = t`is missing (expected ${issue.expected})`;
    } else {
      message = schemaMessage(message);
    }
    return { path: formatIssuePath(issue.path), message };
  });
}

/** Whether parsing the first `length` characters of `text` meets an error inside them (not just their end). */
function failsWithin(text: string, length: number): boolean {
  try {
    JSON.parse(text.slice(0, length));
    return false;
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    if (position) return Number(position[1]) < length;
    return !/Unexpected end/.test(message);
  }
}

/**
 * Where in `text` the JSON parser stopped. The engine's message gives an
 * offset, or says the text ended early, or quotes the text around a bad
 * character (and so is never shown: the file may hold anything); then the
 * offset is found as the shortest prefix that fails inside itself.
 */
export function jsonErrorOffset(text: string, error: Error): number | undefined {
  const position = /position (\d+)/.exec(error.message);
  if (position) return Number(position[1]);
  if (/Unexpected end/.test(error.message)) return text.length;
  if (!failsWithin(text, text.length)) return undefined;
  let low = 0;
  let high = text.length;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (failsWithin(text, middle)) high = middle;
    else low = middle;
  }
  return high - 1;
}

/** "invalid JSON at line L, column C", never quoting the text itself. */
export function describeJsonError(text: string, error: Error): string {
  const offset = jsonErrorOffset(text, error);
  if (offset === undefined) return t('invalid JSON');
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return t`invalid JSON at line ${line}, column ${column}`;
}

/** Parses JSON text and validates it; errors name `label` (a file path) and the field. */
export function parseJsonWith<T extends z.ZodType>(text: string, schema: T, label: string, next?: string): z.infer<T> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FileError(label, [{ path: '', message: describeJsonError(text, error as Error) }], next);
  }
  const result = schema.safeParse(data);
  if (!result.success) throw new FileError(label, describeZodIssues(result.error.issues), next);
  return result.data;
}

/**
 * Reads and validates a JSON file through {@link readRegularFile}: a missing
 * file, a link, a FIFO, a device or a file over `maxBytes` (default 1 MiB) is
 * a user error naming the file. `fix` says what to do about a refused file.
 */
export async function readJsonFile<T extends z.ZodType>(
  file: string,
  schema: T,
  options: { label?: string; next?: string; fix?: string; maxBytes?: number; within?: string } = {},
): Promise<z.infer<T>> {
  const label = options.label ?? file;
  const text = await readRegularFile(file, { label, maxBytes: options.maxBytes ?? readLimits.config, fix: options.fix ?? t('replace it with the file itself'), within: options.within });
  if (text === undefined) throw new UserError(t`${label}: file not found`, { next: options.next });
  return parseJsonWith(text, schema, label, options.next);
}

/**
 * Writes a file atomically: a temp file in the same folder, flushed, then renamed
 * over the target, so a reader sees the old or the new content, never a torn one.
 * The file gets `mode` when given, else the mode of the file it replaces, else
 * the usual mode for a new file. With a mode, the temp file is created 0600 and
 * given that mode before the rename, so it is never readable more widely.
 */
export async function writeFileAtomic(file: string, content: string, options: { mode?: number } = {}): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  let mode = options.mode;
  if (mode === undefined) {
    const existing = await fs.lstat(file).catch(() => undefined);
    if (existing?.isFile()) mode = existing.mode & 0o777;
  }
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`);
  // 'wx': a new file, never one that is already there (nor a link's target).
  const handle = await fs.open(temp, 'wx', mode === undefined ? 0o666 : 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    if (mode !== undefined) await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
