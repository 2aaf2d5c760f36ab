/** zh-CN texts of the tutor's cli: English key → Chinese (docs/glossary.zh-CN.md). */
export const cli: Record<string, string> = {
};
