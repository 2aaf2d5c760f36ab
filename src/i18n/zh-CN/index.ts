/**
 * The tutor's own words in Simplified Chinese, by the English text they
 * translate (see `t` in ../i18n.ts). One file per part of the code, so that
 * each part's texts sit together; a key may appear in one file only.
 */
import { cli } from './cli.js';
import { commands } from './commands.js';
import { core } from './core.js';
import { grading } from './grading.js';
import { lessons } from './lessons.js';
import { report } from './report.js';
import { shared } from './shared.js';
import { ui } from './ui.js';

export const zhCN: Readonly<Record<string, string>> = { ...cli, ...commands, ...core, ...grading, ...lessons, ...report, ...shared, ...ui };

/** The parts, by name, for the test that no key is in two of them. */
export const zhCNParts: Readonly<Record<string, Readonly<Record<string, string>>>> = { cli, commands, core, grading, lessons, report, shared, ui };
