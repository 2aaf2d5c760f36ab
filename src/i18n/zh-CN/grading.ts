/** zh-CN texts of the tutor's grading: English key → Chinese (docs/glossary.zh-CN.md). */
export const grading: Record<string, string> = {
};
