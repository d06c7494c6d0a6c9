// Finds the Markdown files the suite checks and cuts them into fenced code blocks and links.
// Not a test file itself: docs.test.ts and links.test.ts use it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tools/docs-check/test/markdown.ts). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The docs-check package folder: block files are written under it so @retrievals/* resolve from its node_modules. */
export const HERE = resolve(ROOT, 'tools/docs-check');

/** The comment that marks a page as a draft: its blocks are skipped, with a line naming the file. */
export const DRAFT_MARK = '<!-- draft:';

/**
 * Every Markdown file checked, as paths relative to the root: docs/ (recursively), README.md, the
 * packages' and the example plugins' READMEs.
 */
export function markdownFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) out.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, 'docs'));
  out.push('README.md');
  for (const parent of ['packages', 'tools']) {
    for (const name of readdirSync(join(ROOT, parent)).sort()) {
      if (parent === 'tools' && !name.startsWith('example-')) continue;
      const readme = join(parent, name, 'README.md');
      if (existsSync(join(ROOT, readme))) out.push(readme);
    }
  }
  return out;
}

export interface CodeBlock {
  /** The Markdown file, relative to the root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower-cased (`ts`, `sh`, `text`, …). */
  lang: string;
  /** The info string's other words (`no-run`, `no-check`, and a reason). */
  flags: string[];
  /** The block's text, without the fences. */
  code: string;
}

/**
 * The fenced code blocks of a Markdown text (``` or ~~~ fences of three or more, indented at most
 * three spaces, closed by a fence of the same character at least as long, CommonMark's rule).
 */
export function codeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split(/\r\n|\n|\r/);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const [lang = '', ...flags] = open[2]!.trim().split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    for (; j < lines.length && !close.test(lines[j]!); j++) body.push(lines[j]!);
    blocks.push({ file, line: i + 1, lang: lang.toLowerCase(), flags, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The text outside fenced blocks and inline code spans (where links are links). */
export function prose(text: string): string {
  const lines = text.split(/\r\n|\n|\r/);
  let fence: string | undefined;
  return lines
    .map((line) => {
      const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (fence === undefined && m) {
        fence = m[1]!;
        return '';
      }
      if (fence !== undefined) {
        if (new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(line)) fence = undefined;
        return '';
      }
      return line.replace(/`[^`]*`/g, '');
    })
    .join('\n');
}

export interface Link {
  file: string;
  line: number;
  target: string;
}

/** Relative links of a Markdown text: `[text](target)` and `[label]: target`, not URLs or pure anchors. */
export function relativeLinks(file: string, text: string): Link[] {
  const out: Link[] = [];
  prose(text)
    .split('\n')
    .forEach((line, i) => {
      const targets = [...line.matchAll(/\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)].map((m) => (m[1] ?? m[2])!);
      const ref = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(line);
      if (ref) targets.push(ref[1]!);
      for (const target of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        out.push({ file, line: i + 1, target });
      }
    });
  return out;
}

export function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** A draft page starts a line with the mark (a page that only mentions it in text is not one). */
export const isDraft = (text: string): boolean => text.split(/\r\n|\n|\r/).some((line) => line.startsWith(DRAFT_MARK));

/**
 * The folder a block runs in: the repository root for docs/ and README.md (paths read
 * `fixtures/bert-tiny`), the README's own folder for a package's or example's README (they say
 * "run from this folder" and read `../../fixtures/bert-tiny`).
 */
export function cwdOf(file: string): string {
  return file.startsWith('docs/') || file === 'README.md' ? ROOT : join(ROOT, dirname(file));
}
