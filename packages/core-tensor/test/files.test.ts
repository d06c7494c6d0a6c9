import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFile, checkWritable, confinedPath, DTypeError, dtypeInfo, FileError, requireFile, samePath, writeFileAtomic, type DType } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'retrievals-files-'));

describe('atomic writes', () => {
  it('replace a file whole, and an aborted or failed write leaves the old one and no temporary file', () => {
    const path = join(dir, 'out.txt');
    writeFileAtomic(path, 'old');
    const f = new AtomicFile(path);
    f.write('half of the new');
    expect(readFileSync(path, 'utf8')).toBe('old'); // nothing is visible before commit
    f.abort();
    expect(readFileSync(path, 'utf8')).toBe('old');
    writeFileAtomic(path, ['new ', Buffer.from('content')]);
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('refuse a missing or read-only folder before any work, naming the path', () => {
    expect(() => checkWritable(join(dir, 'nope', 'x.npy'))).toThrow(/x\.npy: cannot write the output: folder .*nope does not exist/);
    mkdirSync(join(dir, 'a-folder'));
    expect(() => checkWritable(join(dir, 'a-folder'))).toThrow(/it is a folder/);
    if (process.getuid?.() !== 0) {
      const ro = join(dir, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      expect(() => checkWritable(join(ro, 'x'))).toThrow(FileError);
    }
    expect(() => checkWritable(join(dir, 'fine.npy'))).not.toThrow();
    expect(existsSync(join(dir, 'fine.npy'))).toBe(false);
  });
});

describe('paths read from a model folder', () => {
  it('stay inside it, symlinks resolved', () => {
    const root = join(dir, 'model');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'sub', 'w.bin'), 'x');
    expect(confinedPath(root, 'sub/w.bin', 'modules.json: path')).toBe(join(root, 'sub', 'w.bin'));
    expect(() => confinedPath(root, '../elsewhere', 'modules.json: path')).toThrow(/modules\.json: path: '\.\.\/elsewhere' points outside the model folder/);
    expect(() => confinedPath(root, '/etc/passwd', 'onnx_file')).toThrow(/points outside/);
    symlinkSync(tmpdir(), join(root, 'link'));
    expect(() => confinedPath(root, 'link', 'modules.json: path')).toThrow(/'link' points outside the model folder/);
    expect(samePath(join(root, 'sub', '..', 'sub', 'w.bin'), join(root, 'sub/w.bin'))).toBe(true);
    expect(() => requireFile(join(root, 'sub'), 'weights file')).toThrow(/sub: weights file must be a file, but it is a folder/);
    expect(() => requireFile(join(root, 'none'), 'weights file')).toThrow(/none: weights file not found/);
  });
});

describe('name lookups', () => {
  it('an object-prototype name is no dtype', () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(() => dtypeInfo(name as DType)).toThrow(DTypeError);
      expect(() => dtypeInfo(name as DType)).toThrow(/unknown dtype/);
    }
  });
});
