import type { RevealedHint } from '../core/workspace/hints.js';
import { LinesView } from './LinesView.js';
import { hintLines } from './verdict-lines.js';

/** The hints revealed so far, in the order they were (they stay on screen), each with its label. */
export function HintsView({ hints, width = 80 }: { hints: readonly RevealedHint[]; width?: number }) {
  return <LinesView lines={hintLines(hints, width)} />;
}
