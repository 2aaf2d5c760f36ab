import { Box, Text } from 'ink';
import type { ExerciseRef } from '../core/packs/packs.js';
import { plural } from '../core/common/words.js';
import type { WatchSnapshot } from '../core/workspace/watch-session.js';
import { escapeTerminal, escapeTerminalLine as oneLine } from '../report/escape.js';

/** A finished pack: what was learned, and what comes next. */
export function PackDone({ done, exercises }: { done: NonNullable<WatchSnapshot['packDone']>; exercises: ExerciseRef[] }) {
  const learned = exercises.filter((r) => r.packId === done.packId);
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="green" paddingX={1}>
      <Text bold color="green">
        {oneLine(done.title)}: all {plural(done.total, 'exercise passes', 'exercises pass')}.
      </Text>
      {done.description && <Text wrap="wrap">{escapeTerminal(done.description)}</Text>}
      <Box flexDirection="column" marginTop={1}>
        <Text bold>What you built</Text>
        {learned.map((r) => (
          <Text key={r.key}>
            <Text color="green">✓</Text> {oneLine(r.title)} <Text dimColor>({oneLine(r.id)})</Text>
          </Text>
        ))}
      </Box>
      <Box marginTop={1}>
        {done.next ? (
          <Text>
            Next: <Text bold>{oneLine(done.next.title)}</Text> <Text dimColor>({oneLine(done.next.key)})</Text> — press n.
          </Text>
        ) : (
          <Text wrap="wrap">
            Every enabled exercise passes. Next: add another pack to llm-tutor.json, or revisit any exercise from the list (l) and try a new --seed.
          </Text>
        )}
      </Box>
    </Box>
  );
}
