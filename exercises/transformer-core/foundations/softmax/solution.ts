/**
 * foundations/softmax — model solution.
 * Subtracting the max makes the largest exponent exp(0) = 1, so nothing
 * overflows; a row that is entirely −Infinity has no max to subtract and is
 * all zeros by convention.
 */
export function softmax(x: Vector): Vector {
  const max = Math.max(...x);
  if (max === -Infinity) return x.map(() => 0);
  const exps = x.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
