/**
 * A seeded pseudo-random generator (mulberry32 over a 32-bit state), so cases
 * are the same for a given seed on every machine and in every Node version.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A standard normal sample (Box–Muller). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** Derives a per-exercise seed from the run's seed and the exercise id (FNV-1a). */
export function deriveSeed(seed: number, key: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Rounds to a few decimals, so generated inputs are readable in a diff and exactly representable in JSON. */
export function tidy(x: number, decimals = 4): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** A `[rows, cols]` matrix of normal samples with standard deviation `std`. */
export function randomMatrix(rng: Rng, rows: number, cols: number, std = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => tidy(rng.normal(0, std))));
}

/** A vector of `n` normal samples with standard deviation `std`. */
export function randomVector(rng: Rng, n: number, std = 1): number[] {
  return Array.from({ length: n }, () => tidy(rng.normal(0, std)));
}

/** A vector of `n` integers in [lo, hi]. */
export function randomInts(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => rng.int(lo, hi));
}

/**
 * `n` uniform numbers in [0, 1), the randomness of a stochastic exercise:
 * the learner's function takes them as an argument, so its answer is
 * deterministic. Exact (not tidied): a uniform on a rounded grid would hit
 * boundaries more often than a real draw does.
 */
export function uniforms(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}
