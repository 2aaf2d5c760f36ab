import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findProgram } from '../../sandbox/isolation.js';

/** The command-line entry of this installation. */
const binFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'llm-tutor.js');

let onPath: boolean | undefined;

/**
 * How to run llm-tutor from `cwd`, as the tutor prints it in the commands it
 * suggests: `llm-tutor` when that is on the PATH (installed with `npm install -g`),
 * else `node <path of bin/llm-tutor.js from cwd>` (right after `npm start` in a
 * clone, nothing is on the PATH). `LLM_TUTOR_COMMAND` overrides both.
 */
export function tutorCommand(cwd = process.cwd()): string {
  const forced = process.env.LLM_TUTOR_COMMAND;
  if (forced) return forced;
  onPath ??= findProgram('llm-tutor') !== undefined;
  if (onPath) return 'llm-tutor';
  // A path that climbs more than one folder reads better absolute.
  const relative = path.relative(cwd, binFile);
  const shown = relative.startsWith(`..${path.sep}..`) || path.isAbsolute(relative) ? binFile : relative;
  return `node ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`;
}

/** `text` with every command quoted as `` `llm-tutor …` `` written the way {@link tutorCommand} runs it from `cwd`. */
export function runnableCommands(text: string, cwd = process.cwd()): string {
  const command = tutorCommand(cwd);
  return command === 'llm-tutor' ? text : text.replaceAll('`llm-tutor ', `\`${command} `);
}
