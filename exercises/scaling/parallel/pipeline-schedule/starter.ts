/**
 * parallel/pipeline-schedule — the timetable of a pipeline of `stages` GPUs
 * running `microbatches` microbatches forward and backward.
 *
 * Return grid[time][stage]: "F3" where the stage runs the forward of
 * microbatch 3 in that slot, "B3" for its backward, "" when it is idle. Each
 * takes one slot; F i on stage s needs F i done on stage s − 1 in an earlier
 * slot, B i needs B i done on stage s + 1 (on the last stage, its own F i).
 * "gpipe": all forwards, then all backwards. "1f1b": at most p − s
 * microbatches in flight on stage s. 2(m + p − 1) slots; none for m = 0.
 * Run `llm-tutor lesson parallel/pipeline-schedule` for the lesson, `llm-tutor hint` for a hint.
 */
export function pipelineSchedule(stages: number, microbatches: number, kind: "gpipe" | "1f1b"): string[][] {
  throw new Error('not implemented');
}
