import type { TypedArray } from '@retrievals/core-tensor';
import { loadAddon } from './addon.js';

/** Smaller float32 feeds are converted per run: a copy kept across runs would save nothing. */
const MIN_ELEMENTS = 1 << 14;

/**
 * Which feeds the addon may keep converted copies of across runs (native/resident.hpp): a float32
 * array fed in an earlier run, by identity — model weights at inference and frozen base weights
 * under LoRA are fed again and again, while a training step's new parameters are new arrays.
 * Ids are released when the array is garbage-collected.
 */
export class ResidentFeeds {
  private readonly seen = new WeakMap<TypedArray, { id: number; runs: number }>();
  private readonly registry = new FinalizationRegistry<number>((id) => loadAddon().releaseResident(id));
  private next = 1;

  ids(feeds: readonly TypedArray[]): Float64Array {
    const ids = new Float64Array(feeds.length);
    feeds.forEach((f, i) => {
      if (!(f instanceof Float32Array) || f.length < MIN_ELEMENTS) return;
      let e = this.seen.get(f);
      if (!e) {
        e = { id: this.next++, runs: 0 };
        this.seen.set(f, e);
        this.registry.register(f, e.id);
      }
      if (++e.runs > 1) ids[i] = e.id;
    });
    return ids;
  }
}
