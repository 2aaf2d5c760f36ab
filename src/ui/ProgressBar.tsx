import { Text } from 'ink';

/** `████░░░░ 2/5 solved`. */
export function ProgressBar({ solved, total, width = 20 }: { solved: number; total: number; width?: number }) {
  const filled = total === 0 ? 0 : Math.round((solved / total) * width);
  return (
    <Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(width - filled)}</Text>
      <Text> {solved}/{total} solved</Text>
    </Text>
  );
}
