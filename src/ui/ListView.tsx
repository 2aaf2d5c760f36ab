import { Box, Text } from 'ink';
import { useKeys } from './use-keys.js';
import { useRef, useState } from 'react';
import { trackOf, type ExerciseRef } from '../core/packs/packs.js';
import type { State } from '../core/common/schemas.js';
import { countSolved } from '../core/workspace/progress.js';
import { t } from '../i18n/i18n.js';
import { escapeTerminalLine as oneLine } from '../report/escape.js';

export type ListFilter = 'all' | 'unsolved' | 'solved';
const nextFilter: Record<ListFilter, ListFilter> = { all: 'unsolved', unsolved: 'solved', solved: 'all' };

/** The filter's name, as the heading says which exercises it shows. */
function filterName(filter: ListFilter): string {
  return filter === 'all' ? t`all` : filter === 'unsolved' ? t`unsolved` : t`solved`;
}

/** What the list says when the filter leaves no exercise. */
function noneShown(filter: ListFilter): string {
  return filter === 'all' ? t`No all exercises.` : filter === 'unsolved' ? t`No unsolved exercises.` : t`No solved exercises.`;
}

export interface ListViewProps {
  exercises: ExerciseRef[];
  progress: State;
  currentKey: string;
  height?: number;
  /** Columns to draw in: a row longer than that is cut. */
  width?: number;
  onJump: (ref: ExerciseRef) => void;
  onReset: (ref: ExerciseRef) => void;
  onClose: () => void;
}

/**
 * The pack and track of `ref`, with how many of the pack's exercises pass:
 * "Training (training 0.1.0) 3/23 passed · norms".
 */
export function whereIs(ref: ExerciseRef, exercises: readonly ExerciseRef[], progress: State): string {
  const { solved, total } = countSolved(exercises, progress, ref.packId);
  const track = trackOf(ref.id);
  const pack = t`${oneLine(ref.pack.manifest.title)} (${oneLine(ref.packId)} ${oneLine(ref.pack.manifest.version)}) ${solved}/${total} passed`;
  return `${pack}${track ? ` · ${oneLine(track)}` : ''}`;
}

/**
 * Every exercise with its status, and a line naming the selected one's pack and track. ↑/↓ or j/k move, Enter opens, f cycles the
 * filter (all, unsolved, solved), x resets after a y/n confirmation, Esc or l closes.
 */
export function ListView({ exercises, progress, currentKey, height = 24, width, onJump, onReset, onClose }: ListViewProps) {
  const [filter, setFilter] = useState<ListFilter>('all');
  const [cursor, setCursor] = useState(() => Math.max(0, exercises.findIndex((r) => r.key === currentKey)));
  const [confirming, setConfirming] = useState<ExerciseRef | undefined>();
  const status = (r: ExerciseRef) => progress.exercises[r.key]?.status ?? 'pending';
  const shown = exercises.filter((r) => filter === 'all' || (filter === 'solved') === (status(r) === 'passed'));
  const at = Math.min(cursor, Math.max(0, shown.length - 1));
  const selected = shown[at];

  // Keys may arrive before Ink re-subscribes the handler after a render: read the latest values from a ref.
  const live = useRef({ at, shown, selected, filter, confirming });
  live.current = { at, shown, selected, filter, confirming };

  useKeys((input, key) => {
    const { at, shown, selected, filter, confirming } = live.current;
    if (confirming) {
      if (input === 'y') {
        onReset(confirming);
        setConfirming(undefined);
        live.current.confirming = undefined;
      } else if (input === 'n' || key.escape) {
        setConfirming(undefined);
        live.current.confirming = undefined;
      }
      return;
    }
    const move = (to: number) => {
      setCursor(to);
      live.current.at = to;
      live.current.selected = shown[to];
    };
    if (key.upArrow || input === 'k') move(Math.max(0, at - 1));
    else if (key.downArrow || input === 'j') move(Math.min(shown.length - 1, at + 1));
    else if (key.return && selected) onJump(selected);
    else if (input === 'f') {
      setFilter(nextFilter[filter]);
      setCursor(0);
      live.current.filter = nextFilter[filter];
    } else if (input === 'x' && selected) {
      setConfirming(selected);
      live.current.confirming = selected;
    } else if (key.escape || input === 'l' || input === 'q') onClose();
  });

  // Two heading lines and the key bar, the frame's borders and the screen's own lines.
  const rows = Math.max(3, height - 7);
  const top = Math.max(0, Math.min(at - Math.floor(rows / 2), shown.length - rows));
  const { solved } = countSolved(exercises, progress);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">
        {t`Exercises`} <Text dimColor>{t`(${solved}/${exercises.length} solved; showing ${filterName(filter)})`}</Text>
      </Text>
      <Text dimColor wrap="truncate-end">
        {selected ? whereIs(selected, exercises, progress) : ' '}
      </Text>
      {shown.length === 0 && <Text dimColor>{noneShown(filter)}</Text>}
      {shown.slice(top, top + rows).map((r, i) => {
        const s = status(r);
        const icon = { passed: '✓', failed: '✗', changed: '~', pending: '·' }[s];
        const isSelected = top + i === at;
        return (
          <Text key={r.key} inverse={isSelected} wrap="truncate-end">
            {isSelected ? '›' : ' '}
            <Text color={{ passed: 'green', failed: 'red', changed: 'yellow', pending: undefined }[s]}>{icon}</Text> {String(r.number).padStart(3)} {oneLine(r.id).padEnd(30)} {oneLine(r.title)}
            {r.key === currentKey ? ' ←' : ''}
          </Text>
        );
      })}
      {confirming ? (
        <Text color="yellow" bold wrap="truncate-end">
          {t`Reset ${oneLine(confirming.id)} to its starter? Your file is backed up first. [y/N]`}
        </Text>
      ) : (
        <Text dimColor wrap="truncate-end">
          {t`↑↓/jk move · Enter open · f filter · x reset · Esc back`}
        </Text>
      )}
    </Box>
  );
}
