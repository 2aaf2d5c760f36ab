/**
 * model/config — model solution.
 * Every size is read from a shape: the vocabulary and the context are the
 * rows of wte and wpe, C is their width, the layers are the entries of h.
 * Only the number of heads is in no shape: it comes from the header. The
 * count adds up every stored array once; wte is also the output layer
 * (tied), so it is counted once.
 */
interface LayerNormParams {
  gamma: Vector;
  beta: Vector;
}

interface BlockParams {
  ln_1: LayerNormParams;
  attn: { wq: Matrix; bq: Vector; wk: Matrix; bk: Vector; wv: Matrix; bv: Vector; wo: Matrix; bo: Vector };
  ln_2: LayerNormParams;
  mlp: { w1: Matrix; b1: Vector; w2: Matrix; b2: Vector };
}

interface GptWeights {
  config: { vocabSize: number; context: number; layers: number; heads: number; width: number };
  wte: Matrix;
  wpe: Matrix;
  h: BlockParams[];
  ln_f: LayerNormParams;
}

const matrixSize = (m: Matrix): number => m.length * (m.length > 0 ? m[0].length : 0);
const normSize = (n: LayerNormParams): number => n.gamma.length + n.beta.length;

function blockSize(b: BlockParams): number {
  const a = b.attn;
  const attention = matrixSize(a.wq) + a.bq.length + matrixSize(a.wk) + a.bk.length + matrixSize(a.wv) + a.bv.length + matrixSize(a.wo) + a.bo.length;
  const mlp = matrixSize(b.mlp.w1) + b.mlp.b1.length + matrixSize(b.mlp.w2) + b.mlp.b2.length;
  return normSize(b.ln_1) + attention + normSize(b.ln_2) + mlp;
}

export function describeModel(w: GptWeights): { params: number; layers: number; heads: number; width: number; headWidth: number; context: number; vocabSize: number; bytes: number } {
  const width = w.wte[0].length;
  const heads = w.config.heads;
  let params = matrixSize(w.wte) + matrixSize(w.wpe) + normSize(w.ln_f);
  for (const block of w.h) params += blockSize(block);
  return { params, layers: w.h.length, heads, width, headWidth: width / heads, context: w.wpe.length, vocabSize: w.wte.length, bytes: 4 * params };
}
