/** zh-CN texts that more than one part of the tutor uses: English key → Chinese (docs/glossary.zh-CN.md). */
export const shared: Record<string, string> = {
  'Model solution of {0}': '{0} 的参考答案',
  'a function': '一个函数',
  'a symbol': '一个 symbol',
  'a bigint': '一个 bigint',
  'a number': '一个数',
  'a string': '一个字符串',
  'a boolean': '一个布尔值',
  'more character': '个字符',
};
