import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinPacksDir } from '../../src/core/common/paths.js';
import { listBuiltinPackIds } from '../../src/core/packs/packs.js';
import { translationState } from '../../src/core/packs/translations.js';
import { lessonPictureProblems } from '../../src/core/authoring/lesson-pictures.js';
import { codeStyle, layoutMarkdown } from '../../src/report/markdown.js';
import { titleFindings, translationFindings } from '../../src/core/packs/validate-translations.js';
import { localisedManifest, packManifestSchema } from '../../src/core/common/schemas.js';
import type { ExerciseDefinition } from '../../src/core/authoring/exercise.js';
import { builtinExercises } from '../helpers/exercises.js';
import { hintText, type Misconception } from '../../src/core/authoring/exercise.js';
import type { Localised } from '../../src/core/authoring/localised.js';
import { exerciseFolders, loadExercise } from '../helpers/exercises.js';

/**
 * Every built-in exercise in Simplified Chinese, held to its English source:
 * the lesson's stamp names the current lesson.md; its sections are the same,
 * under the glossary's headings; its code blocks are the same code; and the
 * numbers of its prose and formulas are the same numbers. The hints and the
 * misconceptions' titles, messages and hints each have a zh-CN text with the
 * numbers of the English one.
 */
const locale = 'zh-CN';

/** The fixed headings of docs/glossary.zh-CN.md: the tutor finds sections by them. */
const headings: Record<string, string> = {
  'The formula': '公式',
  'A worked example': '手算示例',
  Pitfalls: '常见错误',
  Conventions: '约定',
  'Check yourself': '自我检验',
  'Where it comes from': '出处',
  'What it is for': '用途',
  'In practice: PyTorch and TensorFlow.js': '实践：PyTorch 与 TensorFlow.js',
  'In practice: tiktoken and Hugging Face tokenizers': '实践：tiktoken 与 Hugging Face tokenizers',
};

const fence = /^```([\w-]*)\n([\s\S]*?)^```$/gm;
const pictureKinds = new Set(['heatmap', 'bars']);

/** The fenced code blocks of a lesson, but its pictures (whose titles and labels are translated). */
function codeBlocks(text: string): string[] {
  return [...text.matchAll(fence)].filter((m) => !pictureKinds.has(m[1])).map((m) => `${m[1]}\n${m[2]}`);
}

/** The `##` headings, in order. */
function sectionHeadings(text: string): string[] {
  return [...text.replace(fence, '').matchAll(/^## (.+)$/gm)].map((m) => m[1].trim());
}

/** The distinct numbers written in a text with digits, sorted: 0.377541, 1e-5 (as 1, 5), 2017… */
function numbersIn(text: string): string[] {
  return [...new Set(text.match(/\d+(?:\.\d+)?/g) ?? [])].sort();
}

/** What is in one list and not the other, for a readable failure. */
function difference(en: string[], zh: string[]): { onlyInEnglish: string[]; onlyInChinese: string[] } {
  return { onlyInEnglish: en.filter((x) => !zh.includes(x)), onlyInChinese: zh.filter((x) => !en.includes(x)) };
}

const cjk = /\p{Script=Han}/u;

/** The English and zh-CN texts of a localised text, or why it has none. */
function bothTexts(text: Localised | undefined): [string, string] | string {
  if (text === undefined) return 'absent';
  if (typeof text === 'string') return 'English only';
  const zh = text[locale];
  if (zh === undefined) return `no ${locale} text`;
  if (!cjk.test(zh)) return `the ${locale} text has no Chinese in it: "${zh.slice(0, 60)}"`;
  return [text.en, zh];
}

/** The problems with the translated texts of a definition's hints and misconceptions: none when each is translated and keeps the English numbers. */
function definitionProblems(misconceptions: readonly Misconception[], hints: readonly Parameters<typeof hintText>[0][]): string[] {
  const problems: string[] = [];
  const check = (where: string, text: Localised | undefined, optional = false) => {
    if (text === undefined && optional) return;
    const both = bothTexts(text);
    if (typeof both === 'string') return problems.push(`${where}: ${both}`);
    const [en, zh] = both;
    const diff = difference(numbersIn(en), numbersIn(zh));
    if (diff.onlyInEnglish.length || diff.onlyInChinese.length) problems.push(`${where}: numbers differ ${JSON.stringify(diff)}`);
  };
  for (const m of misconceptions) {
    check(`misconception ${m.id} title`, m.title);
    check(`misconception ${m.id} message`, m.message);
    check(`misconception ${m.id} hint`, m.hint, true);
  }
  hints.forEach((hint, i) => check(`hint ${i + 1}`, hintText(hint)));
  return problems;
}

for (const packId of await listBuiltinPackIds()) {
  describe(`${packId} in ${locale}`, () => {
    test(`${packId}: the pack's title and every exercise title in pack.json have a ${locale} text`, () => {
      const manifest = JSON.parse(readFileSync(path.join(builtinPacksDir, packId, 'pack.json'), 'utf8')) as { title: Localised; exercises: { id: string; title: Localised }[] };
      const missing = [{ id: 'the pack', title: manifest.title }, ...manifest.exercises].filter((e) => typeof bothTexts(e.title) === 'string').map((e) => e.id);
      expect(missing).toEqual([]);
    });

    test(`${packId}: pack validate finds no missing or stale translation (as errors, in a built-in pack)`, async () => {
      const refs = await builtinExercises(packId);
      const definitions = new Map<string, ExerciseDefinition>();
      for (const ref of refs) definitions.set(ref.id, (await loadExercise(`${packId}/${ref.id}`)).definition);
      const manifestFile = path.join(builtinPacksDir, packId, 'pack.json');
      const manifest = localisedManifest(packManifestSchema.parse(JSON.parse(readFileSync(manifestFile, 'utf8'))), 'en');
      expect([...titleFindings(manifestFile, manifest.titles, [locale]), ...(await translationFindings(refs, definitions, [locale]))]).toEqual([]);
    });

    for (const id of exerciseFolders(path.join(builtinPacksDir, packId))) {
      const dir = path.join(builtinPacksDir, packId, id);
      const english = readFileSync(path.join(dir, 'lesson.md'), 'utf8');
      const file = path.join(dir, `lesson.${locale}.md`);

      test(`${packId}/${id}: lesson.${locale}.md is current, with the English sections, code and numbers`, () => {
        const translated = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
        expect(translationState(english, translated), `${file} (stamp it with: node scripts/stamp-translation.mjs ${path.relative(process.cwd(), dir)})`).toBe('current');
        const zh = translated!;
        expect(zh, 'the translated lesson starts with its title').toMatch(/^<!--[^\n]*-->\n# \S/);
        expect(zh, 'the idea').toMatch(/^\*\*核心思想。\*\*/m);
        expect(cjk.test(zh.replace(fence, ''))).toBe(true);
        expect(sectionHeadings(zh)).toEqual(sectionHeadings(english).map((h) => headings[h] ?? expect.any(String)));
        expect(codeBlocks(zh), 'code blocks are the same code').toEqual(codeBlocks(english));
        // Pictures (heatmap, bars) may have their titles and labels translated: they still draw, with the same numbers.
        const pictures = (text: string) => [...text.matchAll(fence)].filter((m) => pictureKinds.has(m[1])).map((m) => `${m[1]} ${numbersIn(m[2]).join(' ')}`);
        expect(pictures(zh), 'pictures, with the same numbers').toEqual(pictures(english));
        expect(lessonPictureProblems(zh)).toEqual([]);
        // Bold that Markdown cannot close (CommonMark's flanking rules: **…，**字 stays literal) would show its asterisks.
        const prose = layoutMarkdown(zh, 10_000).filter((row) => !row.verbatim).map((row) => row.line.filter((span) => span.color !== codeStyle.color).map((span) => span.text).join(''));
        expect(prose.filter((row) => row.includes('**')), 'asterisks left by bold that does not close').toEqual([]);
        if (/^\*\*What differs\.\*\*/m.test(english)) expect(zh).toMatch(/^\*\*区别。\*\*/m);
        const withoutCode = (text: string) => text.replace(fence, '').replace(/^<!--[^\n]*-->\n/, '');
        expect(difference(numbersIn(withoutCode(english)), numbersIn(withoutCode(zh))), 'numbers in prose and formulas').toEqual({ onlyInEnglish: [], onlyInChinese: [] });
      });

      test(`${packId}/${id}: hints and misconceptions in ${locale}, with the English numbers`, async () => {
        const { definition } = await loadExercise(`${packId}/${id}`);
        expect(definitionProblems(definition.misconceptions ?? [], definition.hints ?? [])).toEqual([]);
      });
    }
  });
}
