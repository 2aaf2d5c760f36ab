/** zh-CN texts the tutor adds around a pack's lessons: English key → Chinese (docs/glossary.zh-CN.md). */
export const lessons: Record<string, string> = {
  'Shown once your file passes: the same piece in the libraries you will use next, and the one convention in which they differ.':
    '你的文件通过后显示：同一个部件在你接下来会用到的库里是什么样子，以及它们在哪一条约定上不同。',
};
