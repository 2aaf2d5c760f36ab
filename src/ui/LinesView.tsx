import { Box, Text } from 'ink';
import type { Line } from '../report/lines.js';

/** Lines of spans, one terminal row each (a row longer than the screen is cut, never wrapped). */
export function LinesView({ lines }: { lines: Line[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((row, i) => (
        <Text key={i} wrap="truncate-end">
          {row.length === 0
            ? ' '
            : row.map((span, j) => (
                <Text key={j} color={span.color} bold={span.bold} italic={span.italic} dimColor={span.dim} underline={span.underline} inverse={span.inverse}>
                  {span.text}
                </Text>
              ))}
        </Text>
      ))}
    </Box>
  );
}
