import { Generator } from '@retrievals/core-tensor';

/**
 * A generator for one place in a run, derived from the run's seed and a path of integers
 * (epoch, batch, ...). Every random draw of a run comes from such a derivation rather than from one
 * long stream, so a resumed run reaches the same draws from a checkpoint's (epoch, step) alone,
 * without replaying or storing generator state.
 */
export function derivedGenerator(seed: number, ...path: number[]): Generator {
  let h = (seed >>> 0) ^ 0x6a09e667;
  for (const p of path) {
    // murmur3's finaliser over the running hash and each component: distinct paths, distinct seeds
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return new Generator(h);
}
