import { describe, expect, it } from '@jest/globals';
import { parseUnitFile } from '@fleet/core';
import { unitDescription } from '../../../../packages/cli/src/format/index.js';

describe('unitDescription', () => {
  it.each<[string, string, string | undefined]>([
    ['plain', '[Unit]\nDescription=Hello World\n', 'Hello World'],
    ['specifiers stay raw', '[Unit]\nDescription=Hello %i\n', 'Hello %i'],
    ['the first one wins', '[Unit]\nDescription=one\nDescription=two\n', 'one'],
    ['only [Unit] counts', '[Service]\nDescription=nope\n', undefined],
    ['none', '[Service]\nExecStart=/bin/true\n', undefined],
    ['empty value', '[Unit]\nDescription=\n', ''],
  ])('%s', (_name, text, description) => {
    expect(unitDescription(parseUnitFile(text))).toBe(description);
  });
});
