import path from 'node:path';
import { expect, test } from 'vitest';
import { posixRelative } from '../../src/core/common/paths.js';

test('posixRelative writes a relative path with / separators, and . for the folder itself', () => {
  const root = path.resolve('/class');
  expect(posixRelative(root, path.join(root, 'alice', 'exercises', 'matmul.ts'))).toBe('alice/exercises/matmul.ts');
  expect(posixRelative(path.join(root, 'alice'), path.join(root, 'bob'))).toBe('../bob');
  expect(posixRelative(root, root)).toBe('.');
});
