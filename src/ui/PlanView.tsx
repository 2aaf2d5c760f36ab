import { Box, Text } from 'ink';
import type { PlanDrawing } from '../core/authoring/kinds.js';
import { layoutPlan } from '../report/plan-layout.js';

/** A schedule exercise's plan as a grid (ranks × steps, stages × time); cells where the violated property shows are red and inverted. */
export function PlanView({ plan, width, compact = false }: { plan: PlanDrawing; width: number; compact?: boolean }) {
  const layout = layoutPlan(plan, width, compact ? 6 : 12);
  const pad = (text: string, n: number) => text.padEnd(n);
  return (
    <Box flexDirection="column">
      <Text dimColor>{layout.headerLine}</Text>
      {layout.rows.map((row, i) => (
        <Text key={i}>
          <Text dimColor>{pad(row.label, layout.labelWidth)}</Text>
          {row.cells.map((cell, j) => (
            <Text key={j}>
              {' '}
              <Text color={cell.marked ? 'red' : undefined} inverse={cell.marked}>
                {pad(cell.text || '·', layout.cellWidth)}
              </Text>
            </Text>
          ))}
        </Text>
      ))}
      {layout.cut && <Text dimColor>{layout.cut}</Text>}
    </Box>
  );
}
