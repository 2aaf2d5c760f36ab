#!/usr/bin/env node
// Stamps translated lessons with the hash of the lesson.md they were translated
// from (the first line `<!-- translated from lesson.md sha256:… -->`), the same
// stamp as `llm-tutor pack stamp`; for translators working in this repository
// before a build.
//   node scripts/stamp-translation.mjs <exercise folder>... [--lang zh-CN]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const langAt = args.indexOf('--lang');
const lang = langAt >= 0 ? args.splice(langAt, 2)[1] : 'zh-CN';
const stampPattern = /^<!-- translated from lesson\.md sha256:[0-9a-f]{16} -->\r?\n/;
for (const dir of args) {
  const englishFile = path.join(dir, 'lesson.md');
  const translatedFile = path.join(dir, `lesson.${lang}.md`);
  if (!existsSync(translatedFile)) {
    console.error(`${translatedFile}: no such file`);
    process.exitCode = 1;
    continue;
  }
  const english = readFileSync(englishFile, 'utf8');
  const hash = createHash('sha256').update(english.replace(/\r\n/g, '\n'), 'utf8').digest('hex').slice(0, 16);
  const body = readFileSync(translatedFile, 'utf8').replace(/^\uFEFF/, '').replace(stampPattern, '');
  writeFileSync(translatedFile, `<!-- translated from lesson.md sha256:${hash} -->\n${body}`);
  console.log(`${translatedFile}: stamped ${hash}`);
}
