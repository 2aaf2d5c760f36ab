import { Box, Text } from 'ink';
import type { TensorDiff } from '../core/grading/tensor-diff.js';
import { layoutWindow } from '../report/diff-layout.js';

const CELL = 10;

function pad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : ' '.repeat(width - text.length) + text;
}

/**
 * Expected vs got around the worst element, mismatches in red; fits `width`
 * columns. Compact: matrices side by side with at most three rows.
 */
export function DiffView({ diff, width = 80, compact = false }: { diff: TensorDiff; width?: number; compact?: boolean }) {
  const perGrid = compact ? Math.floor(width / 2) - 2 : width;
  const layout = layoutWindow(diff, Math.max(1, Math.floor((perGrid - 8) / CELL)), compact ? 3 : 5);
  if (layout.vector) {
    return (
      <Box flexDirection="column">
        <Text dimColor>{`${pad('index', 8)}${pad('expected', 14)}${pad('got', 14)}`}</Text>
        {layout.rowLabels.map((label, i) => {
          const bad = layout.got[i][0].bad;
          return (
            <Text key={label} color={bad ? 'red' : undefined}>
              {`${pad(label, 8)}${pad(layout.expected[i][0].text, 14)}${pad(layout.got[i][0].text, 14)}${bad ? '  ✗' : ''}`}
            </Text>
          );
        })}
      </Box>
    );
  }
  const header = `${' '.repeat(6)}${layout.columns.map((c) => pad(c, CELL)).join('')}`;
  const grid = (title: string, rows: typeof layout.got, highlight: boolean) => (
    <Box flexDirection="column">
      <Text bold>
        {title}
        {layout.slice ? ` ${layout.slice}` : ''}
      </Text>
      <Text dimColor>{header}</Text>
      {rows.map((row, i) => (
        <Text key={layout.rowLabels[i]}>
          <Text dimColor>{pad(layout.rowLabels[i], 4)}</Text>
          {'  '}
          {row.map((cell, j) => (
            <Text key={j} color={highlight && cell.bad ? 'red' : undefined}>
              {pad(cell.text, CELL)}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
  return (
    <Box flexDirection={compact ? 'row' : 'column'} gap={compact ? 2 : 0}>
      {grid('expected', layout.expected, false)}
      {grid('got', layout.got, true)}
    </Box>
  );
}
