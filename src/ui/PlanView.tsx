import type { PlanDrawing } from '../core/authoring/kinds.js';
import { LinesView } from './LinesView.js';
import { planLines } from '../report/diff-lines.js';

/** A schedule exercise's plan as a grid (ranks × steps, stages × time); cells where the violated property shows are red and inverted. */
export function PlanView({ plan, width, compact = false }: { plan: PlanDrawing; width: number; compact?: boolean }) {
  return <LinesView lines={planLines(plan, width, compact)} />;
}
