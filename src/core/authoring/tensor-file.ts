/**
 * Weights in the safetensors format, for packs whose exercises take
 * model-sized inputs: an 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {...} }`,
 * then the tensors' raw little-endian bytes (offsets count from the end of
 * the header). Only float32 (`F32`) tensors are read.
 */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { UserError } from '../../errors.js';
import { plural } from '../common/words.js';
import { t } from '../../i18n/i18n.js';

/** One tensor of a file: its shape and its elements in row-major order. */
export interface TensorEntry {
  shape: number[];
  data: Float32Array;
}

/** The largest header read, in bytes: a header this size already names tens of thousands of tensors. */
const maxHeaderBytes = 1024 * 1024;
const littleEndian = os.endianness() === 'LE';

function problem(file: string, what: string): UserError {
  return new UserError(`${file}: ${what}`, { next: t('Write the file again as safetensors with float32 (F32) tensors, for example with `writeTensorFile` from llm-tutor/pack.') });
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** Elements of a tensor of this shape; undefined when the product is not a safe integer. */
function elementsOf(shape: number[]): number | undefined {
  let n = 1;
  for (const d of shape) n *= d;
  return Number.isSafeInteger(n) ? n : undefined;
}

function readExactly(fd: number, buffer: Uint8Array, position: number): number {
  let at = 0;
  while (at < buffer.length) {
    const n = readSync(fd, buffer, at, buffer.length - at, position + at);
    if (n === 0) break;
    at += n;
  }
  return at;
}

/**
 * Reads a safetensors file of float32 tensors. Returns each tensor by name,
 * its data in a Float32Array with a buffer of its own (read straight into
 * it, so aligned whatever its offset in the file). Throws a
 * UserError naming the file and the problem for anything else: another
 * dtype, a header over 1 MiB or not JSON, offsets outside the data, a byte
 * size that is not 4 × the shape's product, misaligned or overlapping data.
 */
export function readTensorFile(file: string): Record<string, TensorEntry> {
  return readTensorFileWithMetadata(file).tensors;
}

/**
 * Reads a safetensors file of float32 tensors with its `__metadata__`
 * (string values; an empty object when the file has none), checked as
 * `readTensorFile` checks the tensors.
 */
export function readTensorFileWithMetadata(file: string): { tensors: Record<string, TensorEntry>; metadata: Record<string, string> } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw problem(file, t`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw problem(file, t('is not a regular file'));
    const size = stat.size;
    if (size < 8) throw problem(file, t`is ${plural(size, 'byte')} long, too short for a safetensors header`);
    const head = new Uint8Array(8);
    readExactly(fd, head, 0);
    const headerBytes = new DataView(head.buffer).getBigUint64(0, true);
    if (headerBytes > BigInt(maxHeaderBytes)) throw problem(file, t`its header is ${headerBytes} bytes long (the limit is ${maxHeaderBytes}, 1 MiB)`);
    const headerLength = Number(headerBytes);
    if (8 + headerLength > size) throw problem(file, t`its header is ${plural(headerLength, 'byte')} long, past the end of the file (${plural(size, 'byte')})`);
    const headerText = Buffer.alloc(headerLength);
    readExactly(fd, headerText, 8);
    let header: unknown;
    try {
      header = JSON.parse(headerText.toString('utf8'));
    } catch (error) {
      throw problem(file, t`its header is not valid JSON (${(error as Error).message})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw problem(file, t('its header is not a JSON object'));

    const rawMetadata = (header as Record<string, unknown>).__metadata__ ?? {};
    if (typeof rawMetadata !== 'object' || rawMetadata === null || Array.isArray(rawMetadata) || !Object.values(rawMetadata).every((v) => typeof v === 'string')) {
      throw problem(file, t('its "__metadata__" is not an object of strings'));
    }
    const metadata = { ...(rawMetadata as Record<string, string>) };
    const dataStart = 8 + headerLength;
    const dataBytes = size - dataStart;
    const spans: { name: string; begin: number; end: number; shape: number[] }[] = [];
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw problem(file, t`tensor "${name}" is not an object in the header`);
      const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
      if (dtype !== 'F32') throw problem(file, t`tensor "${name}" has dtype ${JSON.stringify(dtype)}; only F32 (float32) tensors can be read`);
      if (!Array.isArray(shape) || !shape.every(isCount)) throw problem(file, t`tensor "${name}" has no valid shape (a list of non-negative integers)`);
      if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
        throw problem(file, t`tensor "${name}" has no valid data_offsets ([begin, end], 0 ≤ begin ≤ end)`);
      }
      const [begin, end] = offsets as [number, number];
      if (end > dataBytes) throw problem(file, t`tensor "${name}" has data_offsets [${begin}, ${end}] outside the file's ${plural(dataBytes, 'byte')} of data`);
      const elements = elementsOf(shape);
      if (elements === undefined || end - begin !== elements * 4) {
        const held = plural(end - begin, 'byte');
        throw problem(file, elements === undefined ? t`tensor "${name}" holds ${held}, but shape [${shape.join(', ')}] of float32 needs more than can be read` : t`tensor "${name}" holds ${held}, but shape [${shape.join(', ')}] of float32 needs ${elements * 4}`);
      }
      if (begin % 4 !== 0) throw problem(file, t`tensor "${name}" starts at byte ${begin} of the data, not a multiple of 4 (misaligned float32 data)`);
      spans.push({ name, begin, end, shape });
    }
    const ordered = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
    for (let i = 1; i < ordered.length; i++) {
      const [a, b] = [ordered[i - 1], ordered[i]];
      if (b.begin < a.end) throw problem(file, t`tensors "${a.name}" and "${b.name}" overlap (bytes [${a.begin}, ${a.end}) and [${b.begin}, ${b.end}) of the data)`);
    }

    const out: Record<string, TensorEntry> = {};
    for (const { name, begin, end, shape } of spans) {
      const data = new Float32Array((end - begin) / 4);
      const bytes = new Uint8Array(data.buffer);
      if (readExactly(fd, bytes, dataStart + begin) !== bytes.length) throw problem(file, t`tensor "${name}" ends past the end of the file (it changed while being read?)`);
      if (!littleEndian) {
        const view = new DataView(data.buffer);
        for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
      }
      Object.defineProperty(out, name, { value: { shape: [...shape], data }, enumerable: true, writable: true, configurable: true });
    }
    return { tensors: out, metadata };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes float32 tensors as a safetensors file: for tests and for pack
 * authors' scripts that prepare weights. Tensors are laid out one after
 * another in the order given; the header is padded with spaces to a multiple
 * of 8 bytes, as the safetensors library writes it. `metadata` goes into
 * `__metadata__` (string values only, as the format wants).
 */
export function writeTensorFile(file: string, tensors: Record<string, TensorEntry>, metadata?: Record<string, string>): void {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new UserError(t`${file}: "__metadata__" cannot name a tensor`);
    if (!(data instanceof Float32Array)) throw new UserError(t`${file}: tensor "${name}" must be a Float32Array`);
    if (!Array.isArray(shape) || !shape.every(isCount) || elementsOf(shape) !== data.length) {
      throw new UserError(t`${file}: tensor "${name}" has ${plural(data.length, 'element')}, which does not fit shape [${String(shape)}]`);
    }
    let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (!littleEndian) {
      const copy = new DataView(new ArrayBuffer(data.byteLength));
      for (let i = 0; i < data.length; i++) copy.setFloat32(i * 4, data[i], true);
      bytes = new Uint8Array(copy.buffer);
    }
    header[name] = { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, ' ');
  json.copy(padded);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  writeFileSync(file, Buffer.concat([length, padded, ...parts]));
}
