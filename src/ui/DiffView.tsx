import type { TensorDiff } from '../core/grading/tensor-diff.js';
import { LinesView } from './LinesView.js';
import { diffLines } from '../report/diff-lines.js';

/** Expected vs got around the worst element, mismatches in red; fits `width` columns. Compact: matrices side by side with at most three rows. */
export function DiffView({ diff, width = 80, compact = false }: { diff: TensorDiff; width?: number; compact?: boolean }) {
  return <LinesView lines={diffLines(diff, width, compact)} />;
}
