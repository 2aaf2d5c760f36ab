/**
 * positions/alibi — model solution.
 * Each head h (from 1) gets a slope m_h; entry (i, j) of its matrix is the
 * penalty −m_h·(i − j) for a key j at or before the query i, and −Infinity
 * for a key after it. When H is not a power of two, the slopes are those of
 * the closest smaller power of two c, then every other slope of 2c heads.
 */
export function alibiBias(heads: number, n: number): Matrix[] {
  return alibiSlopes(heads).map((m) => biasOfHead(m, n));
}

/** The slopes of H heads, as the paper's get_slopes gives them. */
function alibiSlopes(heads: number): number[] {
  const c = 2 ** Math.floor(Math.log2(heads));
  const first = Array.from({ length: c }, (_, h) => 2 ** ((-8 * (h + 1)) / c));
  if (c === heads) return first;
  const everyOther = alibiSlopes(2 * c).filter((_, k) => k % 2 === 0);
  return [...first, ...everyOther.slice(0, heads - c)];
}

/** The [n][n] bias of one head with slope m: −m·(i − j) where j ≤ i, −Infinity where j > i. */
function biasOfHead(m: number, n: number): Matrix {
  const bias: Matrix = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    for (let j = 0; j < n; j++) row[j] = j <= i ? -m * (i - j) : -Infinity;
    bias.push(row);
  }
  return bias;
}
