// Every relative link of docs/ and README.md points at a file or folder that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { markdownFiles, read, relativeLinks, ROOT } from './markdown.js';

const files = markdownFiles().filter((f) => f.startsWith('docs/') || f === 'README.md');

/** GitHub's heading anchors: lower-cased, punctuation dropped, spaces to hyphens (duplicates get -1, -2, …). */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | undefined;
  for (const line of text.split(/\r\n|\n|\r/)) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f && (fence === undefined || (f[1]![0] === fence[0] && f[1]!.length >= fence.length && line.trim() === f[1]))) {
      fence = fence === undefined ? f[1] : undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

test.each(files)('relative links of %s exist', (file) => {
  const broken = relativeLinks(file, read(file)).flatMap(({ line, target }) => {
    const [rawPath = '', anchor] = target.split('?')[0]!.split('#');
    const path = decodeURIComponent(rawPath);
    const abs = path === '' ? join(ROOT, file) : join(ROOT, dirname(file), path);
    if (!existsSync(abs)) return [`${file}:${line}: '${target}' does not exist`];
    if (anchor && abs.endsWith('.md') && !anchorsOf(readFileSync(abs, 'utf8')).has(anchor)) return [`${file}:${line}: '${target}': no heading '#${anchor}' there`];
    return [];
  });
  expect(broken).toEqual([]);
});

test('every package has a page in docs/packages/, listed in docs/README.md', () => {
  const index = read('docs/README.md');
  const missing = readdirSync(join(ROOT, 'packages'))
    .filter((name) => existsSync(join(ROOT, 'packages', name, 'package.json')))
    .flatMap((name) => {
      const page = `packages/${name}.md`;
      return [
        ...(existsSync(join(ROOT, 'docs', page)) ? [] : [`docs/${page} is missing`]),
        ...(index.includes(`(${page})`) ? [] : [`docs/README.md does not link ${page}`]),
      ];
    });
  expect(missing).toEqual([]);
});
