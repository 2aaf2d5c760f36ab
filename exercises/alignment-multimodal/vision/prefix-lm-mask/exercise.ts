import { defineExercise, type Tf } from 'llm-tutor/pack';
import { wrongKind } from '../../../transformer-core/properties.js';

type Args = [prefixLen: number, total: number];

const T = true;
const F = false;

/** A mask from a rule: mask[i][j] = sees(i, j) for i, j < total. */
const build = (total: number, sees: (i: number, j: number) => boolean) => Array.from({ length: total }, (_, i) => Array.from({ length: total }, (_, j) => sees(i, j)));

/** The mask in tfjs, from its two parts: the prefix columns (j < prefixLen) and the causal triangle (j ≤ i); the mask is their union. */
function maskSteps(tf: Tf, prefixLen: number, total: number) {
  const keys = tf.tile(tf.reshape(tf.range(0, total, 1, 'int32'), [1, total]), [total, 1]);
  const queries = tf.transpose(keys);
  const prefix = tf.less(keys, tf.scalar(prefixLen, 'int32'));
  const causal = tf.lessEqual(keys, queries);
  return { steps: { 'prefix columns, j < prefixLen': prefix, 'causal, j ≤ i': causal }, output: tf.logicalOr(prefix, causal) };
}

const isBoolMatrix = (x: unknown): x is boolean[][] => Array.isArray(x) && x.every((row) => Array.isArray(row) && row.every((v) => typeof v === 'boolean'));
const drawRow = (row: boolean[]) => row.map((v) => (v ? '■' : '·')).join(' ');

export default defineExercise<Args, boolean[][]>({
  entry: 'prefixLmMask',
  signature: 'prefixLmMask(prefixLen: number, total: number): boolean[][]',
  compare: 'exact',
  cases: (rng) => {
    const long = rng.int(7, 10);
    const longPrefix = rng.int(2, long - 2);
    const short = rng.int(4, 6);
    const shortPrefix = rng.int(1, short - 2);
    return [
      // PyTorch 1.13, big_vision's PaliGemma rule: ar = (torch.arange(6) >= 3).long(); c = torch.cumsum(ar, 0); c[None, :] <= c[:, None]
      {
        name: 'the lesson example: prefix 3 of 6 positions',
        args: [3, 6],
        expected: [
          [T, T, T, F, F, F],
          [T, T, T, F, F, F],
          [T, T, T, F, F, F],
          [T, T, T, T, F, F],
          [T, T, T, T, T, F],
          [T, T, T, T, T, T],
        ],
      },
      { name: `random: prefix ${longPrefix} of ${long} positions`, args: [longPrefix, long] },
      { name: `random, shorter: prefix ${shortPrefix} of ${short} positions`, args: [shortPrefix, short] },
      { name: 'PaliGemma-like: 4 image tokens + 3 prompt tokens, then a suffix of 4: prefix 7 of 11', args: [7, 11] },
      // PyTorch 1.13: torch.ones(5, 5, dtype=torch.bool).tril()
      {
        name: 'prefixLen 0: the causal mask of 5 positions',
        args: [0, 5],
        expected: [
          [T, F, F, F, F],
          [T, T, F, F, F],
          [T, T, T, F, F],
          [T, T, T, T, F],
          [T, T, T, T, T],
        ],
      },
      { name: 'prefixLen 1: the first position alone is the prefix, the same as causal', args: [1, 4] },
      { name: 'prefixLen = total = 4: everything is prefix, all true', args: [4, 4] },
      { name: 'prefixLen 7 > total 5: all true', args: [7, 5] },
      { name: 'one position, prefixLen 0: [[true]]', args: [0, 1] },
    ];
  },
  reference: ({ tf }, prefixLen, total) => (maskSteps(tf, prefixLen, total).output.arraySync() as number[][]).map((row) => row.map((v) => v === 1)),
  trace: ({ tf }, prefixLen, total) => maskSteps(tf, prefixLen, total).steps,
  properties: [
    {
      name: 'every prefix row sees the whole prefix: the prefix rows agree on the first prefixLen columns',
      cases: () => [
        { name: 'prefix 3 of 7 positions', calls: [[3, 7]] as Args[] },
        { name: 'prefix 5 of 6 positions', calls: [[5, 6]] as Args[] },
      ],
      holds: ([mask], [[prefixLen]]) => {
        const odd = wrongKind('prefixLmMask', 'a list of lists of booleans', [mask], isBoolMatrix);
        if (odd) return odd;
        for (let i = 0; i < prefixLen; i++) {
          const j = mask[i].slice(0, prefixLen).findIndex((v) => !v);
          if (j >= 0) return `Your row ${i} is ${drawRow(mask[i])}: prefix position ${i} does not see prefix position ${j}. The prefix (the image and the prompt) is attended bidirectionally: every prefix row is true on all ${prefixLen} prefix columns.`;
        }
        return undefined;
      },
    },
    {
      name: 'past the prefix the mask is causal: no position sees a later suffix position',
      cases: () => [
        { name: 'prefix 2 of 6 positions', calls: [[2, 6]] as Args[] },
        { name: 'prefix 4 of 7 positions', calls: [[4, 7]] as Args[] },
      ],
      holds: ([mask], [[prefixLen, total]]) => {
        const odd = wrongKind('prefixLmMask', 'a list of lists of booleans', [mask], isBoolMatrix);
        if (odd) return odd;
        for (let i = 0; i < total; i++) {
          for (let j = prefixLen; j < total; j++) {
            if ((mask[i]?.[j] ?? false) !== j <= i) {
              return `Your row ${i} is ${drawRow(mask[i])}: column ${j} is a suffix position (prefixLen ${prefixLen}), so row ${i} sees it only if ${j} ≤ ${i}. The suffix is generated left to right: no position may see a later one, prefix rows included.`;
            }
          }
        }
        return undefined;
      },
    },
  ],
  misconceptions: [
    {
      id: 'causal-everywhere',
      title: { en: 'causal over the prefix too', 'zh-CN': '前缀上也用了因果掩码' },
      message: {
        en:
          'Your mask is the plain causal one: row 0 of the lesson is ■ · · · · · instead of ■ ■ ■ · · ·, so the first image token sees only itself (21 true entries instead of 24). In a prefix-LM every prefix position sees the whole prefix: mask[i][j] = (j < prefixLen) or (j ≤ i).',
        'zh-CN':
          '你的掩码就是普通的因果掩码：课程例子的第 0 行是 ■ · · · · · 而不是 ■ ■ ■ · · ·，所以第一个图像 token 只能看到它自己（为 true 的项是 21 个而不是 24 个）。在前缀语言模型中，每个前缀位置都能看到整个前缀：mask[i][j] = (j < prefixLen) 或 (j ≤ i)。',
      },
      hint: {
        en: 'In the lesson, may position 0 (an image token) look at position 2, also in the prefix?',
        'zh-CN': '在课程例子里，位置 0（一个图像 token）可以看位置 2 吗？位置 2 同样在前缀里。',
      },
      wrong: (_ctx, _prefixLen, total) => build(total, (i, j) => j <= i),
    },
    {
      id: 'prefix-rows-see-all',
      title: { en: 'prefix rows see the suffix too (fully bidirectional rows)', 'zh-CN': '前缀行也能看到后缀（整行都是双向的）' },
      message: {
        en:
          'Your prefix rows are all true: row 0 of the lesson is ■ ■ ■ ■ ■ ■ instead of ■ ■ ■ · · · (33 true entries instead of 24). The prefix must not see the suffix: at generation time the suffix does not exist yet, and in training the prefix\'s keys and values would leak the answer into it.',
        'zh-CN':
          '你的前缀行全为 true：课程例子的第 0 行是 ■ ■ ■ ■ ■ ■ 而不是 ■ ■ ■ · · ·（为 true 的项是 33 个而不是 24 个）。前缀不能看到后缀：生成时后缀还不存在，训练时前缀的键和值会把答案泄露进去。',
      },
      hint: {
        en: 'In the lesson, may position 1 (in the prefix) see position 4 (in the suffix)? What does position 4 hold while the model is still reading the prompt?',
        'zh-CN': '在课程例子里，位置 1（在前缀中）可以看到位置 4（在后缀中）吗？模型还在读提示时，位置 4 上是什么？',
      },
      wrong: (_ctx, prefixLen, total) => build(total, (i, j) => i < prefixLen || j < prefixLen || j <= i),
    },
    {
      id: 'prefix-off-by-one',
      title: { en: 'j ≤ prefixLen: one position too many in the prefix', 'zh-CN': 'j ≤ prefixLen：前缀多算了一个位置' },
      message: {
        en:
          'Your prefix columns run to j ≤ prefixLen: row 0 of the lesson is ■ ■ ■ ■ · · instead of ■ ■ ■ · · · (27 true entries instead of 24), so every prefix position sees position 3, the first token of the suffix. The prefix is positions 0 … prefixLen − 1: j < prefixLen.',
        'zh-CN':
          '你的前缀列一直取到 j ≤ prefixLen：课程例子的第 0 行是 ■ ■ ■ ■ · · 而不是 ■ ■ ■ · · ·（为 true 的项是 27 个而不是 24 个），于是每个前缀位置都能看到位置 3，即后缀的第一个 token。前缀是位置 0 … prefixLen − 1：j < prefixLen。',
      },
      hint: { en: 'With prefixLen = 3, which positions are in the prefix? Count them.', 'zh-CN': 'prefixLen = 3 时，哪些位置属于前缀？数一数。' },
      wrong: (_ctx, prefixLen, total) => build(total, (i, j) => j <= prefixLen || j <= i),
    },
  ],
  hints: [
    {
      en: 'Start from the causal mask, mask[i][j] = j ≤ i, and draw the lesson\'s 6×6 grid: which entries must change for a prefix of 3?',
      'zh-CN': '从因果掩码 mask[i][j] = j ≤ i 出发，画出课程里 6×6 的网格：前缀为 3 时，哪些项必须改变？',
    },
    {
      en: 'Every row sees the prefix columns 0 … prefixLen − 1; beyond them, a row sees the columns up to itself.',
      'zh-CN': '每一行都能看到前缀列 0 … prefixLen − 1；在这些列之外，一行能看到直到它自身为止的列。',
    },
    {
      en: 'The key idea: the union of two masks, the prefix columns (j < prefixLen) and the causal triangle (j ≤ i).',
      'zh-CN': '关键：两个掩码的并集，即前缀列（j < prefixLen）与因果三角（j ≤ i）。',
    },
  ],
});
