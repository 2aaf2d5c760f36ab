import path from 'node:path';
import { Box, Text } from 'ink';
import type { CaseResult, Verdict } from '../core/grading/verdict.js';
import { plural } from '../core/common/words.js';
import { escapeTerminalLine as oneLine } from '../report/escape.js';
import { DiffView } from './DiffView.js';
import { PlanView } from './PlanView.js';
import { HeatmapView } from './HeatmapView.js';

const icons: Record<CaseResult['status'], { icon: string; color?: string }> = {
  pass: { icon: '✓', color: 'green' },
  fail: { icon: '✗', color: 'red' },
  error: { icon: '!', color: 'red' },
  'not-run': { icon: '-', color: undefined },
};

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** Every case as a mark on one line, then the names of the first cases that did not pass. */
export function CaseStrip({ cases, width }: { cases: CaseResult[]; width: number }) {
  const failing = cases.filter((c) => c.status === 'fail' || c.status === 'error');
  return (
    <Box flexDirection="column">
      <Text>
        {cases.map((c) => (
          <Text key={c.index} color={icons[c.status].color} dimColor={c.status === 'not-run'}>
            {icons[c.status].icon}
          </Text>
        ))}
      </Text>
      {failing.slice(0, 2).map((c) => (
        <Text key={c.index} color="red">
          {icons[c.status].icon} {truncate(oneLine(c.name), width - 3)}
        </Text>
      ))}
      {failing.length > 2 && <Text dimColor>… and {failing.length - 2} more not passing</Text>}
    </Box>
  );
}

/** Every case with its mark and name, in columns that fit the width. */
export function CaseList({ cases, width }: { cases: CaseResult[]; width: number }) {
  const columnWidth = width >= 100 ? Math.floor((width - 2) / 2) : width - 2;
  return (
    <Box flexWrap="wrap" width={width}>
      {cases.map((c) => (
        <Box key={c.index} width={columnWidth}>
          <Text color={icons[c.status].color} dimColor={c.status === 'not-run'}>
            {icons[c.status].icon} {truncate(oneLine(c.name), columnWidth - 3)}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

/** The first failing case in detail: input, what differs, the diff window and heatmap. Text quoting the learner's values is escaped. */
export function FailureDetail({ result, width, compact = false }: { result: CaseResult; width: number; compact?: boolean }) {
  const mismatch = result.mismatch;
  const message = mismatch?.message ?? result.message;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>
        Case “{oneLine(result.name)}”{result.step && `, step ${result.step.index + 1} of ${result.step.of}`}
      </Text>
      {result.input !== undefined && <Text dimColor>input: {truncate(oneLine(result.input), width - 8)}</Text>}
      {message !== undefined && <Text wrap="wrap">{oneLine(message)}</Text>}
      {mismatch?.kind === 'values' && mismatch.diff.total > 1 && (
        <Box flexDirection="column" marginTop={1}>
          <DiffView diff={mismatch.diff} width={width} compact={compact} />
          {mismatch.diff.heatmap && mismatch.diff.total > 4 && (!compact || mismatch.diff.heatmap.cells.length <= 4) && (
            <Box marginTop={1}>
              <HeatmapView heatmap={mismatch.diff.heatmap} />
            </Box>
          )}
        </Box>
      )}
      {result.plan && (
        <Box marginTop={1}>
          <PlanView plan={result.plan} width={width} compact={compact} />
        </Box>
      )}
      {mismatch?.kind === 'sequence' && (
        <Box flexDirection="column">
          <Text>expected: {truncate(oneLine(mismatch.diff.expectedContext), width - 12)}</Text>
          <Text color="red">got:      {truncate(oneLine(mismatch.diff.gotContext), width - 12)}</Text>
        </Box>
      )}
    </Box>
  );
}

/**
 * A verdict: summary, cases, the first failure, the diagnosis, notes and the
 * learner's output. Compact (for short terminals): cases as a strip of marks,
 * the diff side by side, three lines of output. The learner's messages,
 * paths, source lines and console output are escaped: a control sequence
 * shows as text such as `\x1b` and cannot move the cursor or recolour the screen.
 */
export function VerdictView({ verdict, width = 80, cwd = process.cwd(), compact = false }: { verdict: Verdict; width?: number; cwd?: string; compact?: boolean }) {
  const outputLines = compact ? 3 : 8;
  const passed = verdict.cases.filter((c) => c.status === 'pass').length;
  const label = verdict.status === 'pass' ? 'PASS' : verdict.status === 'fail' ? 'FAIL' : 'ERROR';
  const first = verdict.firstFailure !== undefined ? verdict.cases[verdict.firstFailure] : undefined;
  const location = verdict.error?.location;
  const output = `${verdict.output.stdout}${verdict.output.stderr}`.trimEnd();
  return (
    <Box flexDirection="column" width={width}>
      <Text>
        <Text bold inverse color={verdict.status === 'pass' ? 'green' : 'red'}>
          {` ${label} `}
        </Text>{' '}
        {passed}/{verdict.cases.length} cases pass <Text dimColor>({(verdict.durationMs / 1000).toFixed(2)} s)</Text>
      </Text>
      {verdict.status !== 'pass' && <Text wrap="wrap">{oneLine(verdict.summary)}</Text>}
      <Box marginTop={1}>
        {compact ? <CaseStrip cases={verdict.cases} width={width} /> : <CaseList cases={verdict.cases} width={width} />}
      </Box>
      {location && (
        <Box flexDirection="column" marginTop={1}>
          <Text>
            at <Text underline>{oneLine(path.relative(cwd, location.file) || location.file)}:{location.line}:{location.column}</Text>
          </Text>
          {location.lineText !== undefined && <Text dimColor>  {truncate(oneLine(location.lineText.trim()), width - 4)}</Text>}
        </Box>
      )}
      {first && first.status !== 'not-run' && !(location && first.status === 'error' && compact) && <FailureDetail result={first} width={width} compact={compact} />}
      {verdict.diagnosis && (
        <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1} marginTop={1} width={width}>
          <Text bold color="yellow">
            {verdict.diagnosis.confidence === 'full' ? 'Likely mistake' : 'Possible mistake'}: {oneLine(verdict.diagnosis.title)}
          </Text>
          <Text wrap="wrap">{oneLine(verdict.diagnosis.message)}</Text>
          <Text dimColor>
            matches {verdict.diagnosis.matched} of {plural(verdict.diagnosis.failing, 'failing case')}
          </Text>
        </Box>
      )}
      {verdict.notes.map((note) => (
        <Text key={note} color="yellow" wrap="wrap">
          Note: {oneLine(note)}
        </Text>
      ))}
      {output && (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Your console output</Text>
          {output
            .split('\n')
            .slice(0, outputLines)
            .map((text) => oneLine(text))
            .map((escaped, i) => (
              <Text key={i} dimColor>
                │ {truncate(escaped, width - 2)}
              </Text>
            ))}
          {output.split('\n').length > outputLines && <Text dimColor>│ … {plural(output.split('\n').length - outputLines, 'more line')}</Text>}
        </Box>
      )}
    </Box>
  );
}
