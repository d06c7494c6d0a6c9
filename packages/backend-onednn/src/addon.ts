import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { OnednnUnavailableError } from './errors.js';

/** One described instruction of a compiled plan: its kind, the oneDNN implementation (or "loop"), and profiled ms. */
export interface InstrInfo {
  kind: string;
  impl: string;
  ms: number;
}

export interface NativePlan {
  readonly __plan: unique symbol;
}

/** The addon's surface (native/addon.cc). */
export interface Addon {
  compile(stream: Float64Array, consts: ArrayBufferView[], bf16: boolean): Promise<NativePlan>;
  /** residentIds: per feed, its resident id (see resident.ts) or 0. */
  run(plan: NativePlan, feeds: ArrayBufferView[], residentIds?: Float64Array): Promise<ArrayBuffer[]>;
  /** Drops the converted copies of a resident feed whose array was garbage-collected. */
  releaseResident(id: number): void;
  describe(plan: NativePlan): InstrInfo[];
  setProfiling(on: boolean): void;
  /** residentBytes: what the resident copies of weights hold (bf16 and preferred layouts). */
  info(): { version: string; threads: number; isa: string; residentBytes: number };
  /** Mean ms of `iters` runs of a plan in C++ (the bench's reference for N-API overhead). */
  timeRuns(plan: NativePlan, feeds: ArrayBufferView[], iters: number): number;
}

// The same relative path from src/ (tests) and from dist/ (the built package).
const ADDON_PATH = fileURLToPath(new URL('../build/Release/retrievals_onednn.node', import.meta.url));
const INSTALL_HINT = 'install oneDNN (apt-get install libdnnl-dev) and rebuild this package (pnpm --filter @retrievals/backend-onednn build)';

let loaded: Addon | undefined;
let failure: OnednnUnavailableError | undefined;

/** The addon, loaded on first use; a missing library or build is an OnednnUnavailableError naming the fix. */
export function loadAddon(): Addon {
  if (loaded) return loaded;
  if (failure) throw failure;
  if (!existsSync(ADDON_PATH)) {
    failure = new OnednnUnavailableError(`onednn backend: the native addon is not built (${ADDON_PATH} is missing; the build skips it where oneDNN's headers are absent): ${INSTALL_HINT}`);
    throw failure;
  }
  try {
    loaded = createRequire(import.meta.url)(ADDON_PATH) as Addon;
    return loaded;
  } catch (e) {
    failure = new OnednnUnavailableError(`onednn backend: the native addon cannot load (${(e as Error).message}): ${INSTALL_HINT}`, { cause: e });
    throw failure;
  }
}

/** Whether the addon loads here (tests and benches skip with a line naming the library when not). */
export function onednnAvailable(): { ok: true } | { ok: false; reason: string } {
  try {
    loadAddon();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
