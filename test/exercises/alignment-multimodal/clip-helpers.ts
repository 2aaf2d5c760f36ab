import { packExercises } from '../../helpers/pack-exercises.js';

// The alignment-multimodal pack's vision exercises CLIP's loss and Q-Former's
// cross-attention in tests, by their id in the pack.

export const { file: packFile, casesOn, seededCases, namedCase, grade, expectEachMisconceptionDiagnosed, runLessonJs, lessonBlock } = packExercises('alignment-multimodal');

/** The numbers of a ```heatmap block: its column labels, its rows (label and values) and its `mark:` line, if any. */
export function parseHeatmap(block: string): { columns: string[]; rows: { label: string; values: number[] }[]; mark?: string } {
  const lines = block.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('title:'));
  const mark = lines[0].startsWith('mark:') ? lines.shift()!.slice('mark:'.length).trim() : undefined;
  const [header, ...rest] = lines;
  const rows = rest.map((l) => {
    const [label, ...values] = l.trim().split(/\s+/);
    return { label, values: values.map((v) => Number(v.replace('−', '-'))) };
  });
  return { columns: header.trim().split(/\s+/), rows, mark };
}
