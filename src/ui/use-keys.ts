import { useInput, type Key } from 'ink';

/**
 * Like Ink's useInput, but several keys that arrive in one read (typed fast, or
 * sent by a script) are handled one by one instead of as one string.
 */
export function useKeys(handler: (input: string, key: Key) => void, options?: { isActive?: boolean }): void {
  useInput((input, key) => {
    if (input.length > 1 && !key.ctrl && !key.meta && !/[\u0000-\u001F]/.test(input)) {
      for (const char of input) handler(char, key);
    } else {
      handler(input, key);
    }
  }, options);
}
