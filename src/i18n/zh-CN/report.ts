/** zh-CN texts of the tutor's report: English key → Chinese (docs/glossary.zh-CN.md). */
export const report: Record<string, string> = {
};
