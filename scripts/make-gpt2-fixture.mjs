// Rebuilds GPT-2's tokenizer files, encoder.json and vocab.bpe, from the GPT-2
// ranks that ship with js-tiktoken (a devDependency), so they need no download.
//
//   node scripts/make-gpt2-fixture.mjs [output folder]
//
// The default output folder is the data folder of the tokenization/gpt2-encode
// exercise, which reads the two files at run time.
//
// js-tiktoken stores each token as its bytes (base64) with its rank; for GPT-2 the
// rank is the token's id in encoder.json. The merge that created the token of rank
// r >= 256 is recovered by running byte-level BPE on the token's bytes with the
// ranks below r only: it stops at exactly two parts, and that pair is the merge.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(process.argv[2] ?? path.join(root, 'exercises/transformer-core/tokenization/gpt2-encode/data'));
const require = createRequire(import.meta.url);
const ranksModule = require('js-tiktoken/ranks/gpt2');
const gpt2 = ranksModule.default ?? ranksModule;

function check(condition, what) {
  if (!condition) throw new Error(`make-gpt2-fixture: ${what}`);
}

// GPT-2's bytes_to_unicode (openai/gpt-2 src/encoder.py): 188 printable bytes stand
// for themselves; the other 68 get U+0100, U+0101, ... in byte order.
const kept = [];
for (let b = 0x21; b <= 0x7e; b++) kept.push(b);
for (let b = 0xa1; b <= 0xac; b++) kept.push(b);
for (let b = 0xae; b <= 0xff; b++) kept.push(b);
const byteOrder = [...kept];
const byteChar = new Array(256);
for (const b of kept) byteChar[b] = String.fromCodePoint(b);
let shifted = 0;
for (let b = 0; b < 256; b++) {
  if (byteChar[b] !== undefined) continue;
  byteChar[b] = String.fromCodePoint(256 + shifted++);
  byteOrder.push(b);
}
check(kept.length === 188 && shifted === 68, 'bytes_to_unicode must keep 188 bytes and move 68');
check(byteChar[0x20] === '\u0120' && byteChar[0x0a] === '\u010a', "space must be 'Ġ' and newline 'Ċ'");

// js-tiktoken's compact format: lines of "<name> <first rank> <base64 token> <base64 token> ...".
const tokens = []; // tokens[rank] = bytes as a latin1 string (one char per byte)
for (const line of gpt2.bpe_ranks.split('\n').filter(Boolean)) {
  const [, first, ...encoded] = line.split(' ');
  encoded.forEach((b64, i) => {
    tokens[Number(first) + i] = Buffer.from(b64, 'base64').toString('latin1');
  });
}
const specialId = gpt2.special_tokens['<|endoftext|>'];
check(tokens.length === 50256 && !tokens.includes(undefined), `expected ranks 0..50255, got ${tokens.length}`);
check(specialId === 50256 && gpt2.explicit_n_vocab === 50257, '<|endoftext|> must be 50256 and the vocabulary 50257');
const rankOf = new Map(tokens.map((t, r) => [t, r]));
check(rankOf.size === tokens.length, 'token bytes must be distinct');
// The first 256 ranks are the single bytes, in bytes_to_unicode's order.
for (let r = 0; r < 256; r++) check(tokens[r] === String.fromCharCode(byteOrder[r]), `rank ${r} must be byte ${byteOrder[r]}`);

/** BPE on `bytes` with the ranks below `maxRank` only; the parts left when no such pair remains. */
function splitBelow(bytes, maxRank) {
  const parts = bytes.split('');
  for (;;) {
    let best = -1;
    let bestRank = maxRank;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = rankOf.get(parts[i] + parts[i + 1]);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) return parts;
    parts.splice(best, 2, parts[best] + parts[best + 1]);
  }
}

const toUnicode = (bytes) => Array.from(bytes, (c) => byteChar[c.charCodeAt(0)]).join('');
const merges = [];
for (let r = 256; r < tokens.length; r++) {
  const parts = splitBelow(tokens[r], r);
  check(parts.length === 2, `rank ${r} (${JSON.stringify(toUnicode(tokens[r]))}) splits into ${parts.length} parts, not 2`);
  merges.push(`${toUnicode(parts[0])} ${toUnicode(parts[1])}`);
}

const encoder = {};
tokens.forEach((t, r) => {
  encoder[toUnicode(t)] = r;
});
encoder['<|endoftext|>'] = specialId;

// Facts about the published files, checked before anything is written.
check(Object.keys(encoder).length === 50257, 'encoder.json must have 50257 entries');
check(merges.length === 50000, 'vocab.bpe must have 50000 merges');
check(
  JSON.stringify(merges.slice(0, 6)) === JSON.stringify(['Ġ t', 'Ġ a', 'h e', 'i n', 'r e', 'o n']),
  `the first merges must be Ġ t, Ġ a, h e, i n, r e, o n; got ${merges.slice(0, 6).join(', ')}`,
);
check(encoder['Ġthe'] === 262 && encoder['!'] === 0 && encoder['Ġ'] === 220 && encoder['Ċ'] === 198, "ids of 'Ġthe', '!', 'Ġ', 'Ċ'");
check(merges.every((m) => m.split(' ').length === 2), 'no merge part may contain a space (spaces are Ġ)');
merges.forEach((m, k) => check(encoder[m.replace(' ', '')] === 256 + k, `merge ${k} must create the token of id ${256 + k}`));

mkdirSync(outDir, { recursive: true });
// Written by hand rather than with JSON.stringify(encoder), which would put keys like "10" first: entries stay in id order.
const encoderText = `{${tokens.map((t, r) => `${JSON.stringify(toUnicode(t))}:${r}`).join(',')},"<|endoftext|>":${specialId}}`;
check(JSON.stringify(JSON.parse(encoderText)) === JSON.stringify(encoder), 'encoder.json must parse back to the encoder');
const bpeText = `#version: 0.2\n${merges.join('\n')}\n`;
writeFileSync(path.join(outDir, 'encoder.json'), encoderText);
writeFileSync(path.join(outDir, 'vocab.bpe'), bpeText);
const sha = (text) => createHash('sha256').update(text).digest('hex').slice(0, 16);
console.log(`wrote ${path.join(outDir, 'encoder.json')} (${Buffer.byteLength(encoderText)} bytes, sha256 ${sha(encoderText)}…)`);
console.log(`wrote ${path.join(outDir, 'vocab.bpe')} (${Buffer.byteLength(bpeText)} bytes, sha256 ${sha(bpeText)}…)`);
