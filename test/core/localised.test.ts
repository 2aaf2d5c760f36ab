import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { exerciseDefinitionSchema } from '../../src/core/authoring/exercise.js';
import { defaultLocale, localeFallbacks, localesOf, localise, localisedSchema } from '../../src/core/authoring/localised.js';
import { describeZodIssues } from '../../src/core/common/json-file.js';
import { exerciseRefs, lessonFileFor, loadPack, readExerciseFile } from '../../src/core/packs/packs.js';

const texts = { en: 'English', zh: 'Chinese', 'zh-TW': 'Chinese (Taiwan)' };

describe('localise', () => {
  test('a plain string is the text in every locale', () => {
    expect(localise('only English', 'zh-CN')).toBe('only English');
    expect(localise('only English')).toBe('only English');
  });

  test('falls back from the exact locale to its language, then to English', () => {
    expect(localise(texts, 'zh-TW')).toBe('Chinese (Taiwan)');
    expect(localise(texts, 'zh-CN')).toBe('Chinese');
    expect(localise(texts, 'zh')).toBe('Chinese');
    expect(localise(texts, 'fr-FR')).toBe('English');
    expect(localise(texts, 'en-GB')).toBe('English');
    expect(localise(texts)).toBe('English');
  });

  test('the lookup goes from the most specific tag to English', () => {
    expect(defaultLocale).toBe('en');
    expect(localeFallbacks('zh-Hant-TW')).toEqual(['zh-Hant-TW', 'zh-Hant', 'zh', 'en']);
    expect(localeFallbacks('en-GB')).toEqual(['en-GB', 'en']);
  });

  test('an inherited property is no translation', () => {
    expect(localise({ en: 'English' }, 'constructor')).toBe('English');
  });

  test('localesOf names the locales of a text', () => {
    expect(localesOf('x')).toEqual(['en']);
    expect(localesOf({ en: 'x', 'zh-CN': 'y' })).toEqual(['en', 'zh-CN']);
  });
});

describe('the schema of a localised text', () => {
  const issues = (value: unknown) => {
    const parsed = localisedSchema.safeParse(value);
    return parsed.success ? [] : describeZodIssues(parsed.error.issues).map((i) => `${i.path}: ${i.message}`.replace(/^: /, ''));
  };

  test('accepts a string, and texts by locale with en', () => {
    expect(issues('text')).toEqual([]);
    expect(issues({ en: 'text', 'zh-CN': '文本', zh: '文本', 'zh-Hant-TW': '文本', 'es-419': 'texto' })).toEqual([]);
  });

  test('refuses a missing en, a bad tag, an empty text and other types, each with its field', () => {
    expect(issues({ 'zh-CN': '文本' })).toEqual(['has no `en` text: English is the default and the fallback, so every translated text needs it']);
    expect(issues({ en: 'text', zh_CN: '文本' })).toEqual(['zh_CN: "zh_CN" is not a locale tag: write a language and an optional region, such as en, zh or zh-CN']);
    expect(issues({ en: 'text', 'zh-cn': '文本' })).toEqual(['zh-cn: "zh-cn" is not a locale tag: write a language and an optional region, such as en, zh or zh-CN']);
    expect(issues({ en: 'text', 'zh-CN': ' ' })).toEqual(['zh-CN: is empty: leave the locale out instead, and English is shown']);
    expect(issues('')).toEqual(['is empty']);
    expect(issues(3)).toEqual(['must be a text, or texts by locale such as { en: "…", "zh-CN": "…" }']);
  });

  test('in a definition, the path names the misconception or hint', () => {
    const definition = {
      entry: 'relu',
      signature: 'relu(x: Vector): Vector',
      cases: () => [],
      reference: () => 0,
      misconceptions: [{ id: 'a', title: 'fine', message: { 'zh-CN': '只有中文' }, wrong: () => 0 }],
      hints: ['fine', { en: 'fine', chinese: '中文' }],
    };
    const parsed = exerciseDefinitionSchema.safeParse(definition);
    expect(parsed.success).toBe(false);
    expect(describeZodIssues(parsed.error!.issues).map((i) => i.path)).toEqual(['misconceptions[0].message', 'hints[1].chinese']);
  });

  test('a misconception’s hint is checked like its message; a tiered hint about a mistake must name one of them', () => {
    const definition = {
      entry: 'relu',
      signature: 'relu(x: Vector): Vector',
      cases: () => [],
      reference: () => 0,
      misconceptions: [
        { id: 'leaky', title: 'leaky', message: 'fine', hint: { en: 'fine', 'zh-CN': '' }, wrong: () => 0 },
        { id: 'reversed', title: 'reversed', message: 'fine', hint: 'fine', wrong: () => 0 },
      ],
      hints: [{ text: 'about a mistake', misconception: 'reversed' }, { text: 'about another', misconception: 'sigmoid' }],
    };
    const parsed = exerciseDefinitionSchema.safeParse(definition);
    expect(describeZodIssues(parsed.error!.issues)).toEqual([
      { path: 'misconceptions[0].hint.zh-CN', message: 'is empty: leave the locale out instead, and English is shown' },
      { path: 'hints[1].misconception', message: 'names "sigmoid", which is not the id of one of this exercise\'s misconceptions' },
    ]);
  });
});

describe('lessonFileFor', () => {
  test('the translated lesson when it exists, else its language, else lesson.md', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-lessons-'));
    await fs.writeFile(path.join(dir, 'pack.json'), JSON.stringify({ formatVersion: 1, id: 'p', title: 'P', version: '1.0.0', exercises: [{ id: 'a/b', title: 'B' }] }));
    const exerciseDir = path.join(dir, 'a', 'b');
    await fs.mkdir(exerciseDir, { recursive: true });
    await fs.writeFile(path.join(exerciseDir, 'lesson.md'), '# English');
    await fs.writeFile(path.join(exerciseDir, 'lesson.zh-CN.md'), '# 简体中文');
    await fs.writeFile(path.join(exerciseDir, 'lesson.pt.md'), '# Português');
    const [ref] = exerciseRefs([await loadPack(dir)]);
    expect(path.basename(lessonFileFor(ref, 'zh-CN'))).toBe('lesson.zh-CN.md');
    expect(path.basename(lessonFileFor(ref, 'pt-BR'))).toBe('lesson.pt.md');
    expect(path.basename(lessonFileFor(ref, 'zh-TW'))).toBe('lesson.md');
    expect(path.basename(lessonFileFor(ref, 'en'))).toBe('lesson.md');
    expect(path.basename(lessonFileFor(ref))).toBe('lesson.md');
    expect(await readExerciseFile(ref, 'lesson')).toBe('# English');
    expect(await readExerciseFile(ref, 'lesson', 'zh-CN')).toBe('# 简体中文');
  });
});
