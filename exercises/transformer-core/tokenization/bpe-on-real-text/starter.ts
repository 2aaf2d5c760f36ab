/**
 * tokenization/bpe-on-real-text — milestone: your BPE on a real passage.
 *
 *   bpeOnRealText(train, heldOut, numMerges) → { merges, ids, bytesPerToken }
 *
 *   merges         numMerges merges learned on train by your trainBpe
 *                  (tokenization/bpe-train), whose second argument is a
 *                  vocabulary size: 256 byte ids + numMerges
 *   ids            heldOut encoded with those merges by your encode
 *                  (tokenization/bpe-encode)
 *   bytesPerToken  the UTF-8 bytes of heldOut divided by ids.length
 *
 * Conventions:
 * - The merges are learned on train only; heldOut is only encoded.
 * - Bytes are UTF-8 bytes (new TextEncoder().encode(heldOut).length), not
 *   characters: "é" is 2 bytes, "中" is 3.
 * - heldOut is never empty. The merges and ids are compared exactly.
 * Example: bpeOnRealText("aaabdaaabac", "daaabaa", 3) →
 *   { merges: [[97, 97], [256, 97], [257, 98]], ids: [100, 258, 256], bytesPerToken: 7 / 3 }
 *
 * The two imports below are your own files of the earlier exercises, beside
 * this one: if one of them is wrong, this exercise fails too, and the result
 * says which. Run `llm-tutor lesson tokenization/bpe-on-real-text` for the
 * lesson, `llm-tutor hint` for a hint.
 */
import { trainBpe } from './bpe-train.js';
import { encode } from './bpe-encode.js';

export function bpeOnRealText(train: string, heldOut: string, numMerges: number): { merges: [number, number][]; ids: number[]; bytesPerToken: number } {
  throw new Error('not implemented');
}
