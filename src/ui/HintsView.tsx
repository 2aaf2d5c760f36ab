import { Box, Text } from 'ink';
import { escapeTerminal } from '../report/escape.js';

/** The hints revealed so far (they stay on screen), numbered out of the total. */
export function HintsView({ hints, revealed }: { hints: string[]; revealed: number }) {
  if (revealed === 0) return null;
  return (
    <Box flexDirection="column" borderStyle="single" borderColor="cyan" paddingX={1} marginTop={1}>
      {hints.slice(0, revealed).map((hint, i) => (
        <Text key={i} wrap="wrap">
          <Text bold color="cyan">
            Hint {i + 1}/{hints.length}:
          </Text>{' '}
          {escapeTerminal(hint)}
        </Text>
      ))}
    </Box>
  );
}
