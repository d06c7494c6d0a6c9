import { Registry } from '../registry.js';
import type { TypedArray } from '../dtype.js';
import type { Program } from '../program.js';

/** Runs a program: feeds in (in program order), output values out (in `program.outputs` order). */
export interface Backend {
  name: string;
  run(program: Program, feeds: TypedArray[]): Promise<TypedArray[]>;
  /** Optional: drops compiled state (caches) this backend holds. */
  reset?(): void;
}

/** Compute backends by name (`js`, `ort`; a plugin may add e.g. `ort-cuda`). */
export const backends = new Registry<Backend>('backend');
