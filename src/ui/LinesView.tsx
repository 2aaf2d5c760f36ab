import { Box, Text } from 'ink';
import { memo } from 'react';
import type { Line } from '../report/lines.js';

/**
 * One row. Memoised on the row itself: a laid-out verdict keeps its rows from frame to frame, so a frame that changes
 * something else (a spinner tick, a stage of the next grading) does not build their elements again.
 */
const Row = memo(function Row({ row }: { row: Line }) {
  return (
    <Text wrap="truncate-end">
      {row.length === 0
        ? ' '
        : row.map((span, j) => (
            <Text key={j} color={span.color} bold={span.bold} italic={span.italic} dimColor={span.dim} underline={span.underline} inverse={span.inverse}>
              {span.text}
            </Text>
          ))}
    </Text>
  );
});

/** Lines of spans, one terminal row each (a row longer than the screen is cut, never wrapped). */
export function LinesView({ lines }: { lines: Line[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((row, i) => (
        <Row key={i} row={row} />
      ))}
    </Box>
  );
}
