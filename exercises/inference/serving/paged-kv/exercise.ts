import { anyOf, defineExercise, randomMatrix, tidy, type Rng } from 'llm-tutor/pack';
import { isMatrix } from '../../../transformer-core/properties.js';

type Args = [blockTable: number[], blocks: number[][][], blockSize: number, seqLen: number];

/**
 * The lesson's cache: 4 physical blocks of 4 rows (d = 2). The sequence's 7 tokens,
 * [1, −1] … [7, −7], sit in physical block 3 (tokens 0–3) and physical block 1
 * (tokens 4–6, its last row unused); block 0 belongs to another sequence, block 2 is free.
 */
export const lessonBlocks: number[][][] = [
  [[21, 21], [22, 22], [23, 23], [24, 24]],
  [[5, -5], [6, -6], [7, -7], [0, 0]],
  [[0, 0], [0, 0], [0, 0], [0, 0]],
  [[1, -1], [2, -2], [3, -3], [4, -4]],
];
export const lessonTable = [3, 1];

/** Token by token: its logical block, the physical block the table maps it to, its row there and vLLM's slot (physical·blockSize + row); and the output. */
export function pagedSteps(blockTable: number[], blocks: number[][][], blockSize: number, seqLen: number) {
  const tokens = Array.from({ length: seqLen }, (_, t) => t);
  const logicalBlock = tokens.map((t) => Math.floor(t / blockSize));
  const physicalBlock = logicalBlock.map((i) => blockTable[i]);
  const row = tokens.map((t) => t % blockSize);
  const slot = tokens.map((t) => physicalBlock[t] * blockSize + row[t]);
  return { steps: { logicalBlock, physicalBlock, row, slot }, output: tokens.map((t) => [...blocks[physicalBlock[t]][row[t]]]) };
}

/** The first n rows of the given blocks laid end to end. */
const firstRows = (order: number[], blocks: number[][][], n: number) => order.flatMap((b) => blocks[b]).slice(0, n).map((r) => [...r]);

/** A pool of `count` blocks of random rows, and a table of `used` of them in shuffled order. */
function randomCache(rng: Rng, count: number, used: number, blockSize: number, d: number): { table: number[]; blocks: number[][][] } {
  const blocks = Array.from({ length: count }, () => randomMatrix(rng, blockSize, d).map((r) => r.map((x) => tidy(x, 3))));
  const order = Array.from({ length: count }, (_, b) => b);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  let table = order.slice(0, used);
  // A shuffle that happens to come out ascending would hide the physical-order mistake.
  if (table.every((b, i) => i === 0 || table[i - 1] < b)) table = [...table].reverse();
  return { table, blocks };
}

function cases(rng: Rng): { name: string; args: Args; expected?: number[][] }[] {
  const big = randomCache(rng, 8, 3, 16, 2);
  const small = randomCache(rng, 6, 4, 4, 3);
  const full = randomCache(rng, 5, 3, 2, 2);
  return [
    {
      name: 'the lesson example: table [3, 1], blockSize 4, 7 tokens (the last row of block 1 unused)',
      args: [lessonTable, lessonBlocks, 4, 7],
      expected: [[1, -1], [2, -2], [3, -3], [4, -4], [5, -5], [6, -6], [7, -7]],
    },
    { name: 'the lesson example one token later: 8 tokens fill block 1', args: [lessonTable, lessonBlocks, 4, 8] },
    { name: 'a table padded past the sequence (vLLM pads block_tables): [3, 1, 0], 6 tokens', args: [[3, 1, 0], lessonBlocks, 4, 6] },
    { name: 'a single token: only row 0 of physical block 3', args: [lessonTable, lessonBlocks, 4, 1] },
    { name: 'a table in physical order [0, 1, 2, 3]: the pool read straight through, 14 tokens', args: [[0, 1, 2, 3], lessonBlocks, 4, 14] },
    { name: 'two sequences sharing the prefix block 3 (copy on write): this one continues in block 2, 5 tokens', args: [[3, 2], lessonBlocks, 4, 5] },
    { name: 'random: blockSize 16 (vLLM\'s default), 3 of 8 blocks, 37 tokens', args: [big.table, big.blocks, 16, 37] },
    { name: 'random: blockSize 4, 4 of 6 blocks, d = 3, 14 tokens', args: [small.table, small.blocks, 4, 14] },
    { name: 'random: blockSize 2, 3 of 5 blocks, 6 tokens (every block full)', args: [full.table, full.blocks, 2, 6] },
  ];
}

export default defineExercise<Args, number[][]>({
  entry: 'gatherPagedKv',
  signature: 'gatherPagedKv(blockTable: number[], blocks: Matrix[], blockSize: number, seqLen: number): Matrix',
  inputsReadOnly: true,
  cases,
  reference: (_ctx, blockTable, blocks, blockSize, seqLen) => pagedSteps(blockTable, blocks, blockSize, seqLen).output,
  trace: (_ctx, blockTable, blocks, blockSize, seqLen) => pagedSteps(blockTable, blocks, blockSize, seqLen).steps,
  properties: [
    {
      name: 'moving a block to another physical slot, and its table entry with it, changes nothing',
      cases: (rng) => {
        const { blocks } = randomCache(rng, 8, 3, 4, 2);
        // Table [4, 1, 6]; logical block 0 moves from slot 4 to the free slot 0 (the two blocks swap places).
        const moved = blocks.map((b) => b.map((r) => [...r]));
        [moved[4], moved[0]] = [moved[0], moved[4]];
        return [{ name: 'table [4, 1, 6], then block 4 moved to slot 0: table [0, 1, 6]; 10 tokens of blockSize 4', calls: [[[4, 1, 6], blocks, 4, 10], [[0, 1, 6], moved, 4, 10]] as Args[] }];
      },
      holds: ([before, after], [[table], [movedTable]]) => {
        for (const out of [before, after]) if (!isMatrix(out)) return `gatherPagedKv must return a matrix (a list of rows); it returned ${JSON.stringify(out)?.slice(0, 80)}.`;
        const same = before.length === after.length && before.every((r, t) => r.length === after[t].length && r.every((x, j) => x === after[t][j]));
        if (same) return undefined;
        return `With table [${table.join(', ')}] and then [${movedTable.join(', ')}] (the same block moved to another physical slot) your function returned different rows. A sequence's cache must not depend on where its blocks live: read logical block i from blocks[blockTable[i]], in the order of the table.`;
      },
    },
  ],
  misconceptions: [
    {
      id: 'physical-order',
      title: { en: 'blocks read in physical order, not in the order of the table', 'zh-CN': '按物理顺序而不是按表的顺序读取各块' },
      message: {
        en:
          'You lay the blocks end to end by their physical index (the table sorted, or the pool read from block 0) instead of in the order of the block table. ' +
          'In the lesson the table is [3, 1]: tokens 0–3 are in physical block 3 and come first, giving [1, −1] … [7, −7]; physical order starts with block 1 and gives [5, −5], [6, −6], [7, −7], [0, 0], [1, −1] ….',
        'zh-CN':
          '你按物理下标把各块首尾相接（把表排了序，或者从块 0 开始读池），而不是按块表的顺序。' +
          '课程示例中表是 [3, 1]：token 0–3 在物理块 3 中，排在最前，得到 [1, −1] … [7, −7]；按物理顺序则从块 1 开始，得到 [5, −5]、[6, −6]、[7, −7]、[0, 0]、[1, −1] ……',
      },
      hint: {
        en: 'In the lesson, which physical block holds token 0? Logical block i is blocks[blockTable[i]], whatever its number.',
        'zh-CN': '课程示例中，哪个物理块存放 token 0？逻辑块 i 就是 blocks[blockTable[i]]，不管它的编号是多少。',
      },
      wrong: (_ctx, blockTable, blocks, blockSize, seqLen) => {
        const used = blockTable.slice(0, Math.ceil(seqLen / blockSize));
        return anyOf(firstRows([...used].sort((a, b) => a - b), blocks, seqLen), firstRows(blocks.map((_, b) => b), blocks, seqLen));
      },
    },
    {
      id: 'whole-last-block',
      title: { en: 'every row of the last block kept, past seqLen', 'zh-CN': '保留了最后一块的所有行，超出了 seqLen' },
      message: {
        en:
          'You return whole blocks, so the unused rows at the end of the last block come along: 8 rows in the lesson, the last one [0, 0], where the sequence has 7 tokens. ' +
          'Only the first seqLen rows are the sequence; the rest of its last block is space reserved for the tokens still to come.',
        'zh-CN':
          '你返回了整块，于是最后一块末尾未使用的行也跟着一起返回了：课程示例中得到 8 行，最后一行是 [0, 0]，而序列只有 7 个 token。' +
          '只有前 seqLen 行属于序列；最后一块的其余部分是为后续 token 预留的空间。',
      },
      hint: {
        en: 'How many rows does the lesson\'s answer have? Count the tokens, not the blocks.',
        'zh-CN': '课程示例的答案有几行？数 token，而不是数块。',
      },
      wrong: (_ctx, blockTable, blocks, blockSize, seqLen) => {
        const used = blockTable.slice(0, Math.ceil(seqLen / blockSize));
        return anyOf(firstRows(used, blocks, used.length * blockSize), firstRows(blockTable, blocks, blockTable.length * blockSize));
      },
    },
  ],
  hints: [
    {
      en: 'Start from one token t: which logical block is it in, and at which row of that block?',
      'zh-CN': '从一个 token t 开始想：它在哪个逻辑块中？在那个块的哪一行？',
    },
    {
      en: 'Token t is at row t mod blockSize of logical block ⌊t/blockSize⌋, and logical block i is the physical block blocks[blockTable[i]].',
      'zh-CN': 'token t 位于逻辑块 ⌊t/blockSize⌋ 的第 t mod blockSize 行，而逻辑块 i 就是物理块 blocks[blockTable[i]]。',
    },
    {
      en: 'The key idea: the block table is the only map from the sequence to memory. Walk t from 0 to seqLen − 1 and copy blocks[blockTable[⌊t/blockSize⌋]][t mod blockSize].',
      'zh-CN': '关键：块表是从序列到内存的唯一映射。让 t 从 0 走到 seqLen − 1，复制 blocks[blockTable[⌊t/blockSize⌋]][t mod blockSize]。',
    },
  ],
});
