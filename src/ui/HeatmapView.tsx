import { Box, Text } from 'ink';
import type { Heatmap } from '../core/grading/tensor-diff.js';
import { heatmapChar } from '../report/diff-layout.js';

/** Where a matrix's mismatches are: one character per cell, red where wrong. */
export function HeatmapView({ heatmap }: { heatmap: Heatmap }) {
  const scale = heatmap.cellRows > 1 || heatmap.cellCols > 1 ? `, each cell ${heatmap.cellRows}×${heatmap.cellCols}` : '';
  return (
    <Box flexDirection="column">
      <Text bold>
        where the errors are <Text dimColor>({heatmap.rows}×{heatmap.cols}{scale}; █ wrong, · right)</Text>
      </Text>
      {heatmap.cells.map((row, i) => (
        <Text key={i}>
          {'  '}
          {row.map((f, j) => (
            <Text key={j} color={f === 0 ? undefined : 'red'} dimColor={f === 0}>
              {heatmapChar(f)}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
