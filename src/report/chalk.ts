import { Chalk, type ChalkInstance } from 'chalk';

/**
 * The chalk instance a command writes with. `color` is commander's value of
 * `--no-color`: false when the flag was given, which turns colour off, as a
 * non-empty NO_COLOR does; otherwise chalk reads the terminal and FORCE_COLOR.
 */
export function makeChalk(color?: boolean): ChalkInstance {
  if (color === false || (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '')) return new Chalk({ level: 0 });
  return new Chalk();
}
