/** zh-CN texts about a pack's lessons and their translations: English key → Chinese (docs/glossary.zh-CN.md). */
export const lessons: Record<string, string> = {
  'Shown once your file passes: the same piece in the libraries you will use next, and the one convention in which they differ.':
    '你的文件通过后显示：同一个部件在你接下来会用到的库里是什么样子，以及它们在哪一条约定上不同。',
  'no {0} lesson: the pack is written in {1} ({2} of {3} exercises have {4}), so learners reading {5} get this one in English':
    '没有 {0} 课程：本练习包有 {1} 译文（{3} 个练习中 {2} 个有 {4}），所以读 {5} 的学习者看到的这一课是英文',
  'Translate lesson.md into {0}, with this stamp as its first line: {1}': '把 lesson.md 译成 {0}，并以这行标记作为第一行：{1}',
  'the {0} lesson has no stamp naming the lesson.md it was translated from, so a later change to lesson.md cannot be noticed':
    '这份 {0} 课程没有标记注明它译自哪一版 lesson.md，因此 lesson.md 以后的改动无从察觉',
  'Check that it says what lesson.md says, then make this its first line: {0}': '核对它与 lesson.md 内容一致，然后把这一行作为它的第一行：{0}',
  'stale: translated from an earlier lesson.md (sha256:{0}; lesson.md is now sha256:{1})': '译文已过期：译自较早的 lesson.md（sha256:{0}；lesson.md 现在是 sha256:{1}）',
  'Bring the translation up to date with lesson.md (`git diff` on lesson.md shows what changed), then make this its first line: {0}':
    '按 lesson.md 更新译文（对 lesson.md 运行 `git diff` 可以看到改了什么），然后把这一行作为它的第一行：{0}',
  '1 text has no {0}: learners reading {1} see it in English': '有 1 段文字没有 {0} 译文：读 {1} 的学习者看到的是英文',
  '{0} texts have no {1}: learners reading {2} see them in English': '有 {0} 段文字没有 {1} 译文：读 {2} 的学习者看到的是英文',
  "Give each one its {0} text: { en: '…', '{1}': '…' }.": "给每一段加上 {0} 译文：{ en: '…', '{1}': '…' }。",
  '1 title has no {0}: learners reading {1} see it in English': '有 1 个标题没有 {0} 译文：读 {1} 的学习者看到的是英文',
  '{0} titles have no {1}: learners reading {2} see them in English': '有 {0} 个标题没有 {1} 译文：读 {2} 的学习者看到的是英文',
  'Give each one its {0} text: { "en": "…", "{1}": "…" }.': '给每一个加上 {0} 译文：{ "en": "…", "{1}": "…" }。',
  '{0} and {1} more': '{0} 等，另有 {1} 个',
};
