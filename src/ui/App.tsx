import path from 'node:path';
import { Box, Text, useApp, useInput, useStdin, type Key } from 'ink';
import { useMemo, useRef, useState } from 'react';
import { tutorCommand } from '../core/common/invocation.js';
import { t } from '../i18n/i18n.js';
import { plural } from '../core/common/words.js';
import type { ExerciseRef } from '../core/packs/packs.js';
import { countSolved } from '../core/workspace/progress.js';
import type { WatchSession, WatchSnapshot } from '../core/workspace/watch-session.js';
import { escapeTerminalLine as oneLine } from '../report/escape.js';
import { line, type Line } from '../report/lines.js';
import { textWidth, truncateLine, truncateText, wrapLines } from '../report/wrap.js';
import { LinesView } from './LinesView.js';
import { ListView } from './ListView.js';
import { layoutBody, stack, type BodyLayout, type BodyView } from './screen-layout.js';
import { useSpinner } from './use-spinner.js';
import { useTerminalSize } from './use-terminal-size.js';
import { useKeys } from './use-keys.js';
import { useWatchSession } from './use-watch-session.js';
import { afterPassSectionsOf, diagnosisHeading, hintLines, verdictLine, verdictSections, type PaneId, type Section } from './verdict-lines.js';

type View = { kind: 'main' } | { kind: 'list' } | { kind: 'solution'; code: string };

/** What a grading is doing, by its stage (in the current locale: called when shown). */
function stageLabel(stage: string): string {
  switch (stage) {
    case 'starting':
      return t`starting`;
    case 'cases':
      return t`building cases`;
    case 'bundle':
      return t`bundling your file`;
    case 'reference':
      return t`computing the reference`;
    case 'sandbox':
      return t`running your code`;
    case 'diagnose':
      return t`diagnosing`;
    default:
      return stage;
  }
}

/** The pack's title and the progress bar on one row, the exercise's number and title on the next. */
function headerLines(snapshot: WatchSnapshot, width: number): Line[] {
  const { exercise, exercises, progress } = snapshot;
  const { solved, total } = countSolved(exercises, progress, exercise.packId);
  const count = ` ${t`${solved}/${total} solved`}`;
  const countWidth = textWidth(count);
  const title = truncateText(oneLine(exercise.pack.manifest.title), Math.max(10, width - countWidth - 8));
  const barWidth = Math.min(20, Math.max(5, width - textWidth(title) - countWidth - 2));
  const filled = total === 0 ? 0 : Math.round((solved / total) * barWidth);
  const gap = Math.max(1, width - textWidth(title) - barWidth - countWidth);
  return [
    [{ text: title, bold: true }, { text: ' '.repeat(gap) }, { text: '█'.repeat(filled), color: 'green' }, { text: '░'.repeat(barWidth - filled), dim: true }, { text: count }],
    truncateLine([{ text: `${exercise.number}. ${oneLine(exercise.title)} `, bold: true, color: 'cyan' }, { text: `(${oneLine(exercise.id)})`, dim: true }], width),
  ];
}

function statusText(snapshot: WatchSnapshot, spinner: string): Line {
  if (snapshot.phase !== 'idle') {
    const doing = snapshot.phase === 'loading' ? t`loading the exercise` : t`grading: ${stageLabel(snapshot.stage ?? 'starting')}`;
    return line(`${spinner} ${doing}…`, { color: 'cyan' });
  }
  return line(snapshot.watching === 'manual' ? t`Press r to grade again.` : t`Watching your file: save to grade again.`, { dim: true });
}

/**
 * A key of the key bar: the key and its label in one phrase ("h hint": the key
 * is the first word), whether it does something now, and the label shortened
 * (by default the label's first word).
 */
type BarKey = [phrase: string, enabled: boolean, short?: string];

/** The key bar: every key with its label, the ones that do nothing now dimmed; labels shortened, then dropped, to fit the width. */
function keyBar(keys: BarKey[], width: number, extra?: string): Line {
  const parsed = keys.map(([phrase, enabled, short]) => {
    const [key, ...words] = phrase.split(' ');
    return { key, label: words.join(' '), enabled, short };
  });
  for (const form of ['long', 'short', 'keys'] as const) {
    const row: Line = [];
    for (const { key, label, enabled, short } of parsed) {
      const shown = form === 'long' ? label : form === 'short' ? (short ?? label.split(' ')[0]) : '';
      row.push({ text: key, bold: enabled, dim: !enabled }, { text: `${shown ? ` ${shown}` : ''}  `, dim: !enabled });
    }
    if (extra) row.push({ text: extra, dim: true });
    if (row.reduce((n, span) => n + textWidth(span.text), 0) <= width) return row;
  }
  return truncateLine(parsed.map(({ key }) => ({ text: `${key} ` })), width);
}

/** A finished pack: what was learned, and what comes next. */
function packDoneLines(done: NonNullable<WatchSnapshot['packDone']>, exercises: ExerciseRef[], width: number): Line[] {
  const learned = exercises.filter((r) => r.packId === done.packId);
  return [
    line(t`${oneLine(done.title)}: all ${plural(done.total, 'exercise passes', 'exercises pass')}.`, { bold: true, color: 'green' }),
    ...(done.description ? wrapLines(oneLine(done.description), width) : []),
    [],
    ...(done.next
      ? [truncateLine([{ text: t`Next: ` }, { text: oneLine(done.next.title), bold: true }, { text: ` (${oneLine(done.next.key)})`, dim: true }, { text: t` — press n.` }], width)]
      : wrapLines(t`Every enabled exercise passes. Next: add another pack to llm-tutor.json, or revisit any exercise from the list (l) and try a new --seed.`, width)),
    [],
    line(t`What you built`, { bold: true }),
    ...learned.map((r): Line => truncateLine([{ text: '✓ ', color: 'green' }, { text: `${oneLine(r.title)} ` }, { text: `(${oneLine(r.id)})`, dim: true }], width)),
  ];
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
  const [body, setBody] = useState<BodyView>({});
  const [expanded, setExpanded] = useState(false);
  const spinner = useSpinner(snapshot.phase !== 'idle');
  const width = Math.max(20, columns - 1);
  // Below 40 rows the screen goes compact (cases as a strip, the diff side by side); whatever still does not fit goes into panes.
  const compact = rows < 40;
  const passed = snapshot.verdict?.status === 'pass' && snapshot.verdict.exerciseKey === snapshot.exercise.key;
  // A course build of a pack has no model solutions to offer.
  const solutionShown = passed && snapshot.exercise.pack.manifest.solutions !== false;
  const file = oneLine(path.relative(cwd, snapshot.learnerFile) || snapshot.learnerFile);
  // Laying out a verdict (and, after a pass, the lesson's closing sections) is most of a frame's work: it is done once per
  // verdict and size, not again on every frame that changes something else (a spinner tick, a stage of the next grading).
  const verdict = snapshot.verdict?.exerciseKey === snapshot.exercise.key ? snapshot.verdict : undefined;
  const verdictLayout = useMemo(
    () =>
      verdict && {
        full: compact ? undefined : verdictSections(verdict, { width, cwd, compact: false, expanded }),
        compact: verdictSections(verdict, { width, cwd, compact: true, expanded }),
        // Scrolling after a pass, the cases are one row of ✓ marks, so that what follows them starts in view.
        scrolled: verdictSections(verdict, { width, cwd, compact: verdict.status === 'pass', wholeOutput: true, expanded }),
      },
    [verdict, width, cwd, compact, expanded],
  );
  // A pass opens onto what lies beyond the exercise, after the hints revealed on the way: the properties checked on the learner's code, and the piece in PyTorch and TensorFlow.js.
  const hints = useMemo((): Section => ({ id: 'hints', title: t`hints`, lines: hintLines(snapshot.hints, width) }), [snapshot.hints, width]);
  const beyond = useMemo(() => (verdict?.status === 'pass' ? afterPassSectionsOf(snapshot.afterPass, width) : []), [verdict?.status, snapshot.afterPass, width]);

  // A new verdict starts at the section the learner was reading, at its first row.
  const lastVerdict = useRef(snapshot.verdict);
  if (lastVerdict.current !== snapshot.verdict) {
    lastVerdict.current = snapshot.verdict;
    if (body.scroll !== undefined) setBody({ section: body.section });
  }

  // A terminal editor takes the terminal over: Ink's raw mode is off while it runs.
  const openEditor = () =>
    session.openEditor(cwd, {
      beforeTerminal: () => isRawModeSupported && setRawMode(false),
      afterTerminal: () => isRawModeSupported && setRawMode(true),
    });

  // Keys may arrive before Ink re-subscribes the handler after a render: read the latest view and layout from refs
  // and the latest snapshot from the session itself.
  const currentView = useRef(view);
  currentView.current = view;
  const show = (next: View) => {
    currentView.current = next;
    setView(next);
    setBody({});
  };
  const currentBody = useRef<{ view: BodyView; layout?: BodyLayout }>({ view: body });
  currentBody.current.view = body;
  const moveBody = (next: BodyView) => {
    currentBody.current.view = next;
    setBody(next);
  };

  // Ink's own Ctrl-C handling is off (exitOnCtrlC: false) so that the screen can say how it ended: Ctrl-C
  // leaves the way q does, from every view, the list's included, and next exits with 130 as shells expect.
  useInput((input, key) => {
    if (key.ctrl && input === 'c') exit('interrupt' satisfies ExitReason);
  });

  /** Arrows, page keys, tab and digits scroll the body and jump between its sections; true when the key was one of those. */
  const scrollKey = (input: string, key: Key): boolean => {
    const { view: now, layout } = currentBody.current;
    if (!layout || layout.mode !== 'scroll') return false;
    // Keys can come faster than frames: start from the view the last key left, not from the last frame drawn.
    const from = Math.min(now.scroll ?? layout.scroll, layout.maxScroll);
    const sectionAt = (row: number) => [...layout.anchors].reverse().find((a) => a.row <= row)?.id;
    const scrollTo = (row: number) => {
      const scroll = Math.min(Math.max(0, row), layout.maxScroll);
      moveBody({ section: sectionAt(scroll), scroll });
    };
    const at = layout.anchors.findIndex((a) => a.id === sectionAt(from));
    const jump = (index: number) => {
      const anchor = layout.anchors[(index + layout.anchors.length) % layout.anchors.length];
      moveBody({ section: anchor.id, scroll: Math.min(anchor.row, layout.maxScroll) });
    };
    if (key.upArrow || input === 'k') scrollTo(from - 1);
    else if (key.downArrow || input === 'j') scrollTo(from + 1);
    else if (key.pageUp || input === 'b') scrollTo(from - layout.page);
    else if (key.pageDown || input === ' ') scrollTo(from + layout.page);
    else if ((key.tab && key.shift) || key.leftArrow) jump(at - 1);
    else if (key.tab || key.rightArrow) jump(at + 1);
    else if (/^[1-9]$/.test(input) && Number(input) <= layout.anchors.length) jump(Number(input) - 1);
    else return false;
    return true;
  };

  useKeys(
    (input, key) => {
      const view = currentView.current;
      const snapshot = session.getSnapshot();
      if (scrollKey(input, key)) return;
      if (view.kind === 'solution') {
        if (key.escape || input === 's' || input === 'q') show({ kind: 'main' });
        return;
      }
      if (input === 'q') {
        exit('quit' satisfies ExitReason);
        return;
      }
      if (input === 'h') {
        // A hint revealed is shown: when the body scrolls, it jumps to the hints.
        if (currentBody.current.layout?.mode === 'scroll') moveBody({ section: 'hints' });
        void session.revealHint();
      } else if (input === 'n') {
        if (snapshot.packDone?.next) void session.jump(snapshot.packDone.next);
        else void session.goNext();
      } else if (input === 'l') show({ kind: 'list' });
      else if (input === 'r') void session.rerun();
      else if (input === 's') void session.solution().then((code) => code !== undefined && show({ kind: 'solution', code }));
      else if (input === 'o') openEditor();
      else if (input === 'e') setExpanded((was) => !was);
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
        width={width}
        onJump={(ref: ExerciseRef) => {
          show({ kind: 'main' });
          void session.jump(ref);
        }}
        onReset={(ref: ExerciseRef) => void session.reset(ref)}
        onClose={() => show({ kind: 'main' })}
      />
    );
  }

  // The screen is laid out row by row so that it is never taller than the terminal (one row is kept free so that
  // the terminal does not scroll): the rows at the top and the key bar always show; the body gets what is left.
  const top: Line[] = [];
  const bottom: Line[] = [];
  let variants: Section[][];
  let scrolled: Section[];
  let prefer: PaneId[] = [];
  if (view.kind === 'solution') {
    // The heading's words and the id apart ("Model solution of" is also a line of the solution command's, in another part of the catalog).
    top.push(line(`${t`Model solution of`} ${oneLine(snapshot.exercise.id)}`, { bold: true }));
    const code: Section = { id: 'solved', title: t`solution`, lines: view.code.trimEnd().split('\n').map((text) => line(oneLine(text))) };
    variants = [[code]];
    scrolled = [code];
    bottom.push(keyBar([[t`Esc back`, true], [t`↑↓ scroll`, true]], width));
  } else {
    top.push(...headerLines(snapshot, width));
    if (!snapshot.packDone) {
      if (snapshot.lessonSummary && rows >= 20) top.push(truncateLine(line(oneLine(snapshot.lessonSummary)), width));
      top.push(truncateLine([{ text: t`Edit: ` }, { text: file, underline: true }, ...(compact ? [] : [{ text: t` · lesson: ${tutorCommand()} lesson ${oneLine(snapshot.exercise.id)}`, dim: true }])], width));
      top.push(statusText(snapshot, spinner));
      if (snapshot.watchProblem) top.push(...wrapLines(oneLine(snapshot.watchProblem), width, { color: 'yellow' }).slice(0, 2));
      if (snapshot.problem) top.push(...wrapLines(oneLine(snapshot.problem), width, { color: 'red' }).slice(0, 3));
    }
    if (snapshot.packDone) {
      scrolled = [{ id: 'solved', title: t`pack done`, lines: packDoneLines(snapshot.packDone, snapshot.exercises, width) }];
      variants = [scrolled];
    } else if (verdict && verdictLayout) {
      top.push(verdictLine(verdict));
      // Whole if it fits as it is, else whole in compact form, else scrolling (laid out for reading at length).
      variants = [...(verdictLayout.full ? [[...verdictLayout.full, hints, ...beyond]] : []), [...verdictLayout.compact, hints, ...beyond]];
      scrolled = [...verdictLayout.scrolled, hints, ...beyond];
      prefer = ['failure', 'mistake', 'cases'];
    } else {
      scrolled = [hints];
      variants = [scrolled];
    }
    if (passed) bottom.push(line(solutionShown ? t`Solved! Press n for the next exercise, s for the model solution.` : t`Solved! Press n for the next exercise.`, { color: 'green', bold: true }));
    if (snapshot.notice) bottom.push(...wrapLines(oneLine(snapshot.notice), width, { color: 'yellow' }).slice(0, 3));
    const keys: BarKey[] = [
      [t`h hint`, true],
      [t`n next`, passed || Boolean(snapshot.packDone?.next)],
      [t`l list`, true],
      [t`r re-run`, true],
      [t`s solution`, solutionShown],
      [t`o open in editor`, true, t`open`],
      [t`q quit`, true],
    ];
    bottom.push(keyBar(keys, width, snapshot.watching === 'manual' ? t`(manual run)` : undefined));
    // When the body scrolls, the diagnosis's heading stays in view whatever is scrolled to.
    const heading = verdict && diagnosisHeading(verdict);
    const room = rows - 1 - top.length - bottom.length - (compact ? 0 : 2);
    if (heading && variants.every((sections) => stack(sections, !compact).length > room)) top.push(truncateLine(line(heading, { bold: true, color: 'yellow' }), width));
  }
  const gap = !compact && view.kind === 'main';
  const height = Math.max(0, rows - 1 - top.length - bottom.length - (gap ? 2 : 0));
  const layout = layoutBody(variants, scrolled, height, body, width, { gap, prefer });
  currentBody.current.layout = layout;
  return (
    <Box flexDirection="column" width={width}>
      <LinesView lines={top} />
      {gap && <Text> </Text>}
      <LinesView lines={layout.lines} />
      {gap && <Text> </Text>}
      <LinesView lines={bottom} />
    </Box>
  );
}
