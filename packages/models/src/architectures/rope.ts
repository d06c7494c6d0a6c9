import { add, broadcastShapes, concat, mul, ShapeError, slice, type Tensor } from '@retrievals/core-tensor';
import type { ConfigReader } from '../config.js';

/**
 * Rotary inverse frequencies as transformers computes them (float32 at every step:
 * 1 / base^(2i/d)), including the `rope_scaling` variants that only rescale these frequencies.
 * Variants that depend on the sequence length (dynamic, yarn, longrope) are refused by name.
 */
export function ropeInvFreq(c: ConfigReader, headDim: number): number[] {
  const base = c.number('rope_theta', 10000, { gt: 0 });
  const f = Math.fround;
  let inv = Array.from({ length: headDim / 2 }, (_, i) => f(1 / f(base ** f((2 * i) / headDim))));
  const scaling = c.raw.rope_scaling as Record<string, unknown> | null | undefined;
  if (!scaling) return inv;
  const type = scaling.rope_type ?? scaling.type;
  const num = (k: string): number => {
    const v = scaling[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) c.unsupported('rope_scaling', `'${k}' must be a number > 0`);
    return v as number;
  };
  if (type === 'default') return inv;
  if (type === 'linear') return inv.map((x) => f(x / num('factor')));
  if (type === 'llama3') {
    const factor = num('factor'), low = num('low_freq_factor'), high = num('high_freq_factor');
    const oldLen = num('original_max_position_embeddings');
    const lowWavelen = oldLen / low, highWavelen = oldLen / high;
    inv = inv.map((x) => {
      const wavelen = (2 * Math.PI) / x;
      if (wavelen < highWavelen) return x;
      if (wavelen > lowWavelen) return f(x / factor);
      const smooth = (oldLen / wavelen - low) / (high - low);
      return f((1 - smooth) * (x / factor) + smooth * x);
    });
    return inv;
  }
  return c.unsupported('rope_scaling', 'implemented: null, "default", "linear", "llama3"');
}

/** Applies rotary embeddings (transformers' rotate_half convention) to x [B, H, T, D] with tables [B or 1, 1, T, D]. */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const d = x.shape[x.rank - 1]!;
  if (d % 2 !== 0) throw new ShapeError(`applyRotary: head dim of [${x.shape.join(', ')}] must be even`);
  broadcastShapes('applyRotary', x.shape, cos.shape, sin.shape);
  const x1 = slice(x, -1, 0, d / 2), x2 = slice(x, -1, d / 2, d);
  const rotated = concat([mul(x2, -1), x1], -1);
  return add(mul(x, cos), mul(rotated, sin));
}
