import {
  cast, dropout, embedding, Generator, gelu, layerNorm, linear, relu, RetrievalsError, rmsNorm, silu, tanh, type Tensor,
} from '@retrievals/core-tensor';
import { ConfigError } from './errors.js';

/**
 * A small module system in the shape of torch.nn.Module, so that later work can find parameters by
 * their Hugging Face names (checkpoints, optimizers), swap a child by name (LoRA wraps a `Linear`),
 * and switch dropout on for training. A module declares parameters with their shapes when it is
 * built from a config; values arrive later from a checkpoint (or an initialiser), so shapes can be
 * checked against the file before any data is read.
 */
export class Module {
  training = false;
  /** Dropout masks in training draw from this (set by `train`). */
  generator: Generator | undefined;
  private readonly paramShapes = new Map<string, readonly number[]>();
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  protected addParameter(name: string, shape: readonly number[]): void {
    this.paramShapes.set(name, [...shape]);
  }

  protected addModule<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  /**
   * A parameter's value for computing. Weights kept in float16/bfloat16 to save memory (`dtype`
   * option) are cast to float32 inside the graph: compute is always float32 on CPU.
   */
  protected param(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw new RetrievalsError(`${this.constructor.name}: parameter '${name}' has no value (weights not loaded)`);
    return t.dtype === 'float16' || t.dtype === 'bfloat16' ? cast(t, 'float32') : t;
  }

  protected hasParam(name: string): boolean {
    return this.paramShapes.has(name);
  }

  /** Own parameter names and shapes (not children's). */
  ownParameterShapes(): ReadonlyMap<string, readonly number[]> {
    return this.paramShapes;
  }

  /** Sets an own parameter; the shape must be the declared one. */
  setOwnParameter(name: string, value: Tensor): void {
    const shape = this.paramShapes.get(name);
    if (!shape) throw new RetrievalsError(`${this.constructor.name} has no parameter '${name}'`);
    if (shape.length !== value.rank || shape.some((d, i) => d !== value.shape[i])) {
      throw new RetrievalsError(`${this.constructor.name}.${name}: expected shape [${shape.join(', ')}], got [${value.shape.join(', ')}]`);
    }
    value.name ??= name;
    this.params.set(name, value);
  }

  /** Every parameter shape in the tree, by dotted Hugging Face name. */
  parameterShapes(prefix = ''): Map<string, readonly number[]> {
    const out = new Map<string, readonly number[]>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, shape] of m.paramShapes) out.set(path ? `${path}.${name}` : name, shape);
    }
    return out;
  }

  /** Every parameter in the tree by dotted Hugging Face name (`encoder.layer.0.attention.self.query.weight`). */
  namedParameters(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const name of m.paramShapes.keys()) {
        const t = m.params.get(name);
        const full = path ? `${path}.${name}` : name;
        if (!t) throw new RetrievalsError(`parameter '${full}' has no value (weights not loaded)`);
        out.set(full, t);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return [...this.namedParameters().values()];
  }

  /** This module (as '' or the prefix) and every descendant, by dotted path, parents first. */
  namedModules(prefix = ''): Map<string, Module> {
    const out = new Map<string, Module>([[prefix, this]]);
    for (const [name, child] of this.children) {
      for (const [p, m] of child.namedModules(prefix ? `${prefix}.${name}` : name)) out.set(p, m);
    }
    return out;
  }

  childNames(): string[] {
    return [...this.children.keys()];
  }

  getModule(path: string): Module {
    let m: Module = this;
    for (const part of path ? path.split('.') : []) {
      const next = m.children.get(part);
      if (!next) throw new RetrievalsError(`no module '${path}' (${m.constructor.name} has ${[...m.children.keys()].join(', ') || 'no children'})`);
      m = next;
    }
    return m;
  }

  /**
   * Replaces the child at a dotted path (e.g. a `Linear` by a LoRA-wrapped one) and returns the old
   * one. Parents read children through the same fields the map mirrors, so the next forward uses it.
   */
  setModule(path: string, replacement: Module): Module {
    const parts = path.split('.');
    const name = parts.pop()!;
    const parent = this.getModule(parts.join('.'));
    const old = parent.children.get(name);
    if (!old) throw new RetrievalsError(`no module '${path}' to replace`);
    parent.children.set(name, replacement);
    const fields = parent as unknown as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(parent, name) && fields[name] === old) fields[name] = replacement;
    replacement.training = old.training;
    replacement.generator = old.generator;
    return old;
  }

  /** Drops an optional child (e.g. BERT's pooler when a checkpoint has none). */
  removeModule(name: string): void {
    this.children.delete(name);
    const fields = this as unknown as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(this, name)) fields[name] = undefined;
  }

  /** Training mode: dropout on, masks drawn from `generator` (one seeded generator per run). */
  train(generator: Generator = this.generator ?? new Generator(0)): this {
    for (const m of this.namedModules().values()) {
      m.training = true;
      m.generator = generator;
    }
    return this;
  }

  eval(): this {
    for (const m of this.namedModules().values()) m.training = false;
    return this;
  }

  /** Marks every parameter trainable (or frozen). */
  requiresGrad_(flag = true): this {
    for (const t of this.namedParameters().values()) t.requiresGrad_(flag);
    return this;
  }
}

/** y = x Wᵀ + b, weight in PyTorch's [out, in] layout. */
export class Linear extends Module {
  constructor(readonly inFeatures: number, readonly outFeatures: number, bias = true) {
    super();
    this.addParameter('weight', [outFeatures, inFeatures]);
    if (bias) this.addParameter('bias', [outFeatures]);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.param('weight'), this.hasParam('bias') ? this.param('bias') : undefined);
  }
}

export class LayerNorm extends Module {
  constructor(readonly dim: number, readonly eps: number) {
    super();
    this.addParameter('weight', [dim]);
    this.addParameter('bias', [dim]);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.param('weight'), this.param('bias'), this.eps);
  }
}

export class RMSNorm extends Module {
  constructor(readonly dim: number, readonly eps: number) {
    super();
    this.addParameter('weight', [dim]);
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.param('weight'), this.eps);
  }
}

export class Embedding extends Module {
  constructor(readonly count: number, readonly dim: number) {
    super();
    this.addParameter('weight', [count, dim]);
  }

  /** Ids that hold values are checked here: out of range, onnxruntime's Gather fails obscurely (or wraps a negative one). */
  forward(ids: Tensor): Tensor {
    if (ids.buffer) {
      const values = ids.buffer as ArrayLike<number | bigint>;
      for (let i = 0; i < values.length; i++) {
        const id = Number(values[i]);
        if (!(id >= 0 && id < this.count)) throw new RetrievalsError(`${this.constructor.name}: token id ${id} is outside the embedding table (${this.count} rows, ids 0..${this.count - 1})`);
      }
    }
    return embedding(this.param('weight'), ids);
  }
}

/** Inverted dropout in training, identity in eval. Not a child module: it has no parameters. */
export function applyDropout(owner: Module, x: Tensor, p: number): Tensor {
  if (!owner.training || p === 0) return x;
  return dropout(x, p, owner.generator ?? (owner.generator = new Generator(0)), true);
}

/** Children named 0, 1, 2, ... (HF's `layer.0`, `layers.1`). */
export class ModuleList<M extends Module> extends Module {
  constructor(items: M[]) {
    super();
    items.forEach((m, i) => this.addModule(String(i), m));
  }

  get length(): number {
    return this.childNames().length;
  }

  /** The i-th item, read through the map so a swapped item is seen. */
  at(i: number): M {
    return this.getModule(String(i)) as M;
  }

  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

/** Hugging Face `hidden_act` names. */
/** `where` names the file and field the name came from (`config.json: field 'hidden_act'`). */
export function activation(name: string, where = 'activation'): (x: Tensor) => Tensor {
  switch (name) {
    case 'gelu':
      return (x) => gelu(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast':
      return (x) => gelu(x, 'tanh');
    case 'relu':
      return relu;
    case 'silu':
    case 'swish':
      return silu;
    case 'tanh':
      return tanh;
    default:
      throw new ConfigError(`${where} is ${JSON.stringify(name)}, which is not supported; known: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish, tanh`);
  }
}
