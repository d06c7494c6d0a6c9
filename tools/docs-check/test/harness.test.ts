// The suite's own parts: how blocks, commands and links are read out of Markdown.
import { describe, expect, test } from 'vitest';
import { codeBlocks, cwdOf, isDraft, relativeLinks, ROOT } from './markdown.js';
import { mapLines, shellCommands, whyNotRunnable } from './run-block.js';

describe('codeBlocks', () => {
  test('finds ``` and ~~~ fences with their line, language and flags', () => {
    const md = ['# t', '```ts no-run needs a GPU', 'const a = 1;', '```', 'text', '~~~sh', 'retrievals list', '~~~', '```', 'bare', '```'].join('\n');
    expect(codeBlocks('x.md', md)).toEqual([
      { file: 'x.md', line: 2, lang: 'ts', flags: ['no-run', 'needs', 'a', 'GPU'], code: 'const a = 1;' },
      { file: 'x.md', line: 6, lang: 'sh', flags: [], code: 'retrievals list' },
      { file: 'x.md', line: 9, lang: '', flags: [], code: 'bare' },
    ]);
  });

  test('a longer fence holds a shorter one; an unclosed fence runs to the end', () => {
    const md = ['````md', '```ts', 'x', '```', '````', '```ts', 'open'].join('\n');
    const blocks = codeBlocks('y.md', md);
    expect(blocks.map((b) => [b.line, b.lang, b.code])).toEqual([
      [1, 'md', '```ts\nx\n```'],
      [6, 'ts', 'open'],
    ]);
  });
});

describe('shellCommands', () => {
  test('joins continuations, drops comments and prompts, understands quotes', () => {
    const sh = ['# a comment', '$ retrievals encode \\', '  --model_name_or_path fixtures/bert-tiny \\', '  "two words" \'it\'"s"', '', 'retrievals list  # trailing'].join('\n');
    expect(shellCommands(sh)).toEqual([
      ['retrievals', 'encode', '--model_name_or_path', 'fixtures/bert-tiny', 'two words', 'its'],
      ['retrievals', 'list'],
    ]);
  });

  test('runs only blocks made of retrievals commands without shell syntax', () => {
    expect(whyNotRunnable(shellCommands('retrievals list\nretrievals encode a'))).toBeUndefined();
    expect(whyNotRunnable(shellCommands('npx pnpm install'))).toMatch(/every command is 'retrievals …'/);
    expect(whyNotRunnable(shellCommands('retrievals encode $HOME/x'))).toMatch(/not interpreted/);
    expect(whyNotRunnable(shellCommands('retrievals list > out.txt'))).toMatch(/not interpreted/);
    expect(whyNotRunnable([])).toBe('no commands');
  });
});

test('mapLines turns block-file positions into Markdown lines', () => {
  const block = { file: 'docs/a b.md', line: 10, lang: 'ts', flags: [], code: '' };
  const out = mapLines('Error\n    at <anonymous> (/work/x/.blocks/docs__a b.md-10.mts:3:7)\n    at file:///w/.blocks/docs__a b.md-10.mts:5:1', block);
  expect(out).toBe('Error\n    at <anonymous> (docs/a b.md:12:7)\n    at docs/a b.md:14:1');
});

test('relativeLinks skips URLs, anchors and code', () => {
  const md = ['See [a](a.md#x), [b](<b c.md>), [web](https://x.y) and [top](#top).', '`[not](code.md)`', '```', '[no](block.md)', '```', '[ref]: ../ref.md'].join('\n');
  expect(relativeLinks('docs/p.md', md).map((l) => [l.line, l.target])).toEqual([
    [1, 'a.md#x'],
    [1, 'b c.md'],
    [6, '../ref.md'],
  ]);
});

test('drafts and working folders', () => {
  expect(isDraft('<!-- draft: the lead completes this after the package lands -->\n# x')).toBe(true);
  expect(isDraft('# x')).toBe(false);
  expect(isDraft('A page whose text contains `<!-- draft:` is skipped')).toBe(false);
  expect(cwdOf('docs/packages/models.md')).toBe(ROOT);
  expect(cwdOf('README.md')).toBe(ROOT);
  expect(cwdOf('packages/models/README.md')).toBe(`${ROOT}/packages/models`);
});
