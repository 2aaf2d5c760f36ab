import { t } from '../i18n/i18n.js';
import type { Line, Span } from '../report/lines.js';
import { textWidth, truncateLine } from '../report/wrap.js';
import type { PaneId, Section } from './verdict-lines.js';

/** Where the learner is in the body: the section jumped to last, and the first row shown. */
export interface BodyView {
  /** Set by a jump (tab, a digit); a new verdict starts at the preferred section instead. */
  section?: PaneId;
  /** The first row shown, counted in the stacked sections (undefined: the section's first row). */
  scroll?: number;
}

export interface BodyLayout {
  /** Exactly the rows to draw, never more than the height given. */
  lines: Line[];
  /** `all`: every section fits; `scroll`: the sections scroll under a line of section names. */
  mode: 'all' | 'scroll';
  /** Each section's id and first row, in order. */
  anchors: { id: PaneId; row: number }[];
  /** The section at the top of the view. */
  current?: PaneId;
  scroll: number;
  maxScroll: number;
  /** Rows shown at once: the step of a page down. */
  page: number;
}

/** The sections one below the other, with a blank row between them when `gap`. */
export function stack(sections: Section[], gap: boolean): Line[] {
  return sections.filter((s) => s.lines.length > 0).flatMap((s, i) => (gap && i > 0 ? [[], ...s.lines] : s.lines));
}

/** The line above a scrolling body: every section's number and name, the one at the top inverted, then where the view is (the first of `positions` that fits). */
export function sectionLine(sections: Section[], current: PaneId | undefined, positions: string[], width: number): Line {
  const names: Line = [];
  sections.forEach((section, i) => {
    if (i > 0) names.push({ text: ' · ', dim: true });
    names.push(section.id === current ? { text: ` ${i + 1} ${section.title} `, inverse: true, bold: true } : { text: `${i + 1} ${section.title}`, dim: true });
  });
  const used = names.reduce((n, span) => n + textWidth(span.text), 0);
  const tail = positions.map((text): Span => ({ text: `  ${text}`, dim: true })).find((span) => used + textWidth(span.text) <= width);
  return tail ? [...names, tail] : truncateLine(names, width);
}

/**
 * Lays out the body of a screen in `height` rows. The first of `variants`
 * (the same sections, laid out more and more compactly) whose stack fits is
 * shown whole; when none fits, `scrolled` (the sections laid out for reading
 * at length) scrolls under a line naming its sections, starting at the
 * section in `view` or the first of `prefer`. Never returns more rows than `height`.
 */
export function layoutBody(variants: Section[][], scrolled: Section[], height: number, view: BodyView, width: number, options: { gap: boolean; prefer?: PaneId[] }): BodyLayout {
  for (const sections of variants) {
    const stacked = stack(sections, options.gap);
    if (stacked.length <= height) return { lines: stacked, mode: 'all', anchors: [], scroll: 0, maxScroll: 0, page: height };
  }
  const sections = scrolled.filter((s) => s.lines.length > 0);
  const anchors: BodyLayout['anchors'] = [];
  const rows: Line[] = [];
  for (const section of sections) {
    if (rows.length > 0) rows.push([]);
    anchors.push({ id: section.id, row: rows.length });
    rows.push(...section.lines);
  }
  const room = Math.max(0, height - 1);
  if (room === 0) return { lines: [], mode: 'scroll', anchors, scroll: 0, maxScroll: 0, page: 1 };
  // The view may scroll until the last section is at the top, so that every section can be jumped to.
  const maxScroll = Math.max(rows.length - room, anchors[anchors.length - 1]?.row ?? 0);
  const jumpTo = [view.section, ...(options.prefer ?? [])].find((id) => anchors.some((a) => a.id === id));
  const start = view.scroll ?? anchors.find((a) => a.id === jumpTo)?.row ?? 0;
  const scroll = Math.min(Math.max(0, start), maxScroll);
  const current = [...anchors].reverse().find((a) => a.row <= scroll)?.id;
  const visible = rows.slice(scroll, scroll + room);
  const more = rows.length - scroll - visible.length;
  const where = more > 0 ? t`↓ ${more} more` : t`end`;
  return { lines: [sectionLine(sections, current, [t`${where} · ↑↓ scroll · tab: next`, where], width), ...visible], mode: 'scroll', anchors, current, scroll, maxScroll, page: room };
}
