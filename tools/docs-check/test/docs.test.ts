// Runs every fenced code block of the documentation (see ../README.md for the rules), one test per
// block named `<file>:<line>`, plus one type-check of every TypeScript block.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeBlocks, DRAFT_MARK, HERE, isDraft, markdownFiles, read, ROOT, type CodeBlock } from './markdown.js';
import { BLOCK_DIR, blockFileName, JS_LANGS, run, runScriptBlock, runShellBlock, SH_LANGS, shellCommands, TS_LANGS, TSC, whyNotRunnable, writeBlock } from './run-block.js';
import { UNRUNNABLE } from './unrunnable.js';

const BLOCK_TIMEOUT = 90_000;
/** DOCS_CHECK_VERBOSE=1 prints what each block printed. */
const show = (name: string, outs: { stdout: string }[]) => {
  if (process.env.DOCS_CHECK_VERBOSE) console.log(`--- ${name}\n${outs.map((o) => o.stdout).join('')}`);
};

type Plan =
  | { kind: 'script'; block: CodeBlock }
  | { kind: 'shell'; block: CodeBlock; commands: string[][] }
  | { kind: 'json'; block: CodeBlock }
  | { kind: 'skip'; block: CodeBlock; reason: string }
  | { kind: 'ignore'; block: CodeBlock };

const flagReason = (b: CodeBlock, flag: string) => {
  const rest = b.flags.filter((f) => f !== flag).join(' ');
  return `${flag}${rest ? `: ${rest}` : ''}`;
};

function plan(block: CodeBlock): Plan {
  const listed = UNRUNNABLE.find((u) => u.file === block.file && block.code.includes(u.contains));
  if (listed) return { kind: 'skip', block, reason: `listed in test/unrunnable.ts: ${listed.reason}` };
  const script = TS_LANGS.has(block.lang) || JS_LANGS.has(block.lang);
  if (block.flags.includes('no-check')) return { kind: 'skip', block, reason: flagReason(block, 'no-check') };
  if (block.flags.includes('no-run')) return { kind: 'skip', block, reason: `${flagReason(block, 'no-run')}${TS_LANGS.has(block.lang) ? ' (type-checked only)' : ''}` };
  if (script) return { kind: 'script', block };
  if (SH_LANGS.has(block.lang)) {
    const commands = shellCommands(block.code);
    const why = whyNotRunnable(commands);
    return why ? { kind: 'skip', block, reason: why } : { kind: 'shell', block, commands };
  }
  if (block.lang === 'json') return { kind: 'json', block };
  return { kind: 'ignore', block };
}

const pages = markdownFiles().map((file) => ({ file, text: read(file) }));
const plans = pages.filter((p) => !isDraft(p.text)).flatMap((p) => codeBlocks(p.file, p.text).map(plan));

rmSync(BLOCK_DIR, { recursive: true, force: true });

// One flat suite: vitest runs the concurrent tests of a suite together (two at a time, see
// vitest.config.ts) but suites one after another, so a describe per page would serialise them.
describe('code blocks', () => {
  for (const page of pages.filter((p) => isDraft(p.text))) {
    console.log(`docs-check: ${page.file} is a draft (${DRAFT_MARK} … -->): its code blocks are skipped`);
    test.skip(`${page.file}: draft`, () => {});
  }
  for (const p of plans) {
    const name = `${p.block.file}:${p.block.line}`;
    if (p.kind === 'ignore') continue;
    if (p.kind === 'skip') {
      console.log(`docs-check: skipped ${name}: ${p.reason}`);
      test.skip(`${name} (${p.reason})`, () => {});
    } else if (p.kind === 'script') {
      test.concurrent(name, async () => show(name, [await runScriptBlock(p.block, BLOCK_TIMEOUT)]), BLOCK_TIMEOUT + 5_000);
    } else if (p.kind === 'shell') {
      test.concurrent(name, async () => show(name, await runShellBlock(p.block, p.commands, BLOCK_TIMEOUT)), BLOCK_TIMEOUT + 5_000);
    } else {
      test(name, () => {
        try {
          JSON.parse(p.block.code);
        } catch (e) {
          throw new Error(`${name}: the json block does not parse: ${(e as Error).message}`);
        }
      });
    }
  }
});

describe('type-check', () => {
  // Every ts block that runs, and every ```ts no-run block, through one tsc run (strict, as the
  // packages are compiled); errors are reported at the Markdown file and line.
  const blocks = pages
    .filter((p) => !isDraft(p.text))
    .flatMap((p) => codeBlocks(p.file, p.text))
    .filter((b) => TS_LANGS.has(b.lang) && !b.flags.includes('no-check') && !UNRUNNABLE.some((u) => u.file === b.file && b.code.includes(u.contains)));

  test(`every TypeScript block type-checks (${blocks.length} blocks)`, async () => {
    const dir = join(BLOCK_DIR, 'typecheck');
    mkdirSync(dir, { recursive: true });
    for (const b of blocks) writeBlock(b, dir);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: relative(dir, join(ROOT, 'tsconfig.base.json')), compilerOptions: { noEmit: true, declaration: false, sourceMap: false }, include: ['*.mts'] }),
    );
    const { code, stdout, stderr } = await run(TSC, ['--noEmit', '-p', join(dir, 'tsconfig.json')], HERE, 120_000);
    const byName = new Map(blocks.map((b) => [blockFileName(b, '.mts'), b]));
    const errors = (stdout + stderr)
      .split('\n')
      .filter((l) => l.trim())
      .map((l) =>
        l.replace(/^(?:.*[\\/])?([^\\/(]+\.mts)\((\d+),(\d+)\)/, (whole, name: string, line: string, col: string) => {
          const b = byName.get(name);
          return b ? `${b.file}:${b.line + Number(line) - 1}:${col}` : whole;
        }),
      );
    expect(errors.join('\n'), 'tsc reported errors in documentation blocks').toBe('');
    expect(code).toBe(0);
  }, 130_000);
});

describe('unrunnable.ts', () => {
  test('every entry still matches a block', () => {
    const all = pages.flatMap((p) => codeBlocks(p.file, p.text));
    const stale = UNRUNNABLE.filter((u) => !all.some((b) => b.file === u.file && b.code.includes(u.contains)));
    expect(stale.map((u) => `${u.file}: '${u.contains}' matches no block; remove it from test/unrunnable.ts`)).toEqual([]);
  });
});
