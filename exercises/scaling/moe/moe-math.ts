// Shared pieces of the moe track's definitions: the router (softmax over all
// experts, top-k by probability, ties to the lower index), the auxiliary loss,
// the capacity dispatch and the SwiGLU experts, in float64 plain TypeScript.

/** Softmax of one row, computed stably (the largest logit subtracted first). */
export function softmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** The experts of one token from the most probable down; equal probabilities go to the lower index first. */
export function ranked(probs: readonly number[], lowerFirst = true): number[] {
  const order = probs.map((_, e) => e);
  return order.sort((a, b) => probs[b] - probs[a] || (lowerFirst ? a - b : b - a));
}

export interface Routing {
  experts: number[][];
  weights: number[][];
}

/** Each token's full softmax, its top-k experts and their weights (renormalised over the k when `normalize`). */
export function routeSteps(logits: readonly number[][], k: number, normalize: boolean, lowerFirst = true) {
  const probabilities = logits.map(softmax);
  const experts = probabilities.map((p) => ranked(p, lowerFirst).slice(0, k));
  const selected = experts.map((chosen, t) => chosen.map((e) => probabilities[t][e]));
  const weights = normalize ? selected.map((w) => w.map((x) => x / w.reduce((a, b) => a + b, 0))) : selected;
  return { steps: { probabilities, experts, weights }, output: { experts, weights } as Routing };
}

/**
 * HF's load_balancing_loss_func on one layer's logits: f[slot][e] is the
 * fraction of tokens whose slot-th choice is e, P[e] the mean full softmax
 * probability of e, and the loss E · Σ_slot Σ_e f[slot][e]·P[e].
 */
export function balanceSteps(routerLogits: readonly number[][], k: number, lowerFirst = true) {
  const { probabilities, experts } = routeSteps(routerLogits, k, false, lowerFirst).steps;
  const T = routerLogits.length;
  const E = routerLogits[0].length;
  const fractions = Array.from({ length: k }, (_, slot) => Array.from({ length: E }, (_, e) => experts.filter((chosen) => chosen[slot] === e).length / T));
  const meanProbabilities = Array.from({ length: E }, (_, e) => probabilities.reduce((acc, p) => acc + p[e], 0) / T);
  const loss = E * fractions.reduce((acc, f) => acc + f.reduce((s, x, e) => s + x * meanProbabilities[e], 0), 0);
  return { steps: { probabilities, experts, fractions, meanProbabilities }, loss };
}

export type Claim = [token: number, choice: number];
export interface Dispatch {
  slots: Claim[][];
  dropped: Claim[];
}

/** Expert capacity floor(capacityFactor · T · k / E), evaluated left to right. */
export const capacityOf = (capacityFactor: number, T: number, k: number, E: number): number => Math.floor((capacityFactor * T * k) / E);

/** Claims `order` (a list of [token, choice]) in turn: a claim takes a slot of its expert while one is free, else it is dropped. */
export function claimInOrder(experts: readonly number[][], numExperts: number, capacity: number, order: Claim[]): Dispatch {
  const slots: Claim[][] = Array.from({ length: numExperts }, () => []);
  const dropped: Claim[] = [];
  for (const [t, c] of order) {
    const e = experts[t][c];
    if (slots[e].length < capacity) slots[e].push([t, c]);
    else dropped.push([t, c]);
  }
  return { slots, dropped };
}

/** The claims choice by choice: every token's first choice in position order, then every second choice, … */
export function choiceMajor(experts: readonly number[][]): Claim[] {
  const k = experts[0]?.length ?? 0;
  const order: Claim[] = [];
  for (let c = 0; c < k; c++) for (let t = 0; t < experts.length; t++) order.push([t, c]);
  return order;
}

export interface Expert {
  w1: number[][];
  w3: number[][];
  w2: number[][];
}
export interface MoeParams {
  router: number[][];
  experts: Expert[];
}

const dot = (x: readonly number[], w: readonly number[][], j: number) => x.reduce((s, v, i) => s + v * w[i][j], 0);
/** x·W for one row x and W [in, out]. */
export const rowTimes = (x: readonly number[], w: readonly number[][]): number[] => w[0].map((_, j) => dot(x, w, j));
export const silu = (z: number): number => z / (1 + Math.exp(-z));

/** One SwiGLU expert on one token: (silu(x·w1) ⊙ (x·w3))·w2; `gateOnUp` puts the silu on x·w3 instead (a mistake). */
export function expertOf(x: readonly number[], e: Expert, gateOnUp = false): number[] {
  const gate = rowTimes(x, e.w1);
  const up = rowTimes(x, e.w3);
  const h = gate.map((g, i) => (gateOnUp ? g * silu(up[i]) : silu(g) * up[i]));
  return rowTimes(h, e.w2);
}

/** Σ over the pairs of weight · expert(x): one token's output. */
export function mixture(x: readonly number[], p: MoeParams, chosen: readonly number[], weights: readonly number[], gateOnUp = false): number[] {
  const out = new Array<number>(x.length).fill(0);
  chosen.forEach((e, j) => expertOf(x, p.experts[e], gateOnUp).forEach((v, i) => (out[i] += weights[j] * v)));
  return out;
}
