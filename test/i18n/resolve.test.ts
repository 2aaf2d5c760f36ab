import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { resolveLocale, supportedLocale, langArgument } from '../../src/i18n/resolve.js';
import { currentLocale, setLocale, t } from '../../src/i18n/i18n.js';
import { plural } from '../../src/core/common/words.js';

const none = os.tmpdir();

describe('which language the tutor speaks', () => {
  test('system locale names map to the language the tutor has', () => {
    expect(['zh_CN.UTF-8', 'zh_CN', 'zh-CN', 'zh', 'zh_SG.GB2312', 'zh-Hans', 'zh_TW.UTF-8'].map(supportedLocale)).toEqual(Array(7).fill('zh-CN'));
    expect(['en_US.UTF-8', 'en_GB', 'en'].map(supportedLocale)).toEqual(['en', 'en', 'en']);
    expect(['C', 'POSIX', 'C.UTF-8', 'fr_FR.UTF-8', ''].map(supportedLocale)).toEqual(Array(5).fill(undefined));
  });

  test('--lang, then LLM_TUTOR_LANG, then the workspace, then LC_ALL, LC_MESSAGES, LANG; else English', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-lang-'));
    writeFileSync(path.join(ws, 'llm-tutor.json'), JSON.stringify({ formatVersion: 1, packs: ['transformer-core'], lang: 'zh-CN' }));
    mkdirSync(path.join(ws, 'sub'));
    expect(resolveLocale(['--lang', 'en', 'list'], { LLM_TUTOR_LANG: 'zh-CN' }, ws)).toBe('en');
    expect(resolveLocale(['--lang=zh-CN'], {}, none)).toBe('zh-CN');
    expect(resolveLocale([], { LLM_TUTOR_LANG: 'en', LANG: 'zh_CN.UTF-8' }, ws)).toBe('en');
    expect(resolveLocale([], { LANG: 'en_US.UTF-8' }, path.join(ws, 'sub'))).toBe('zh-CN');
    expect(resolveLocale(['-w', ws], { LANG: 'en_US.UTF-8' }, none)).toBe('zh-CN');
    expect(resolveLocale([], { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }, none)).toBe('zh-CN');
    expect(resolveLocale([], { LC_ALL: '', LC_MESSAGES: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }, none)).toBe('en');
    expect(resolveLocale([], { LANG: 'zh_CN.UTF-8' }, none)).toBe('zh-CN');
    expect(resolveLocale([], { LANG: 'fr_FR.UTF-8' }, none)).toBe('en');
    expect(resolveLocale([], {}, none)).toBe('en');
    // After `--`, --lang is an argument, not the option.
    expect(langArgument(['check', '--', '--lang', 'zh-CN'])).toBeUndefined();
  });

  test('a language asked for by name that the tutor does not speak is one line naming where it was asked for', () => {
    expect(() => resolveLocale(['--lang', 'fr'], {}, none)).toThrow('--lang is "fr", a language llm-tutor does not speak: it speaks en (English) and zh-CN (简体中文).');
    expect(() => resolveLocale([], { LLM_TUTOR_LANG: 'klingon' }, none)).toThrow('LLM_TUTOR_LANG is "klingon"');
    const ws = mkdtempSync(path.join(os.tmpdir(), 'llm-tutor-lang-'));
    writeFileSync(path.join(ws, 'llm-tutor.json'), JSON.stringify({ formatVersion: 1, packs: ['transformer-core'], lang: 'de' }));
    expect(() => resolveLocale([], {}, ws)).toThrow('the "lang" of llm-tutor.json is "de"');
  });
});

describe('t and plural in the current locale', () => {
  afterEach(() => setLocale('en'));

  test('English comes out as written, values in place', () => {
    expect(currentLocale()).toBe('en');
    const n = 3;
    expect(t`Hint ${n}/${n + 1}`).toBe('Hint 3/4');
    expect(t('Line\nbreak {0}', 'x')).toBe('Line\nbreak x');
    expect(plural(1, 'case')).toBe('1 case');
    expect(plural(2, 'match', 'matches')).toBe('2 matches');
  });

  test('in zh-CN a text without a translation stays English, and a counted noun without one too; one with a translation is Chinese', async () => {
    await setLocale('zh-CN');
    expect(t('Hint {0}/{1}', 1, 3)).toBe('提示 1/3');
    expect(plural(3, 'exercise')).toBe('3 个练习');
    expect(t`No such text in any catalog ${1}`).toBe('No such text in any catalog 1');
    expect(plural(2, 'zebra')).toBe('2 zebras');
  });
});
