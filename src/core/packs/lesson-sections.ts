/**
 * The parts of a lesson the tutor shows outside `llm-tutor lesson`: the idea
 * (the screen's one-line summary) and, after a pass, the sections that look
 * beyond the exercise ("Check yourself", "In practice: …").
 */
import { Lexer, type Token, type Tokens } from 'marked';
import type { ExerciseDefinition } from '../authoring/exercise.js';
import { loadDefinition } from './definitions.js';
import { readExerciseFile, type ExerciseRef } from './packs.js';
import { t } from '../../i18n/i18n.js';

/** A `## …` section of a lesson: its heading's text and the Markdown under it, up to the next `##` or `#` heading. */
export interface LessonSection {
  heading: string;
  markdown: string;
}

/** What the screen shows once the learner's file passes: both sections are optional in a pack's lesson. */
export interface AfterPass {
  checkYourself?: LessonSection;
  inPractice?: LessonSection;
}

/** What a pass opens onto: the lesson's sections and the names of the properties the tutor checked on the learner's code. */
export type AfterPassView = AfterPass & { properties: readonly string[] };

/** The view of a pass for an exercise, from its lesson and its definition's properties. */
export function afterPassView(lesson: string, definition: Pick<ExerciseDefinition, 'properties'>): AfterPassView {
  return { ...afterPassSections(lesson), properties: (definition.properties ?? []).map((p) => p.name) };
}

/** {@link afterPassView} of an exercise, its lesson read in `locale`. */
export async function loadAfterPass(ref: ExerciseRef, locale?: string): Promise<AfterPassView> {
  const [lesson, definition] = await Promise.all([readExerciseFile(ref, 'lesson', locale), loadDefinition(ref)]);
  return afterPassView(lesson, definition);
}

/**
 * Where the first level-2 section whose heading matches lies in a lesson's
 * tokens: its heading's index and the index of the next heading of level 1
 * or 2 (the end of the tokens when none). Headings inside code blocks are
 * code, not headings.
 */
function sectionBounds(tokens: Token[], matches: (heading: string) => boolean): { start: number; end: number } | undefined {
  const isHeading = (t: Token, deepest: number): t is Tokens.Heading => t.type === 'heading' && (t as Tokens.Heading).depth <= deepest;
  const start = tokens.findIndex((t) => isHeading(t, 2) && t.depth === 2 && matches(t.text.trim()));
  if (start < 0) return undefined;
  const next = tokens.findIndex((t, i) => i > start && isHeading(t, 2));
  return { start, end: next < 0 ? tokens.length : next };
}

/** The raw Markdown of `tokens` from `from` up to (not including) `to`. */
const rawOf = (tokens: Token[], from: number, to = tokens.length) => tokens.slice(from, to).map((t) => t.raw).join('');

/** The first level-2 section whose heading matches. */
export function lessonSection(markdown: string, matches: (heading: string) => boolean): LessonSection | undefined {
  const tokens = new Lexer().lex(markdown);
  const bounds = sectionBounds(tokens, matches);
  if (!bounds) return undefined;
  return { heading: (tokens[bounds.start] as Tokens.Heading).text.trim(), markdown: rawOf(tokens, bounds.start + 1, bounds.end).trim() };
}

/** Whether a heading is that of the "In practice" section ("In practice: PyTorch and TensorFlow.js"; in zh-CN 「实践：…」). */
const isInPractice = (heading: string) => /^(?:in practice\b|实践[：:])/i.test(heading);

/** Whether a heading is that of the "Check yourself" section (in zh-CN 「自我检验」). */
const isCheckYourself = (heading: string) => /^(?:check yourself\b|自我检验)/i.test(heading);

/**
 * The lesson with its "In practice" section held back until the learner's
 * file passes: the same piece in a library is often the exercise's answer in
 * one line. The heading stays, with a line saying when it shows.
 */
export function withInPracticeHeldBack(markdown: string): string {
  const tokens = new Lexer().lex(markdown);
  const bounds = sectionBounds(tokens, isInPractice);
  if (!bounds) return markdown;
  const held = `*${t('Shown once your file passes: the same piece in the libraries you will use next, and the one convention in which they differ.')}*\n\n`;
  return `${rawOf(tokens, 0, bounds.start + 1)}${held}${rawOf(tokens, bounds.end)}`;
}

/** The sections shown after a pass: `## Check yourself` and the `## In practice…` section (e.g. "In practice: PyTorch and TensorFlow.js"). */
export function afterPassSections(markdown: string): AfterPass {
  return {
    checkYourself: lessonSection(markdown, isCheckYourself),
    inPractice: lessonSection(markdown, isInPractice),
  };
}

/**
 * The lesson's first paragraph after its title, as plain text for one line of
 * the screen: the idea in two or three sentences. A translated lesson's stamp
 * (an HTML comment) is not a paragraph.
 */
export function lessonSummary(markdown: string): string {
  const paragraphs = markdown
    .replace(/<!--[\s\S]*?-->/g, '')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith('#'));
  // No bold markers, no backticks around code; a line break inside Chinese text joins without a space.
  return (paragraphs[0] ?? '')
    .replace(/\*\*/g, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/^(?:The idea\.|核心思想。)\s*/, '')
    .replace(/(?<=\p{Script=Han}|[，。：；？！、）」])\s*\n\s*(?=\p{Script=Han}|[（「])/gu, '')
    .replace(/\s+/g, ' ');
}
