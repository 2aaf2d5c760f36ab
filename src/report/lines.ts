import type { ChalkInstance } from 'chalk';

/**
 * A run of text with one style. Screens and reporters lay their content out
 * as lines of spans so that a screen can count its rows exactly (one Line is
 * one terminal row, never wrapped) and a reporter can print the same layout.
 * Text in a span is already escaped for the terminal by whoever built it.
 */
export interface Span {
  text: string;
  color?: 'red' | 'green' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray';
  bold?: boolean;
  italic?: boolean;
  dim?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

/** One terminal row. */
export type Line = Span[];

/** A line of one span. */
export function line(text: string, style: Omit<Span, 'text'> = {}): Line {
  return [{ text, ...style }];
}

/** The plain text of a line, without styles. */
export function plainText(row: Line): string {
  return row.map((span) => span.text).join('');
}

/** A line printed with chalk (no colour when chalk's level is 0). */
export function styleLine(row: Line, chalk: ChalkInstance): string {
  return row
    .map((span) => {
      let styled = chalk;
      if (span.color) styled = styled[span.color];
      if (span.bold) styled = styled.bold;
      if (span.italic) styled = styled.italic;
      if (span.dim) styled = styled.dim;
      if (span.underline) styled = styled.underline;
      if (span.inverse) styled = styled.inverse;
      return styled === chalk ? span.text : styled(span.text);
    })
    .join('');
}
