import { expect, test } from 'vitest';
import { writeFailureReason } from '../../src/core/common/errno.js';

const failure = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

test('write failures a person can fix are named in plain words', () => {
  expect(writeFailureReason(failure('EROFS'))).toBe('the file system is read-only');
  expect(writeFailureReason(failure('EACCES'))).toBe('permission denied');
  expect(writeFailureReason(failure('EPERM'))).toBe('permission denied');
  expect(writeFailureReason(failure('ENOSPC'))).toBe('the disk is full');
  expect(writeFailureReason(failure('EDQUOT'))).toBe('the disk quota is used up');
  expect(writeFailureReason(failure('ENOTDIR'))).toBe('part of that path is a file, not a folder');
});

test('anything else is not explained, so that it is reported as a bug', () => {
  expect(writeFailureReason(failure('EIO'))).toBeUndefined();
  expect(writeFailureReason(failure('toString'))).toBeUndefined();
  expect(writeFailureReason(new Error('no code'))).toBeUndefined();
  expect(writeFailureReason(undefined)).toBeUndefined();
  expect(writeFailureReason(null)).toBeUndefined();
});
