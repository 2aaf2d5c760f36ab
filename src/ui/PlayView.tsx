import React, { useSyncExternalStore } from 'react';
import { Box, Text, useApp } from 'ink';
import { t } from '../i18n/i18n.js';
import type { PlayController } from '../mini-gpt/play-controller.js';
import { graphemeWidths } from '../report/text-width.js';
import { useKeys } from './use-keys.js';
import { useTerminalSize } from './use-terminal-size.js';

/** The lines of `text` wrapped at `width` columns (CJK characters take two). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    for (const { grapheme, width: w } of graphemeWidths(paragraph)) {
      if (used + w > width) {
        lines.push(line);
        line = '';
        used = 0;
      }
      line += grapheme;
      used += w;
    }
    lines.push(line);
  }
  return lines;
}

/** The settings' steps: the keys move through them. */
export const topKSteps = [undefined, 1, 5, 10, 20, 40] as const;
export const topPSteps = [undefined, 0.5, 0.8, 0.9, 0.95] as const;

const nextOf = <T,>(steps: readonly T[], value: T): T => steps[(steps.indexOf(value) + 1) % steps.length];

export interface PlayViewProps {
  controller: PlayController;
  /** The model's name and size, for the title. */
  title: string;
  /** Token ids as text. */
  decode: (tokens: readonly number[]) => string;
}

/** Where two token lists first differ, or undefined when the shorter is a prefix of the longer. */
export function firstDifference(a: readonly number[], b: readonly number[]): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return undefined;
}

/** `llm-tutor play`'s screen: the text streaming in, the reference beside it on `c`, the settings and the speed. */
export function PlayView({ controller, title, decode }: PlayViewProps): React.ReactElement {
  const snap = useSyncExternalStore(controller.subscribe, controller.getSnapshot);
  const { columns, rows } = useTerminalSize();
  const { exit } = useApp();

  useKeys((input, key) => {
    const { settings } = controller.getSnapshot();
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) {
      void controller.stop().then(() => exit());
    } else if (key.upArrow || input === '+' || input === '=') {
      controller.setSettings({ temperature: Math.min(2, Math.round((settings.temperature + 0.1) * 10) / 10) });
    } else if (key.downArrow || input === '-') {
      controller.setSettings({ temperature: Math.max(0, Math.round((settings.temperature - 0.1) * 10) / 10) });
    } else if (input === 'k') {
      controller.setSettings({ topK: nextOf<number | undefined>(topKSteps, settings.topK) });
    } else if (input === 'p') {
      controller.setSettings({ topP: nextOf<number | undefined>(topPSteps, settings.topP) });
    } else if (input === 'r') {
      void controller.regenerate();
    } else if (input === 'c') {
      controller.toggleCompare();
    }
  });

  const width = Math.max(20, columns);
  const textRows = Math.max(3, rows - 8);
  const prompt = decode(snap.prompt);
  const paneWidth = snap.compare ? Math.floor((width - 3) / 2) : width;
  const pane = (tokens: readonly number[]) => {
    const lines = wrapText(prompt + decode(tokens), paneWidth);
    return lines.slice(-textRows);
  };
  const mine = pane(snap.learner);
  const theirs = snap.compare ? pane(snap.reference) : [];
  const s = snap.settings;
  const settingsLine = [
    s.temperature === 0 ? t`temperature ${s.temperature.toFixed(1)} (greedy)` : t`temperature ${s.temperature.toFixed(1)}`,
    `top-k ${s.topK ?? t`off`}`,
    `top-p ${s.topP ?? t`off`}`,
    snap.tokensPerSecond !== undefined ? t`${Math.round(snap.tokensPerSecond)} tokens/s` : t`starting…`,
    ...(snap.firstTokenMs !== undefined ? [t`first tokens ${Math.round(snap.firstTokenMs)} ms`] : []),
    `${snap.learner.length}/${snap.limit}`,
  ].join(' · ');
  const shown = Math.min(snap.learner.length, snap.reference.length);
  const differ = firstDifference(snap.learner.slice(0, shown), snap.reference.slice(0, shown));
  const agreement = !snap.compare
    ? undefined
    : differ === undefined
      ? { color: 'green', text: t`your code and the reference agree on all ${shown} tokens so far` }
      : { color: 'yellow', text: t`your code and the reference part at token ${differ + 1} (same uniform numbers, same settings)` };

  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        {title}
      </Text>
      {snap.compare ? (
        <Box>
          <Box flexDirection="column" width={paneWidth}>
            <Text dimColor>{t`your code`}</Text>
            {mine.map((line, i) => (
              <Text key={i} wrap="truncate">
                {line || ' '}
              </Text>
            ))}
          </Box>
          <Box width={3} />
          <Box flexDirection="column" width={paneWidth}>
            <Text dimColor>{t`reference (TensorFlow.js)`}</Text>
            {theirs.map((line, i) => (
              <Text key={i} wrap="truncate">
                {line || ' '}
              </Text>
            ))}
          </Box>
        </Box>
      ) : (
        <Box flexDirection="column">
          {mine.map((line, i) => (
            <Text key={i} wrap="truncate">
              {line || ' '}
            </Text>
          ))}
        </Box>
      )}
      {agreement && <Text color={agreement.color}>{agreement.text}</Text>}
      {snap.status === 'error' && <Text color="red">{snap.error}</Text>}
      {snap.status === 'done' && <Text color="green">{t`Done: ${snap.learner.length} tokens. r for another text.`}</Text>}
      <Text dimColor wrap="wrap">
        {settingsLine}
      </Text>
      <Text wrap="truncate">
        <Text bold>↑↓</Text> {t`temperature`}  <Text bold>k</Text> top-k  <Text bold>p</Text> top-p  <Text bold>r</Text> {t`regenerate`}  <Text bold>c</Text> {t`compare`}  <Text bold>q</Text> {t`quit`}
      </Text>
    </Box>
  );
}
