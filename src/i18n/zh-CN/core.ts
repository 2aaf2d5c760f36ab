/** zh-CN texts of the tutor's core: English key → Chinese (docs/glossary.zh-CN.md). */
export const core: Record<string, string> = {
};
