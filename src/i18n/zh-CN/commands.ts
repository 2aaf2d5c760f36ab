/** zh-CN texts of the tutor's commands: English key → Chinese (docs/glossary.zh-CN.md). */
export const commands: Record<string, string> = {
};
