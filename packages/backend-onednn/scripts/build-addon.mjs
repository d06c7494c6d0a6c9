// Builds the native addon only where oneDNN's headers are installed, so `pnpm install`/`build`
// never fails on a machine without it; the backend then reports itself unavailable at run time,
// naming what to install (apt-get install libdnnl-dev).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const header = '/usr/include/oneapi/dnnl/dnnl.hpp';

function hasOnednn() {
  if (existsSync(header)) return true;
  try {
    execFileSync('pkg-config', ['--exists', 'dnnl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!hasOnednn()) {
  console.log(`[backend-onednn] oneDNN not found (${header} missing, no pkg-config dnnl): skipping the native addon. Install it with: apt-get install libdnnl-dev`);
  process.exit(0);
}
const gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
// The headers of the Node that runs this, where it ships them: node-gyp would otherwise download
// them (no network here) unless npm's own nodedir setting reaches it through a package script.
const nodeDir = dirname(dirname(process.execPath));
const local = !process.env.npm_config_nodedir && existsSync(join(nodeDir, 'include/node/node.h')) ? [`--nodedir=${nodeDir}`] : [];
const built = spawnSync(process.execPath, [gyp, 'rebuild', ...local], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  // A failed compile is reported but does not fail the workspace build: the backend says it is unavailable.
  console.log('[backend-onednn] the native addon failed to build (see above); the onednn backend will report itself unavailable');
}
