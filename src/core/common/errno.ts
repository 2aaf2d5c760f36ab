import { t } from '../../i18n/i18n.js';
// Node's error codes for a failed write that the person at the keyboard can fix, in their words.
const writeFailureReasons: Record<string, () => string> = {
  EROFS: () => t('the file system is read-only'),
  EACCES: () => t('permission denied'),
  EPERM: () => t('permission denied'),
  ENOSPC: () => t('the disk is full'),
  EDQUOT: () => t('the disk quota is used up'),
  ENOTDIR: () => t('part of that path is a file, not a folder'),
};

/**
 * Why writing a file or making a folder failed, as a clause to follow a colon
 * (`the file system is read-only`), or undefined when the error is not one a
 * person can fix by choosing another folder or freeing space (then it is a bug).
 */
export function writeFailureReason(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
  return code !== undefined && Object.hasOwn(writeFailureReasons, code) ? writeFailureReasons[code]() : undefined;
}
