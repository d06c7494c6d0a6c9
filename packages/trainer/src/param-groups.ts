import type { ParamGroup, Tensor } from '@retrievals/core-tensor';

/**
 * transformers' get_decay_parameter_names: every weight decays except biases and the weights of
 * normalisation layers (LayerNorm, RMSNorm), whose scale decaying towards 0 means nothing.
 */
export function decays(name: string): boolean {
  const parts = name.split('.');
  const leaf = parts[parts.length - 1]!, owner = (parts[parts.length - 2] ?? '').toLowerCase();
  if (leaf === 'bias' || leaf === 'beta' || leaf === 'gamma') return false;
  return !/norm|^ln/.test(owner);
}

const LAYER = /(?:^|\.)(?:layer|layers)\.(\d+)\./;

/** The transformer layer a parameter belongs to (`encoder.layer.3.` / `layers.3.`), embeddings −1, anything else (pooler, final norm) the top. */
function layerOf(name: string, top: number): number {
  const m = LAYER.exec(name);
  if (m) return Number(m[1]);
  return /embed/.test(name) ? -1 : top;
}

/**
 * Optimizer parameter groups: weight decay only where it belongs, and with layer-wise decay d < 1
 * the learning rate of layer l of L scaled by d^(L − 1 − l) (embeddings d^L), so lower layers,
 * which hold more general features, move less (ELECTRA, BEiT). Parameters of equal settings share
 * a group; the order of `named` is kept within each.
 */
export function parameterGroups(named: ReadonlyMap<string, Tensor>, o: { learningRate: number; weightDecay: number; layerwiseLrDecay: number }): ParamGroup[] {
  const names = [...named.keys()];
  const top = Math.max(0, ...names.map((n) => Number(LAYER.exec(n)?.[1] ?? 0)));
  const groups = new Map<string, ParamGroup>();
  for (const [name, p] of named) {
    const scale = o.layerwiseLrDecay === 1 ? 1 : o.layerwiseLrDecay ** (top - layerOf(name, top));
    const wd = decays(name) ? o.weightDecay : 0;
    const key = `${scale}|${wd}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { params: [], lr: o.learningRate * scale, weightDecay: wd }));
    g.params.push(p);
  }
  return [...groups.values()];
}
