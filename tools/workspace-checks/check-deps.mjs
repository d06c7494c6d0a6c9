#!/usr/bin/env node
// Module-boundary check, run as each project's `lint` target (cwd = the project folder).
// Fails when a package depends on or imports a @retrievals package that DESIGN.md's arrows do not
// allow, imports another package's files (only its index, and for the project's libraries its
// './internal' subpath), or reaches outside its folder with a relative path.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

// The arrows of DESIGN.md: each package may use the packages reachable from it along them.
export const ARROWS = {
  cli: ['trainer', 'hard-negatives'],
  trainer: ['data', 'losses'],
  data: ['models'],
  'hard-negatives': ['data'],
  models: ['pooling'],
  losses: ['core-tensor'],
  pooling: ['core-tensor'],
  'core-tensor': [],
};
// Plugins kept in the repo: their src uses only what a third party could (the public index of the
// packages listed, never './internal'); their tests and benches may use any library as a
// devDependency, to run the project's own suites and models on what the plugin adds.
export const PLUGINS = {
  'backend-onednn': ['core-tensor'],
};
// Tools are not libraries: any may be used by tests (devDependencies), none by a library's src.
const TOOLS = new Set(['fixtures', 'example-plugin', 'example-index', 'example-backend', 'workspace-checks']);

export function reachable(name) {
  const seen = new Set();
  const walk = (n) => {
    for (const m of ARROWS[n] ?? []) if (!seen.has(m)) (seen.add(m), walk(m));
  };
  walk(name);
  return seen;
}

function listTs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' || f === 'dist' ? [] : listTs(p);
    return /\.(ts|mts|js|mjs)$/.test(f) ? [p] : [];
  });
}

const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

export function check(projectDir) {
  const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8'));
  const self = pkg.name.replace('@retrievals/', '');
  const isPlugin = self in PLUGINS;
  const isTool = TOOLS.has(self) || (!(self in ARROWS) && !isPlugin);
  const allowed = isTool ? new Set([...Object.keys(ARROWS), ...Object.keys(PLUGINS), ...TOOLS]) : isPlugin ? new Set(PLUGINS[self]) : reachable(self);
  const allowedDev = isPlugin ? new Set(Object.keys(ARROWS)) : allowed;
  const errors = [];
  const internal = (deps) => Object.keys(deps ?? {}).filter((d) => d.startsWith('@retrievals/')).map((d) => d.slice(12));
  for (const d of internal(pkg.dependencies).concat(internal(pkg.peerDependencies))) {
    if (!allowed.has(d)) errors.push(`package.json: ${pkg.name} must not depend on @retrievals/${d} (allowed: ${[...allowed].join(', ') || 'none'})`);
  }
  for (const d of internal(pkg.devDependencies)) {
    if (!allowedDev.has(d) && !TOOLS.has(d)) errors.push(`package.json: devDependency @retrievals/${d} is not allowed for ${pkg.name}`);
  }
  const declared = new Set([...internal(pkg.dependencies), ...internal(pkg.peerDependencies)]);
  const declaredDev = new Set(internal(pkg.devDependencies));
  for (const sub of ['src', 'test', 'bench']) {
    for (const file of listTs(join(projectDir, sub))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3];
        const line = text.slice(0, m.index).split('\n').length;
        const where = `${relative(projectDir, file)}:${line}`;
        if (spec.startsWith('@retrievals/')) {
          const [, name, ...rest] = spec.split('/');
          // './internal' is the sibling API (makeOp, buildProgram, the op table): for the project's own
          // libraries only; tools and third-party plugins get the public index.
          const internalOk = rest.join('/') === 'internal' && !isTool && !isPlugin && !TOOLS.has(name);
          if (rest.length && !internalOk) {
            errors.push(`${where}: deep import '${spec}': import only from '@retrievals/${name}' (its index.ts)${rest.join('/') === 'internal' ? '; its ./internal API is for the @retrievals libraries, not tools or plugins' : ''}`);
          }
          if (name === self) continue;
          const ok = sub === 'src' ? declared.has(name) : declared.has(name) || declaredDev.has(name);
          const mayUse = allowed.has(name) || (sub !== 'src' && (TOOLS.has(name) || allowedDev.has(name)));
          if (!mayUse) errors.push(`${where}: ${pkg.name} must not import '${spec}' (DESIGN.md arrows)`);
          else if (!ok) errors.push(`${where}: imports '${spec}' but package.json does not declare it`);
        } else if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          // a test may run a sibling library's shared suite (core-tensor's PyTorch references on a backend plugin)
          const sharedSuite = sub !== 'src' && /[\\/]packages[\\/][^\\/]+[\\/]test[\\/]helpers[\\/]/.test(target);
          if (relative(projectDir, target).startsWith('..') && !sharedSuite) errors.push(`${where}: relative import '${spec}' leaves the package`);
        }
      }
    }
  }
  return errors;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const errors = check(process.cwd());
  if (errors.length) {
    console.error(errors.join('\n'));
    console.error(`module boundaries: ${errors.length} violation(s)`);
    process.exit(1);
  }
  console.log('module boundaries: ok');
}
