import type { Verdict } from '../core/grading/verdict.js';
import { LinesView } from './LinesView.js';
import { stack } from './screen-layout.js';
import { verdictLine, verdictSections } from './verdict-lines.js';

/**
 * A whole verdict, every section one below the other: summary, cases, the
 * first failure, the diagnosis, notes and the learner's output (escaped).
 * The interactive screen lays the same sections out in panes when they do not fit.
 */
export function VerdictView({ verdict, width = 80, cwd = process.cwd(), compact = false }: { verdict: Verdict; width?: number; cwd?: string; compact?: boolean }) {
  return <LinesView lines={[verdictLine(verdict), ...stack(verdictSections(verdict, { width, cwd, compact }), !compact)]} />;
}
