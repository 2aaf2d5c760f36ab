import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { FileError, formatIssuePath, UserError } from '../errors.js';

/** Turns zod issues into `{ path, message }` pairs a person can act on. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): { path: string; message: string }[] {
  return issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
    } else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
      message = `is missing (expected ${issue.expected})`;
    }
    return { path: formatIssuePath(issue.path), message };
  });
}

/** Where in `text` the JSON parser stopped, as "line L, column C" when the engine says. */
function jsonErrorPosition(text: string, error: Error): string {
  const match = /position (\d+)/.exec(error.message);
  if (!match) {
    // Some messages quote the damaged text: keep them to one short line.
    const oneLine = error.message.replace(/\s+/g, ' ').trim();
    return `invalid JSON (${oneLine.length > 120 ? `${oneLine.slice(0, 119)}…` : oneLine})`;
  }
  const offset = Number(match[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `invalid JSON at line ${line}, column ${column}`;
}

/** Parses JSON text and validates it; errors name `label` (a file path) and the field. */
export function parseJsonWith<T extends z.ZodType>(text: string, schema: T, label: string, next?: string): z.infer<T> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FileError(label, [{ path: '', message: jsonErrorPosition(text, error as Error) }], next);
  }
  const result = schema.safeParse(data);
  if (!result.success) throw new FileError(label, describeZodIssues(result.error.issues), next);
  return result.data;
}

/** Reads and validates a JSON file; missing or unreadable files are user errors naming the file. */
export async function readJsonFile<T extends z.ZodType>(file: string, schema: T, options: { label?: string; next?: string } = {}): Promise<z.infer<T>> {
  const label = options.label ?? file;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${label}: file not found`, { next: options.next });
    if (code === 'EACCES') throw new UserError(`${label}: permission denied when reading`, { next: 'Check the file permissions.' });
    if (code === 'EISDIR') throw new UserError(`${label}: is a folder, expected a JSON file`);
    throw error;
  }
  return parseJsonWith(text, schema, label, options.next);
}

/**
 * Writes a file atomically: a temp file in the same folder, flushed, then renamed
 * over the target, so a reader sees the old or the new content, never a torn one.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`);
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
