import { Box, Text } from 'ink';
import type { RevealedHint } from '../core/workspace/hints.js';
import { escapeTerminal } from '../report/escape.js';

/** The hints revealed so far, in the order they were (they stay on screen), each with its label. */
export function HintsView({ hints }: { hints: readonly RevealedHint[] }) {
  if (hints.length === 0) return null;
  return (
    <Box flexDirection="column" borderStyle="single" borderColor="cyan" paddingX={1} marginTop={1}>
      {hints.map((hint, i) => (
        <Text key={i} wrap="wrap">
          <Text bold color="cyan">
            {escapeTerminal(hint.label)}:
          </Text>{' '}
          {escapeTerminal(hint.text)}
        </Text>
      ))}
    </Box>
  );
}
