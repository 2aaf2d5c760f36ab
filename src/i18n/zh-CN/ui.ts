/** zh-CN texts of the tutor's ui: English key → Chinese (docs/glossary.zh-CN.md). */
export const ui: Record<string, string> = {
};
