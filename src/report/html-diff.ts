import { z } from 'zod';
import { layoutWindow, type LayoutCell } from './diff-layout.js';
import { t } from '../i18n/i18n.js';
import { escapeHtml } from './escape.js';

// In memory NaN and ±Infinity are numbers (which z.number() refuses); a results file keeps them as strings (json.ts).
const number = z.union([z.custom<number>((v) => typeof v === 'number'), z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)]);
const grid = <T extends z.ZodType>(cell: T) => z.array(z.array(cell));

const windowSchema = z
  .object({ rowStart: z.number().int(), colStart: z.number().int(), slice: z.array(z.number().int()).optional(), expected: grid(number), got: grid(number), mismatch: grid(z.boolean()) })
  .refine((w) => [w.got, w.mismatch].every((other) => other.length === w.expected.length && other.every((row, i) => row.length === w.expected[i].length)));

/** The part of a result's `diff` (a comparison's Mismatch) the report shows; anything else is shown by its message alone. */
const shownDiffSchema = z.union([
  z.object({ kind: z.literal('values'), message: z.string(), diff: z.object({ shape: z.array(z.number().int()), worst: z.array(z.number().int()), total: z.number(), window: windowSchema }) }),
  z.object({ kind: z.literal('sequence'), message: z.string(), diff: z.object({ expectedContext: z.string(), gotContext: z.string() }) }),
  z.object({ kind: z.enum(['type', 'scalar']), message: z.string(), expected: z.string(), got: z.string() }),
  z.object({ kind: z.literal('shape'), message: z.string(), expected: z.array(z.number()), got: z.array(z.number()) }),
]);
type ShownDiff = z.infer<typeof shownDiffSchema>;

/** A row of cells; the mismatched ones marked where `highlight` (the learner's values, not the expected ones). */
function cells(row: LayoutCell[], highlight: boolean): string {
  return row.map((c) => `<td${highlight && c.bad ? ' class="bad"' : ''}>${escapeHtml(c.text)}</td>`).join('');
}

/** Expected vs got around the worst element: one row per element of a vector, two grids for a matrix. */
function valuesTable(diff: Extract<ShownDiff, { kind: 'values' }>['diff']): string {
  const layout = layoutWindow(diff);
  if (layout.vector) {
    const rows = layout.rowLabels.map((label, i) => `<tr><th scope="row">${escapeHtml(label)}</th>${cells(layout.expected[i], false)}${cells(layout.got[i], true)}</tr>`);
    return `<table class="diff"><thead><tr><th>${t`index`}</th><th>${t`expected`}</th><th>${t`got`}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }
  const head = `<thead><tr><th></th>${layout.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>`;
  const matrix = (title: string, values: LayoutCell[][], highlight: boolean) =>
    `<table class="diff"><caption>${title}${layout.slice ? ` ${escapeHtml(layout.slice)}` : ''}</caption>${head}<tbody>${values.map((row, i) => `<tr><th scope="row">${escapeHtml(layout.rowLabels[i])}</th>${cells(row, highlight)}</tr>`).join('')}</tbody></table>`;
  return `${matrix(t`expected`, layout.expected, false)}${matrix(t`got`, layout.got, true)}`;
}

function expectedGot(expected: string, got: string): string {
  return `<dl class="expected-got"><dt>${t`expected`}</dt><dd><code>${escapeHtml(expected)}</code></dd><dt>${t`got`}</dt><dd><code class="got">${escapeHtml(got)}</code></dd></dl>`;
}

function diffDetail(d: ShownDiff): string {
  switch (d.kind) {
    case 'values':
      return d.diff.total > 1 ? valuesTable(d.diff) : '';
    case 'sequence':
      return expectedGot(d.diff.expectedContext, d.diff.gotContext);
    case 'shape':
      return expectedGot(`[${d.expected.join(', ')}]`, `[${d.got.join(', ')}]`);
    default:
      return expectedGot(d.expected, d.got);
  }
}

/** The comparison's message as a paragraph, unless `said` (text shown already) holds it. */
function messageOf(message: string, said: string): string {
  return said.includes(message) ? '' : `<p>${escapeHtml(message)}</p>`;
}

/**
 * The comparison of a result's first failing case, as HTML: its message
 * (unless `said` already holds it), then expected vs got (a window of values,
 * the context of a sequence, two types or shapes). A `diff` the report cannot
 * read shows its message only, or nothing. Every text is escaped: learner
 * values are quoted in it.
 */
export function renderDiff(diff: unknown, said = ''): string {
  const parsed = shownDiffSchema.safeParse(diff);
  if (parsed.success) return `${messageOf(parsed.data.message, said)}${diffDetail(parsed.data)}`;
  const message = z.object({ message: z.string() }).safeParse(diff);
  return message.success ? messageOf(message.data.message, said) : '';
}
