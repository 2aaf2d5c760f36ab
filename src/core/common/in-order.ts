/**
 * A sink for results that finish out of order (parallel jobs): returns
 * `deliver(index, item)`, which hands each item to `emit` in index order
 * (0, 1, 2…), as soon as it and every item before it have been delivered.
 */
export function inOrder<T>(emit: (item: T) => void): (index: number, item: T) => void {
  const waiting = new Map<number, T>();
  let next = 0;
  return (index, item) => {
    waiting.set(index, item);
    while (waiting.has(next)) {
      const ready = waiting.get(next) as T;
      waiting.delete(next);
      next += 1;
      emit(ready);
    }
  };
}
