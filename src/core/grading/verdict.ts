import type { Comparison } from '../authoring/exercise.js';
import type { PlanDrawing } from '../authoring/kinds.js';
import type { Mismatch } from './compare.js';
import type { NamedPreview } from './value-preview.js';

export type VerdictStatus = 'pass' | 'fail' | 'error';

/**
 * An exercise whose learner file another one imports, and where it stands with
 * the content graded now: it passes, it passed but its files have changed
 * since, or it does not pass.
 */
export interface ImportedExercise {
  key: string;
  standing: 'passes' | 'changed' | 'fails';
}

/** A place in the learner's code, source-mapped. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

export interface CaseResult {
  index: number;
  name: string;
  status: 'pass' | 'fail' | 'error' | 'not-run';
  /** One or two sentences for a learner. */
  message?: string;
  mismatch?: Mismatch;
  /** The arguments, abbreviated to a line, as the learner's function received them. */
  input?: string;
  /** The first failing case only: its arguments by name (from the signature), each previewed for display. */
  args?: NamedPreview[];
  /** The first failing case only, when the exercise names them: the reference's intermediate values on its arguments, in order. */
  trace?: NamedPreview[];
  durationMs?: number;
  /** Set when the learner's function changed an argument in place. */
  mutated?: string;
  /** A schedule exercise's plan, drawn, with the cells where the first violated property shows. */
  plan?: PlanDrawing;
  /** A stepwise case that failed: the step (0-based) that diverged first, of how many. */
  step?: { index: number; of: number };
}

export interface Diagnosis {
  misconceptionId: string;
  title: string;
  message: string;
  /** Failing cases whose output matches the misconception's, out of the failing cases. */
  matched: number;
  failing: number;
  confidence: 'full' | 'partial';
}

export interface VerdictError {
  kind: 'bundle' | 'load' | 'missing-export' | 'throw' | 'timeout' | 'crash' | 'memory' | 'type';
  message: string;
  location?: SourceLocation;
  /** With `missing-export`: the names the file does export. */
  exports?: string[];
}

/** One piece of a layer-by-layer comparison, as the learner's imported file computed it. */
export interface LayerPiece {
  name: string;
  /** The earlier exercise whose file computed it. */
  exercise: string;
  /** `agrees`, `differs` (with the mismatch), `error` (the call threw or did not run), or `not-imported` (the file does not use it). */
  status: 'agrees' | 'differs' | 'error' | 'not-imported';
  mismatch?: Mismatch;
  message?: string;
}

/** The learner's imported pieces run one by one on the reference's activations of the first failing case. */
export interface LayerReport {
  caseName: string;
  pieces: LayerPiece[];
  /** Index into `pieces` of the first that differs or fails, if any. */
  first?: number;
}

/** The outcome of grading one learner file against one exercise. */
export interface Verdict {
  exerciseKey: string;
  exerciseId: string;
  packId: string;
  learnerFile: string;
  /** The learner's files the bundle read: this one and those it imports (watch mode watches them all). */
  learnerFiles: string[];
  /** The SHA-256 (hex) of each of `learnerFiles`, of the bytes graded; absent when bundling failed. */
  learnerDigests?: Record<string, string>;
  status: VerdictStatus;
  /** One line: what happened. */
  summary: string;
  cases: CaseResult[];
  /** Index into `cases` of the first case that did not pass. */
  firstFailure?: number;
  diagnosis?: Diagnosis;
  error?: VerdictError;
  /** Further things the learner should know (imported files that fail, mutated inputs, async errors). */
  notes: string[];
  /** An exercise with `layers`, failing: its imported pieces compared one by one. */
  layers?: LayerReport;
  output: { stdout: string; stderr: string; droppedBytes: number };
  seed: number;
  tolerance: Comparison;
  backend: string;
  durationMs: number;
  timings: { referenceMs: number; bundleMs: number; sandboxMs: number };
}
