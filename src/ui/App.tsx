import path from 'node:path';
import { Box, Text, useApp, useInput, useStdin } from 'ink';
import { useRef, useState } from 'react';
import type { ExerciseRef } from '../core/packs/packs.js';
import { countSolved } from '../core/workspace/progress.js';
import type { WatchSession, WatchSnapshot } from '../core/workspace/watch-session.js';
import { escapeTerminal, escapeTerminalLine as oneLine } from '../report/escape.js';
import { HintsView } from './HintsView.js';
import { ListView } from './ListView.js';
import { PackDone } from './PackDone.js';
import { ProgressBar } from './ProgressBar.js';
import { useSpinner } from './use-spinner.js';
import { useTerminalSize } from './use-terminal-size.js';
import { useKeys } from './use-keys.js';
import { useWatchSession } from './use-watch-session.js';
import { VerdictView } from './VerdictView.js';

type View = { kind: 'main' } | { kind: 'list' } | { kind: 'solution'; code: string };

const stageLabel: Record<string, string> = {
  starting: 'starting',
  cases: 'building cases',
  bundle: 'bundling your file',
  reference: 'computing the reference',
  sandbox: 'running your code',
  diagnose: 'diagnosing',
};

function Header({ snapshot, width }: { snapshot: WatchSnapshot; width: number }) {
  const { exercise, exercises, progress } = snapshot;
  const { solved, total } = countSolved(exercises, progress, exercise.packId);
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between" width={width}>
        <Text bold>{oneLine(exercise.pack.manifest.title)}</Text>
        <ProgressBar solved={solved} total={total} width={Math.min(20, Math.max(5, width - exercise.pack.manifest.title.length - 16))} />
      </Box>
      <Text bold color="cyan">
        {exercise.number}. {oneLine(exercise.title)} <Text dimColor>({oneLine(exercise.id)})</Text>
      </Text>
    </Box>
  );
}

function Status({ snapshot }: { snapshot: WatchSnapshot }) {
  const busy = snapshot.phase !== 'idle';
  const spinner = useSpinner(busy);
  if (busy) {
    return (
      <Text color="cyan">
        {spinner} {snapshot.phase === 'loading' ? 'loading the exercise' : `grading: ${stageLabel[snapshot.stage ?? 'starting'] ?? snapshot.stage}`}…
      </Text>
    );
  }
  return <Text dimColor>{snapshot.watching === 'manual' ? 'Press r to grade again.' : 'Watching your file: save to grade again.'}</Text>;
}

function Footer({ passed, manual }: { passed: boolean; manual: boolean }) {
  const keys: [string, string, boolean][] = [
    ['h', 'hint', true],
    ['n', 'next', passed],
    ['l', 'list', true],
    ['r', 're-run', true],
    ['s', 'solution', passed],
    ['o', 'open in editor', true],
    ['q', 'quit', true],
  ];
  return (
    <Text>
      {keys.map(([key, label, enabled]) => (
        <Text key={key} dimColor={!enabled}>
          <Text bold={enabled}>{key}</Text> {label}
          {'  '}
        </Text>
      ))}
      {manual && <Text dimColor>(manual run)</Text>}
    </Text>
  );
}

/** How the screen ended, which `waitUntilExit()` resolves with: q, or Ctrl-C (the shell expects exit code 130 for that). */
export type ExitReason = 'quit' | 'interrupt';

/** The interactive screen of `llm-tutor next`. Text from the workspace (paths, problems, notices, titles) is escaped for the terminal. */
export function App({ session, cwd = process.cwd() }: { session: WatchSession; cwd?: string }) {
  const snapshot = useWatchSession(session);
  const { exit } = useApp();
  const { setRawMode, isRawModeSupported } = useStdin();
  const { columns, rows } = useTerminalSize();
  const [view, setView] = useState<View>({ kind: 'main' });
  const width = Math.max(40, columns - 1);
  // Below 40 rows the screen goes compact so that it fits an 80×24 terminal.
  const compact = rows < 40;
  const passed = snapshot.verdict?.status === 'pass' && snapshot.verdict.exerciseKey === snapshot.exercise.key;
  const file = oneLine(path.relative(cwd, snapshot.learnerFile) || snapshot.learnerFile);

  // A terminal editor takes the terminal over: Ink's raw mode is off while it runs.
  const openEditor = () =>
    session.openEditor(cwd, {
      beforeTerminal: () => isRawModeSupported && setRawMode(false),
      afterTerminal: () => isRawModeSupported && setRawMode(true),
    });

  // Keys may arrive before Ink re-subscribes the handler after a render: read the latest view from a ref
  // and the latest snapshot from the session itself.
  const currentView = useRef(view);
  currentView.current = view;
  const show = (next: View) => {
    currentView.current = next;
    setView(next);
  };

  // Ink's own Ctrl-C handling is off (exitOnCtrlC: false) so that the screen can say how it ended: Ctrl-C
  // leaves the way q does, from every view, the list's included, and next exits with 130 as shells expect.
  useInput((input, key) => {
    if (key.ctrl && input === 'c') exit('interrupt' satisfies ExitReason);
  });

  useKeys(
    (input, key) => {
      const view = currentView.current;
      const snapshot = session.getSnapshot();
      const passed = session.passed;
      if (view.kind === 'solution') {
        if (key.escape || input === 's' || input === 'q') show({ kind: 'main' });
        return;
      }
      if (input === 'q') {
        exit('quit' satisfies ExitReason);
        return;
      }
      if (input === 'h') void session.revealHint();
      else if (input === 'n') {
        if (snapshot.packDone?.next) void session.jump(snapshot.packDone.next);
        else void session.goNext();
      } else if (input === 'l') show({ kind: 'list' });
      else if (input === 'r') void session.rerun();
      else if (input === 's') {
        if (!passed) session.setNotice('The model solution opens after your code passes.');
        else void session.solution().then((code) => code !== undefined && show({ kind: 'solution', code }));
      } else if (input === 'o') openEditor();
    },
    { isActive: view.kind !== 'list' },
  );

  if (view.kind === 'list') {
    return (
      <ListView
        exercises={snapshot.exercises}
        progress={snapshot.progress}
        currentKey={snapshot.exercise.key}
        height={rows}
        onJump={(ref: ExerciseRef) => {
          show({ kind: 'main' });
          void session.jump(ref);
        }}
        onReset={(ref: ExerciseRef) => void session.reset(ref)}
        onClose={() => show({ kind: 'main' })}
      />
    );
  }

  if (view.kind === 'solution') {
    return (
      <Box flexDirection="column" width={width}>
        <Text bold>Model solution of {oneLine(snapshot.exercise.id)}</Text>
        <Text>{escapeTerminal(view.code.trimEnd())}</Text>
        <Text dimColor>Esc or s: back</Text>
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={width}>
      <Header snapshot={snapshot} width={width} />
      {snapshot.packDone ? (
        <PackDone done={snapshot.packDone} exercises={snapshot.exercises} />
      ) : (
        <>
          {snapshot.lessonSummary && <Text wrap={compact ? 'truncate-end' : 'wrap'}>{escapeTerminal(snapshot.lessonSummary)}</Text>}
          <Text>
            Edit: <Text underline>{file}</Text>
            {!compact && <Text dimColor> · lesson: llm-tutor lesson {oneLine(snapshot.exercise.id)}</Text>}
          </Text>
          <Box marginTop={compact ? 0 : 1}>
            <Status snapshot={snapshot} />
          </Box>
          {snapshot.watchProblem && (
            <Text color="yellow" wrap="wrap">
              {oneLine(snapshot.watchProblem)}
            </Text>
          )}
          {snapshot.problem && (
            <Text color="red" wrap="wrap">
              {oneLine(snapshot.problem)}
            </Text>
          )}
          {snapshot.verdict && snapshot.verdict.exerciseKey === snapshot.exercise.key && (
            <Box marginTop={compact ? 0 : 1}>
              <VerdictView verdict={snapshot.verdict} width={width} cwd={cwd} compact={compact} />
            </Box>
          )}
          {passed && (
            <Text color="green" bold>
              Solved! Press n for the next exercise, s for the model solution.
            </Text>
          )}
          <HintsView hints={snapshot.hints} />
        </>
      )}
      {snapshot.notice && <Text color="yellow">{oneLine(snapshot.notice)}</Text>}
      <Box marginTop={1}>
        <Footer passed={passed || Boolean(snapshot.packDone?.next)} manual={snapshot.watching === 'manual'} />
      </Box>
    </Box>
  );
}
