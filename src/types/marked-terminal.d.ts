declare module 'marked-terminal' {
  /** A marked extension that renders markdown for a terminal. */
  export function markedTerminal(options?: Record<string, unknown>, highlightOptions?: Record<string, unknown>): unknown;
}
