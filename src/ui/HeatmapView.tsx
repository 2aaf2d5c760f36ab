import type { Heatmap } from '../core/grading/tensor-diff.js';
import { LinesView } from './LinesView.js';
import { heatmapLines } from '../report/diff-lines.js';

/** Where a matrix's mismatches are: one character per cell, red where wrong. */
export function HeatmapView({ heatmap }: { heatmap: Heatmap }) {
  return <LinesView lines={heatmapLines(heatmap)} />;
}
