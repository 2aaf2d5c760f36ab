import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

/** Columns and rows of the terminal, updated on resize. */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => {
      // A terminal that narrows re-wraps the frame already drawn, one that gets shorter scrolls it, and Ink
      // would then erase too few rows of it: clear the screen so that the next frame is drawn on a clean one.
      const next = read();
      if (next.columns < size.columns || next.rows < size.rows) stdout.write('\u001B[2J\u001B[H');
      setSize(next);
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, size.columns, size.rows]);
  return size;
}
