import { anyOf, defineExercise, type Rng } from 'llm-tutor/pack';
import { wrongKind } from '../../properties.js';

type Target = 'q' | 'k' | 'v' | 'o' | 'up' | 'down';
interface Config {
  dModel: number;
  dFF: number;
  nLayers: number;
  r: number;
  targets: Target[];
}
interface Counts {
  trainable: number;
  frozen: number;
}
type Args = [cfg: Config];

const ALL_TARGETS: Target[] = ['q', 'k', 'v', 'o', 'up', 'down'];

/** [in, out] of each adaptable weight: q, k, v, o are [d, d], up is [d, dFF], down is [dFF, d]. */
function shapeOf(target: Target, cfg: Config, ffnAsSquare = false): [number, number] {
  const d = cfg.dModel;
  const ff = ffnAsSquare ? d : cfg.dFF;
  if (target === 'up') return [d, ff];
  if (target === 'down') return [ff, d];
  return [d, d];
}

const distinct = (targets: Target[]): Target[] => [...new Set(targets)];

/** Adapter parameters of one layer, with `perMatrix(in, out)` per listed target. */
function perLayer(targets: Target[], cfg: Config, perMatrix: (din: number, dout: number) => number, ffnAsSquare = false): number {
  return targets.reduce((sum, t) => {
    const [din, dout] = shapeOf(t, cfg, ffnAsSquare);
    return sum + perMatrix(din, dout);
  }, 0);
}

/** The frozen weights of one layer: q, k, v, o, up and down. */
function frozenPerLayer(cfg: Config, ffnAsSquare = false): number {
  return perLayer(ALL_TARGETS, cfg, (din, dout) => din * dout, ffnAsSquare);
}

function count(cfg: Config): Counts {
  return {
    trainable: cfg.nLayers * perLayer(distinct(cfg.targets), cfg, (din, dout) => cfg.r * (din + dout)),
    frozen: cfg.nLayers * frozenPerLayer(cfg),
  };
}

function randomConfig(rng: Rng): Config {
  const dModel = rng.pick([32, 48, 64, 96, 128, 192]);
  const dFF = rng.pick([2, 3, 4]) * dModel + rng.pick([0, 0, 16]);
  const targets = ALL_TARGETS.filter(() => rng.next() < 0.5);
  if (targets.length === 0) targets.push(rng.pick(ALL_TARGETS));
  return { dModel, dFF, nLayers: rng.int(2, 12), r: rng.pick([2, 4, 8, 16]), targets };
}

const isCounts = (x: unknown): x is Counts =>
  typeof x === 'object' && x !== null && typeof (x as Counts).trainable === 'number' && typeof (x as Counts).frozen === 'number';

/** A property's `holds` that first checks every output is `{ trainable, frozen }`. */
function counts(check: (outputs: Counts[], calls: Args[]) => string | undefined) {
  return (outputs: unknown[], calls: Args[]) => wrongKind('loraParamCount', 'an object { trainable, frozen } of numbers', outputs, isCounts) ?? check(outputs as Counts[], calls);
}

/** One configuration at rank r, then the same at rank 2r (and, for `otherTargets`, other targets). */
function doubled(cfg: Config, otherTargets = cfg.targets) {
  const name = `d ${cfg.dModel}, dFF ${cfg.dFF}, ${cfg.nLayers} layers, targets ${cfg.targets.join(', ') || 'none'}: r ${cfg.r}, then r ${2 * cfg.r}`;
  return { name: otherTargets === cfg.targets ? name : `${name} with targets ${otherTargets.join(', ') || 'none'}`, calls: [[cfg], [{ ...cfg, r: 2 * cfg.r, targets: otherTargets }]] as Args[] };
}

export default defineExercise<Args, Counts>({
  entry: 'loraParamCount',
  signature: 'loraParamCount(cfg: { dModel: number; dFF: number; nLayers: number; r: number; targets: ("q" | "k" | "v" | "o" | "up" | "down")[] }): { trainable: number; frozen: number }',
  cases: (rng) => {
    const random1 = randomConfig(rng);
    const random2 = randomConfig(rng);
    return [
      { name: 'the lesson example: d 64, dFF 192, 3 layers, r 4, targets q, v, up, v', args: [{ dModel: 64, dFF: 192, nLayers: 3, r: 4, targets: ['q', 'v', 'up', 'v'] }] },
      { name: 'one 4096 × 4096 query matrix at r 8 (65,536 trainable)', args: [{ dModel: 4096, dFF: 11008, nLayers: 1, r: 8, targets: ['q'] }] },
      { name: 'a LLaMA-7B-sized model with PEFT\'s default targets q, v at r 8', args: [{ dModel: 4096, dFF: 11008, nLayers: 32, r: 8, targets: ['q', 'v'] }] },
      { name: `random: d ${random1.dModel}, dFF ${random1.dFF}, ${random1.nLayers} layers, r ${random1.r}, targets ${random1.targets.join(', ')}`, args: [random1] },
      { name: `random: d ${random2.dModel}, dFF ${random2.dFF}, ${random2.nLayers} layers, r ${random2.r}, targets ${random2.targets.join(', ')}`, args: [random2] },
      { name: 'GPT-2 small sized, every target: d 768, dFF 3072, 12 layers, r 16', args: [{ dModel: 768, dFF: 3072, nLayers: 12, r: 16, targets: ['q', 'k', 'v', 'o', 'up', 'down'] }] },
      { name: 'only the MLP: targets up, down (their shapes are [d, dFF] and [dFF, d])', args: [{ dModel: 128, dFF: 512, nLayers: 6, r: 8, targets: ['up', 'down'] }] },
      { name: 'every target listed twice (each counts once)', args: [{ dModel: 32, dFF: 80, nLayers: 3, r: 2, targets: ['k', 'o', 'down', 'k', 'o', 'down'] }] },
      { name: 'no targets: nothing is trainable, everything is frozen', args: [{ dModel: 64, dFF: 256, nLayers: 4, r: 8, targets: [] }] },
      { name: 'an MLP narrower than the model: d 128, dFF 96, targets down, q', args: [{ dModel: 128, dFF: 96, nLayers: 2, r: 4, targets: ['down', 'q'] }] },
      { name: 'rank 1, a single layer, target k', args: [{ dModel: 16, dFF: 64, nLayers: 1, r: 1, targets: ['k'] }] },
    ];
  },
  reference: (_ctx, cfg) => count(cfg),
  compare: 'exact',
  properties: [
    {
      name: 'doubling r doubles the trainable count',
      cases: (rng) => [doubled({ dModel: 64, dFF: 192, nLayers: 3, r: 4, targets: ['q', 'v', 'up'] }), doubled(randomConfig(rng))],
      holds: counts(([once, twice], calls) => {
        if (twice.trainable === 2 * once.trainable) return undefined;
        return (
          `Your trainable count is ${once.trainable} at r ${calls[0][0].r} and ${twice.trainable} at r ${calls[1][0].r}, not twice as many. ` +
          'Each adapter is A: [in, r] and B: [r, out], r·(in + out) parameters, so the count is proportional to r: the lesson example has 6,144 at r 4 and 12,288 at r 8.'
        );
      }),
    },
    {
      name: 'the frozen count depends on neither r nor the targets',
      cases: (rng) => [doubled({ dModel: 64, dFF: 192, nLayers: 3, r: 4, targets: ['q', 'v', 'up'] }, []), doubled(randomConfig(rng), ['down', 'k'])],
      holds: counts(([first, second], calls) => {
        if (first.frozen === second.frozen) return undefined;
        return (
          `Your frozen count is ${first.frozen} for the first configuration and ${second.frozen} for the second, which changes only r and the targets. ` +
          'The frozen weights are the six matrices of every block, adapted or not, and the adapters are not among them: nLayers · (4·d·d + 2·d·dFF), 122,880 in the lesson example whatever r is.'
        );
      }),
    },
  ],
  misconceptions: [
    {
      id: 'r-times-d-squared',
      title: { en: 'r·d·d (or r·in·out) per adapted matrix instead of r·(in + out)', 'zh-CN': '每个被适配矩阵按 r·d·d（或 r·in·out）计，而不是 r·(in + out)' },
      message: {
        en:
          'An adapter for an [in, out] weight is two matrices, A: [in, r] and B: [r, out], so it has r·in + r·out = r·(in + out) parameters. ' +
          'r·d·d (or r·in·out) counts r full copies of the weight: that is what LoRA avoids. For a 4096 × 4096 matrix at r = 8 the adapter has 65,536 parameters, not 134 million.',
        'zh-CN':
          '[in, out] 权重上的适配器是两个矩阵 A: [in, r] 和 B: [r, out]，所以它有 r·in + r·out = r·(in + out) 个参数。' +
          'r·d·d（或 r·in·out）相当于数了 r 份完整的权重副本，而这正是 LoRA 要避免的。对一个 4096 × 4096 的矩阵，r = 8 时适配器有 65,536 个参数，而不是 134M 个。',
      },
      hint: {
        en: 'Write the shapes of A and B for one [in, out] weight and count their entries. Is that a product of three numbers?',
        'zh-CN': '写出一个 [in, out] 权重对应的 A 和 B 的形状，数一数它们的元素个数。这会是三个数的乘积吗？',
      },
      wrong: (_ctx, cfg) => {
        const d = cfg.dModel;
        const targets = distinct(cfg.targets);
        const { frozen } = count(cfg);
        return anyOf(
          { trainable: cfg.nLayers * targets.length * cfg.r * d * d, frozen },
          { trainable: cfg.nLayers * perLayer(targets, cfg, (din, dout) => cfg.r * din * dout), frozen },
        );
      },
    },
    {
      id: 'duplicates-counted',
      title: { en: 'a target listed twice is counted twice', 'zh-CN': '列出两次的目标被算了两次' },
      message: {
        en: 'targets names which weights get an adapter; a weight listed twice still gets one adapter. Remove duplicates first (new Set(cfg.targets)), then sum over the distinct targets.',
        'zh-CN': 'targets 指定哪些权重要加适配器；同一个权重列出两次，也只加一个适配器。先去重（new Set(cfg.targets)），再对去重后的目标求和。',
      },
      hint: { en: 'List the same target twice: does the model get two adapters on one weight?', 'zh-CN': '把同一个目标列出两次：模型会在同一个权重上加两个适配器吗？' },
      wrong: (_ctx, cfg) => ({
        trainable: cfg.nLayers * perLayer(cfg.targets, cfg, (din, dout) => cfg.r * (din + dout)),
        frozen: count(cfg).frozen,
      }),
    },
    {
      id: 'mlp-as-square',
      title: { en: 'up and down treated as [d, d]', 'zh-CN': '把 up 和 down 当成了 [d, d]' },
      message: {
        en:
          'Only q, k, v and o are [d, d]. The MLP\'s up projection is [d, dFF] and its down projection [dFF, d]: their adapters have r·(d + dFF) parameters each, ' +
          'and their frozen weights d·dFF each. Use dFF wherever the MLP is involved, in both counts.',
        'zh-CN':
          '只有 q、k、v 和 o 是 [d, d]。MLP 的 up 投影是 [d, dFF]，down 投影是 [dFF, d]：它们的适配器各有 r·(d + dFF) 个参数，' +
          '冻结的权重各有 d·dFF 个。凡是涉及 MLP 的地方都要用 dFF，两个计数都是如此。',
      },
      hint: { en: 'Write the shapes of the up and down projections: are they [d, d]?', 'zh-CN': '写出 up 和 down 投影的形状：它们是 [d, d] 吗？' },
      wrong: (_ctx, cfg) => {
        const { trainable, frozen } = count(cfg);
        const squareTrainable = cfg.nLayers * perLayer(distinct(cfg.targets), cfg, (din, dout) => cfg.r * (din + dout), true);
        const squareFrozen = cfg.nLayers * frozenPerLayer(cfg, true);
        return anyOf(
          { trainable: squareTrainable, frozen: squareFrozen },
          { trainable: squareTrainable, frozen },
          { trainable, frozen: squareFrozen },
        );
      },
    },
    {
      id: 'layers-not-multiplied',
      title: { en: 'counted for one layer, not nLayers', 'zh-CN': '只算了一层，没有乘 nLayers' },
      message: {
        en: 'Every one of the nLayers layers has its own weights and, for each target, its own adapter. Multiply the per-layer counts by cfg.nLayers (both of them).',
        'zh-CN': 'nLayers 层中的每一层都有自己的权重，每个目标也都有自己的适配器。把每层的计数（两个都要）乘以 cfg.nLayers。',
      },
      hint: { en: 'Your counts are right for one layer. How many layers does the model have?', 'zh-CN': '你的计数对一层来说是对的。模型有多少层？' },
      wrong: (_ctx, cfg) => {
        const { trainable, frozen } = count(cfg);
        return anyOf(
          { trainable: trainable / cfg.nLayers, frozen: frozen / cfg.nLayers },
          { trainable: trainable / cfg.nLayers, frozen },
          { trainable, frozen: frozen / cfg.nLayers },
        );
      },
    },
    {
      id: 'frozen-excludes-targets',
      title: { en: 'the adapted weights left out of the frozen count', 'zh-CN': '冻结参数量漏掉了被适配的权重' },
      message: {
        en:
          'An adapter does not replace its weight: W0 stays in the model, frozen, and the adapter sits beside it. So frozen counts every q, k, v, o, up and down weight of every layer, ' +
          'whatever the targets are; only the adapters (A and B) are trainable.',
        'zh-CN':
          '适配器并不取代它的权重：W0 仍留在模型里并保持冻结，适配器挂在它旁边。所以不论目标是什么，frozen 都要统计每一层的 q、k、v、o、up 和 down 权重；' +
          '只有适配器（A 和 B）是可训练的。',
      },
      hint: { en: 'Does an adapted weight leave the model? The adapter sits beside it.', 'zh-CN': '被适配的权重会离开模型吗？适配器是挂在它旁边的。' },
      wrong: (_ctx, cfg) => {
        const { trainable, frozen } = count(cfg);
        return { trainable, frozen: frozen - cfg.nLayers * perLayer(distinct(cfg.targets), cfg, (din, dout) => din * dout) };
      },
    },
    {
      id: 'one-factor-only',
      title: { en: 'only one of A and B counted', 'zh-CN': 'A 和 B 只算了一个' },
      message: {
        en: 'Each adapter has two trainable matrices, A: [in, r] and B: [r, out]. Counting r·in (A only) or r·out (B only) misses the other: the total per adapted weight is r·(in + out).',
        'zh-CN': '每个适配器有两个可训练矩阵 A: [in, r] 和 B: [r, out]。只算 r·in（只有 A）或 r·out（只有 B）就漏掉了另一个：每个被适配权重的总数是 r·(in + out)。',
      },
      hint: { en: 'An adapter is two matrices. Did you count both?', 'zh-CN': '适配器是两个矩阵。你两个都算了吗？' },
      wrong: (_ctx, cfg) => {
        const targets = distinct(cfg.targets);
        const { frozen } = count(cfg);
        return anyOf(
          { trainable: cfg.nLayers * perLayer(targets, cfg, (din) => cfg.r * din), frozen },
          { trainable: cfg.nLayers * perLayer(targets, cfg, (_din, dout) => cfg.r * dout), frozen },
        );
      },
    },
  ],
  hints: [
    {
      en: 'Work one layer first, then multiply by nLayers. For each weight, write its shape [in, out]: q, k, v and o are [d, d], up is [d, dFF], down is [dFF, d].',
      'zh-CN': '先算一层，再乘以 nLayers。对每个权重写出它的形状 [in, out]：q、k、v 和 o 是 [d, d]，up 是 [d, dFF]，down 是 [dFF, d]。',
    },
    {
      en: 'An adapter on an [in, out] weight is A: [in, r] plus B: [r, out], so r·(in + out) parameters. The frozen count is every weight\'s in·out, adapted or not.',
      'zh-CN': '[in, out] 权重上的适配器是 A: [in, r] 加 B: [r, out]，即 r·(in + out) 个参数。冻结参数量是每个权重的 in·out 之和，不论是否被适配。',
    },
    {
      en: 'trainable = nLayers · Σ over new Set(targets) of r·(in + out); frozen = nLayers · (4·d·d + 2·d·dFF).',
      'zh-CN': 'trainable = nLayers · Σ（对 new Set(targets) 中的每个目标）r·(in + out)；frozen = nLayers · (4·d·d + 2·d·dFF)。',
    },
  ],
});
