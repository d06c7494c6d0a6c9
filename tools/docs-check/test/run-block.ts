// How one code block runs: TypeScript/JavaScript through tsx, `retrievals …` lines through the
// built CLI. Not a test file itself.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cwdOf, HERE, ROOT, type CodeBlock } from './markdown.js';

/** Where block files go: inside tools/docs-check, so `@retrievals/*` resolve from its node_modules. */
export const BLOCK_DIR = join(HERE, '.blocks');
export const TSX = join(ROOT, 'node_modules/.bin/tsx');
/** tsx's loader (what the `tsx` binary installs in the node it starts), imported straight into one node: half the start-up cost per block. */
export const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
export const TSC = join(ROOT, 'node_modules/.bin/tsc');
export const CLI = join(ROOT, 'packages/cli/dist/bin.js');

export const TS_LANGS = new Set(['ts', 'typescript', 'mts']);
export const JS_LANGS = new Set(['js', 'javascript', 'mjs']);
export const SH_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

/** The block's file name: `docs/packages/models.md` line 12 → `docs__packages__models.md-12.mts`. */
export function blockFileName(block: CodeBlock, ext: string): string {
  return `${block.file.replace(/[\\/]/g, '__')}-${block.line}${ext}`;
}

export function writeBlock(block: CodeBlock, dir = BLOCK_DIR): string {
  mkdirSync(dir, { recursive: true });
  const ext = JS_LANGS.has(block.lang) ? '.mjs' : '.mts';
  const path = join(dir, blockFileName(block, ext));
  // `export {}` keeps a block without imports a module (top-level await, no global clashes); the
  // code starts on the file's line 2, which mapLines accounts for.
  writeFileSync(path, `export {};\n${block.code}\n`);
  return path;
}

/**
 * The temporary folder a block's process gets as TMPDIR (so `os.tmpdir()` in an example points
 * here): inside BLOCK_DIR, removed with it when the suite starts again, so examples need no cleanup.
 */
export function blockTmpDir(block: CodeBlock): string {
  const dir = join(BLOCK_DIR, 'tmp', blockFileName(block, ''));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Rewrites `<block file>:<line>` in an error output to the Markdown file and its line. */
export function mapLines(text: string, block: CodeBlock): string {
  const name = blockFileName(block, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?:file://)?[^\\s(]*${name}\\.m[jt]s[:(](\\d+)`, 'g'), (_, line: string) => `${block.file}:${block.line + Number(line) - 1}`);
}

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(command: string, args: readonly string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n(killed after ${timeoutMs} ms)`;
    }, timeoutMs);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code) => (clearTimeout(timer), resolvePromise({ code, stdout, stderr, ms: Date.now() - started })));
  });
}

/** Runs a ts/js block with tsx in its folder (see cwdOf); throws naming the file and line on failure. */
export async function runScriptBlock(block: CodeBlock, timeoutMs: number): Promise<Outcome> {
  if (!existsSync(TSX)) throw new Error(`tsx not found at ${TSX} (a root devDependency; run pnpm install)`);
  const path = writeBlock(block);
  // `node --import <tsx loader> block.mts` is what `tsx block.mts` does, without its extra wrapper process.
  const outcome = await run(process.execPath, ['--import', TSX_LOADER, path], cwdOf(block.file), timeoutMs, { TMPDIR: blockTmpDir(block) });
  if (outcome.code !== 0) {
    throw new Error(`${block.file}:${block.line}: the ${block.lang} block exited with ${outcome.code}\n${mapLines(outcome.stderr || outcome.stdout, block)}`);
  }
  return outcome;
}

/**
 * The commands of a sh block: comments and blank lines dropped, `\`-continued lines joined, each
 * split into words (single and double quotes, backslash escapes; no variables, globs or pipes).
 */
export function shellCommands(code: string): string[][] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of code.split('\n')) {
    const line = raw.replace(/^\s*\$\s+/, '');
    if (!pending && (/^\s*#/.test(line) || line.trim() === '')) continue;
    if (line.endsWith('\\')) pending += line.slice(0, -1) + ' ';
    else (logical.push(pending + line), (pending = ''));
  }
  if (pending) logical.push(pending);
  return logical.map(splitWords);
}

function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unclosed ${c} in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end).replace(c === '"' ? /\\(["\\$`])/g : /$^/, '$1');
      i = end;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Why a sh block is not run, or undefined when every command is `retrievals …`. */
export function whyNotRunnable(commands: string[][]): string | undefined {
  if (commands.length === 0) return 'no commands';
  const other = commands.find((c) => c[0] !== 'retrievals');
  if (other) return `runs only blocks whose every command is 'retrievals …'; this one has '${other.join(' ')}'`;
  const shell = commands.find((c) => c.some((w) => /^(\||&&|;|>|>>|<|\$\(.*)$/.test(w) || /\$[A-Z_{]/.test(w)));
  if (shell) return `shell syntax (pipes, redirects, variables) is not interpreted: '${shell.join(' ')}'`;
  return undefined;
}

/**
 * Runs each `retrievals …` command of a sh block as `node packages/cli/dist/bin.js …` from the
 * repository root, whichever page it is on (commands are written as a user types them there).
 */
export async function runShellBlock(block: CodeBlock, commands: string[][], timeoutMs: number): Promise<Outcome[]> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the CLI first (cd packages/cli && npx tsup)`);
  const outcomes: Outcome[] = [];
  for (const [, ...args] of commands) {
    const outcome = await run(process.execPath, [CLI, ...args], ROOT, timeoutMs, { TMPDIR: blockTmpDir(block) });
    if (outcome.code !== 0) {
      throw new Error(`${block.file}:${block.line}: 'retrievals ${args.join(' ')}' exited with ${outcome.code}\n${outcome.stderr || outcome.stdout}`);
    }
    outcomes.push(outcome);
  }
  return outcomes;
}
