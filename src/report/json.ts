import type { ClassResult } from '../core/class/results.js';

/**
 * JSON that keeps NaN and ±Infinity, as the strings "NaN", "Infinity" and
 * "-Infinity" (docs/results-schema.md): the one encoding of every JSON the
 * tutor prints or writes for its users (--json, the json reporter).
 */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), indent);
}

/** The results file (docs/results-schema.md). */
export function renderJson(result: ClassResult): string {
  return `${toJson(result, 2)}\n`;
}
