/**
 * backprop/gelu-backward — model solution.
 * gelu′(x) = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²), with
 * t = tanh(√(2/π)·(x + 0.044715·x³)); the result is dy times it.
 */
const c = Math.sqrt(2 / Math.PI);

function geluDerivative(x: number): number {
  const t = Math.tanh(c * (x + 0.044715 * x ** 3));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
}

export function geluBackward(x: Vector, dy: Vector): Vector {
  return x.map((v, i) => dy[i] * geluDerivative(v));
}
