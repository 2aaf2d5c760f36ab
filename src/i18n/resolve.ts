/**
 * Which language the tutor speaks: `--lang`, else `LLM_TUTOR_LANG`, else the
 * workspace's `"lang"` (llm-tutor.json), else the system locale (LC_ALL,
 * LC_MESSAGES, LANG, as POSIX orders them), else English. A language asked for
 * by name that the tutor does not speak is an error; a system locale it does
 * not speak means English.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { defaultLocale } from '../core/authoring/locale-tags.js';
import { supportedLocales } from './i18n.js';

/** The supported tag a locale name means (`zh_CN.UTF-8`, `zh-Hans`, `zh` → `zh-CN`; `en_GB` → `en`), or undefined. */
export function supportedLocale(name: string): string | undefined {
  // POSIX names: language_REGION.codeset@modifier.
  const tag = name.trim().replace(/[.@].*$/, '').replace(/_/g, '-');
  const [language] = tag.toLowerCase().split('-');
  if (language === 'en') return 'en';
  // Simplified Chinese is the Chinese the tutor has: zh, zh-CN, zh-SG, zh-Hans, and a Chinese of another region.
  if (language === 'zh') return 'zh-CN';
  return undefined;
}

const speaks = () => supportedLocales.map((l) => `${l.tag} (${l.name})`).join(' and ');

/** A language asked for by name (`--lang`, LLM_TUTOR_LANG, the workspace's "lang"), checked. */
function named(value: string, where: string): string {
  const found = supportedLocale(value);
  if (found) return found;
  throw new UserError(`${where} is "${value.slice(0, 40)}", a language llm-tutor does not speak: it speaks ${speaks()}.`, { next: `Give ${where.split(' ')[0]} one of ${supportedLocales.map((l) => l.tag).join(', ')}.`, exitCode: 2 });
}

/** The `"lang"` of the workspace config at `dir` or the nearest folder above it holding one, when it has one; never throws (the command reports a bad config). */
function workspaceLang(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidates = [path.join(dir, 'llm-tutor.json'), path.join(dir, 'llm-tutor-workspace', 'llm-tutor.json')];
    for (const file of candidates) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      try {
        const lang = (JSON.parse(text) as { lang?: unknown }).lang;
        return typeof lang === 'string' ? lang : undefined;
      } catch {
        return undefined;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The value of `--lang` (or `--lang=…`) in command-line arguments, before commander reads them (help text depends on it). */
export function langArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return undefined;
    if (argv[i] === '--lang') return argv[i + 1] ?? '';
    if (argv[i].startsWith('--lang=')) return argv[i].slice('--lang='.length);
  }
  return undefined;
}

/** The value of `-w`/`--workspace` in the arguments, if given. */
function workspaceArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-w' || argv[i] === '--workspace') return argv[i + 1];
    if (argv[i].startsWith('--workspace=')) return argv[i].slice('--workspace='.length);
  }
  return undefined;
}

/** The locale of a run: see the module's comment. */
export function resolveLocale(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string {
  const flag = langArgument(argv);
  if (flag !== undefined) return named(flag, '--lang');
  if (env.LLM_TUTOR_LANG) return named(env.LLM_TUTOR_LANG, 'LLM_TUTOR_LANG');
  const workspace = workspaceArgument(argv);
  const configured = workspaceLang(workspace ? path.resolve(cwd, workspace) : cwd);
  if (configured !== undefined) return named(configured, 'the "lang" of llm-tutor.json');
  const system = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  return (system && supportedLocale(system)) || defaultLocale;
}
