import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARROWS, check, PLUGINS, reachable } from '../check-deps.mjs';

const root = resolve(import.meta.dirname, '../../..');

// Built from parts so that this file's own lint does not read the samples as imports.
const imp = (what, spec, kw = 'import') => `${kw} ${what} from '${spec}';`;

function fakePackage(name, deps, files) {
  const dir = mkdtempSync(join(tmpdir(), 'boundaries-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@retrievals/${name}`, dependencies: deps }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('module boundaries', () => {
  it('follows the arrows transitively and never upwards', () => {
    expect([...reachable('cli')].sort()).toEqual(
      ['core-tensor', 'data', 'hard-negatives', 'losses', 'models', 'pooling', 'trainer'].sort(),
    );
    expect(reachable('losses').has('models')).toBe(false);
    expect(reachable('core-tensor').size).toBe(0);
  });

  it('flags an upward dependency, an undeclared import, a deep import and an escaping relative import', () => {
    const dir = fakePackage('pooling', { '@retrievals/core-tensor': 'workspace:*', '@retrievals/models': 'workspace:*' }, {
      'src/a.ts': `${imp('{ x }', '@retrievals/losses')}\n${imp('{ y }', '@retrievals/core-tensor/src/tensor.js')}\n`,
      'src/b.ts': `${imp('{ z }', '../../models/src/index.js', 'export')}\n`,
    });
    const errors = check(dir);
    expect(errors.some((e) => e.includes('must not depend on @retrievals/models'))).toBe(true);
    expect(errors.some((e) => e.startsWith('src/a.ts:1') && e.includes("'@retrievals/losses'"))).toBe(true);
    expect(errors.some((e) => e.startsWith('src/a.ts:2') && e.includes('deep import'))).toBe(true);
    expect(errors.some((e) => e.startsWith('src/b.ts:1') && e.includes('leaves the package'))).toBe(true);
  });

  it("lets the project's libraries, and only them, import a sibling's ./internal API", () => {
    const lib = fakePackage('pooling', { '@retrievals/core-tensor': 'workspace:*' }, { 'src/a.ts': `${imp('{ makeOp }', '@retrievals/core-tensor/internal')}\n` });
    expect(check(lib)).toEqual([]);
    const plugin = fakePackage('example-plugin', { '@retrievals/core-tensor': 'workspace:*' }, { 'src/a.ts': `${imp('{ makeOp }', '@retrievals/core-tensor/internal')}\n` });
    expect(check(plugin).some((e) => e.includes('deep import') && e.includes('not tools or plugins'))).toBe(true);
  });

  it("holds an in-repo plugin's src to a third party's view, while its tests may use any library", () => {
    const dir = fakePackage('backend-onednn', { '@retrievals/core-tensor': 'workspace:*' }, {
      'src/a.ts': `${imp('{ makeOp }', '@retrievals/core-tensor/internal')}\n${imp('{ poolers }', '@retrievals/pooling')}\n`,
      'test/a.test.ts': `${imp('{ RetrievalTrainer }', '@retrievals/trainer')}\n`,
    });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, devDependencies: { '@retrievals/trainer': 'workspace:*' } }));
    const errors = check(dir);
    expect(errors.some((e) => e.startsWith('src/a.ts:1') && e.includes('not tools or plugins'))).toBe(true);
    expect(errors.some((e) => e.startsWith('src/a.ts:2') && e.includes("'@retrievals/pooling'"))).toBe(true);
    expect(errors.filter((e) => e.startsWith('test/'))).toEqual([]);
    expect(errors).toHaveLength(2);
  });

  it('passes for every package of the workspace', () => {
    for (const name of [...Object.keys(ARROWS), ...Object.keys(PLUGINS)]) expect(check(join(root, 'packages', name))).toEqual([]);
  });

  it("nx's project graph has only edges that DESIGN.md allows, and the direct arrows are declared", () => {
    const out = join(mkdtempSync(join(tmpdir(), 'graph-')), 'graph.json');
    execFileSync(join(root, 'node_modules/.bin/nx'), ['graph', `--file=${out}`], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
    const { graph } = JSON.parse(readFileSync(out, 'utf8'));
    for (const [name, arrows] of Object.entries(ARROWS)) {
      const project = `@retrievals/${name}`;
      const deps = (graph.dependencies[project] ?? []).map((d) => d.target.replace('@retrievals/', ''));
      const libDeps = deps.filter((d) => d in ARROWS);
      for (const d of libDeps) expect(reachable(name).has(d), `${name} -> ${d}`).toBe(true);
      for (const a of arrows) expect(libDeps, `${name} should depend on ${a}`).toContain(a);
    }
  });
});
