import { NotImplementedError, type DType } from '@retrievals/core-tensor';
import type { Program, ProgramNode } from '../program-types.js';
import { BINARY_FN, DTYPE_CODE, ELEMENT_BYTES, OP, REDUCE_FN, UNARY_FN } from './codes.js';
import { adamWInstr, matchAdamW } from './adamw.js';
import { geluGradInstr, matchGeluGrad } from './gelu-grad.js';
import { fusedWords, fusible, groupElementwise } from './fuse.js';
import { findProductSums, findTablePairs } from './gradient-sums.js';
import { findLayerNorms } from './layer-norm.js';
import { findBiases, findGeluPostOps, findPermutedOutputs, isIdentity, isSwap, operandFolds } from './matmul-patterns.js';
import { findSoftmaxes } from './softmax.js';
import { formRowChains } from './row-chains.js';
import { scheduleEarly } from './schedule.js';
import { storeBf16 } from './bf16-storage.js';
import { broadcastStrides, collapse, numel, reduceForm, stridesOf } from './strides.js';

/** A value of the plan: the program's values first (same ids), then temporaries the lowering adds. */
export interface PlanValue {
  shape: readonly number[];
  dtype: DType;
  /** The value whose memory this one shares (a reshape is a view), or itself. */
  root: number;
}

/** One instruction: its stream words (value ids embedded) and the values it reads and writes. */
export interface Instr {
  words: number[];
  reads: number[];
  writes: number[];
  /** The program op(s) it runs, for profiles. */
  op: string;
  /** What it can read and write as bf16 in a bf16 plan (bf16-storage.ts): matmul operands and outputs, a softmax's output, elementwise values. */
  bf16Reads?: number[];
  bf16Writes?: number[];
  /** Elementwise: its writes are bf16 only where all these inputs are (as autocast, a float32 operand makes the result float32). */
  bf16If?: number[];
  /** Words holding a value's dtype code, rewritten when bf16-storage.ts stores the value as bf16. */
  dtypeWords?: { value: number; word: number }[];
  /** Float32 outputs it can also write as bf16 copies (for the matmuls reading them): the flag word to set. */
  shadows?: { value: number; word: number }[];
}

export interface Lowered {
  values: PlanValue[];
  instrs: Instr[];
  /** Counts of what the lowering fused or elided, for stats and tests. */
  fused: { transposes: number; biases: number; activations: number; views: number; elementwise: number; softmaxes: number; layerNorms: number; bf16Values: number };
}

const attrs = <T>(n: ProgramNode) => n.attrs as unknown as T;

const UNARY_OPS = new Set(['neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'erf', 'reciprocal', 'sin', 'cos', 'sign', 'identity', 'not']);

/**
 * Lowers a program to the addon's instructions. Op-level, as the program is; the patterns it
 * recognises are the ones a MiniLM step is made of and that cost a copy or a pass otherwise:
 * a transpose feeding a matmul (a stride), an add of a [N] row after a matmul (the primitive's
 * bias), and reshape/identity (views of their input's memory).
 */
export interface LowerOptions {
  /** Plan for bf16 matmuls and storage (bf16-storage.ts). */
  bf16?: boolean;
  /** false: fused groups stay groups, the AdamW and gelu-gradient loops are not matched, no row chains or sums of products are formed (tests compare the two). */
  groupKernels?: boolean;
}

export function lowerProgram(program: Program, options: LowerOptions = {}): Lowered {
  const nFeeds = program.feeds.length, nConsts = program.consts.length;
  const base = nFeeds + nConsts;
  const values: PlanValue[] = [...program.feeds, ...program.consts, ...program.nodes].map((v, i) => ({ shape: v.shape, dtype: v.dtype, root: i }));
  const nodeOf = (v: number) => (v >= base ? program.nodes[v - base] : undefined);
  const outputs = new Set(program.outputs);

  const foldOf = operandFolds(program, values);

  // Uses of each value; a matmul's transposed operand does not count as a use of the permute.
  const uses = new Array<number>(values.length).fill(0);
  const users = new Map<number, number[]>();
  program.nodes.forEach((n, k) => {
    n.inputs.forEach((i, j) => {
      users.set(i, [...(users.get(i) ?? []), base + k]);
      const fold = n.op === 'matmul' ? foldOf(n, j) : undefined;
      if (!fold) uses[i]!++;
      else uses[fold.from]!++; // the matmul reads the chain's start itself (a permute there still runs)
    });
  });
  for (const o of outputs) uses[o]!++;
  // a permute left without uses is not run, so its own input loses that use (chains fold whole)
  for (let k = program.nodes.length - 1; k >= 0; k--) {
    const n = program.nodes[k]!;
    if (n.op === 'permute' && uses[base + k] === 0) uses[n.inputs[0]!]!--;
  }

  const fused = { transposes: 0, biases: 0, activations: 0, views: 0, elementwise: 0, softmaxes: 0, layerNorms: 0, bf16Values: 0 };
  const skip = new Set<number>();
  // softmaxes run as one row kernel at their div; the other members are not run
  const softmaxAt = new Map(findSoftmaxes(program, outputs, users, (v) => values[v]!.shape).map((sm) => [sm.y, sm]));
  for (const sm of softmaxAt.values()) for (const m of sm.members) if (m !== sm.y) skip.add(m);
  fused.softmaxes = softmaxAt.size;
  // layerNorms likewise, at their last value; a softmax's members are never a layerNorm's
  const layerNormAt = new Map(findLayerNorms(program, outputs, users, (v) => values[v]!.shape).filter((ln) => !ln.members.some((m) => skip.has(m) || softmaxAt.has(m))).map((ln) => [ln.last, ln]));
  for (const ln of layerNormAt.values()) for (const m of ln.members) if (m !== ln.last) skip.add(m);
  fused.layerNorms = layerNormAt.size;
  const { biasOf, addToMatmul } = findBiases(program, values, outputs, users);
  for (const [add] of biasOf.values()) skip.add(add);
  fused.biases = biasOf.size;
  const geluOf = findGeluPostOps(program, outputs, users, biasOf);
  for (const { gelu } of geluOf.values()) skip.add(gelu);
  fused.activations = geluOf.size;
  const { permuteFrom, intoPermute } = findPermutedOutputs(program, values, outputs, uses, biasOf, geluOf);

  const pairOf = options.groupKernels === false ? new Map<number, [number, number]>() : findTablePairs(program, outputs, users);
  for (const pair of pairOf.values()) pair.forEach((g) => skip.add(g));

  // Elementwise chains of one shape run as one fused instruction (fuse.ts).
  const dtypeOf = (v: number) => values[v]!.dtype;
  const groups = groupElementwise(program, (k) => !skip.has(base + k) && !pairOf.has(base + k) && !softmaxAt.has(base + k) && !layerNormAt.has(base + k) && numel(program.nodes[k]!.shape) > 0 && fusible(program.nodes[k]!, dtypeOf), (v) => (users.get(v) ?? []).map((u) => addToMatmul.get(u) ?? u));
  const fusedIn = new Map<number, number[]>();
  // in bf16 plans a lone arithmetic op whose output a matmul reads runs as a group of one,
  // so that it writes the operand's bf16 copy in the same pass (storeBf16 sets the flag)
  const feedsMatmul = (v: number): boolean =>
    (users.get(v) ?? []).some((u) => {
      const op = nodeOf(u)!.op;
      return op === 'matmul' || ((op === 'reshape' || op === 'permute') && !outputs.has(u) && feedsMatmul(u));
    });
  // not gelu: oneDNN's eltwise gelu (then converted) was measured faster than a fused one writing the copy
  const lone = new Set(['add', 'sub', 'mul', 'div']);
  const asGroup = (members: number[]) => members.length > 1 || (options.bf16 === true && lone.has(nodeOf(members[0]!)!.op) && nodeOf(members[0]!)!.dtype === 'float32' && feedsMatmul(members[0]!));
  for (const members of groups.values()) if (asGroup(members)) for (const m of members) fusedIn.set(m, members);
  fused.elementwise = [...groups.values()].filter((g) => g.length > 1).reduce((a, g) => a + g.length, 0);

  const productOf = options.groupKernels === false ? new Map<number, [number, number]>() : findProductSums(program, values, outputs, users, (m) => skip.has(m) || fusedIn.has(m));
  for (const sum of productOf.keys()) skip.add(nodeOf(sum)!.inputs[0]!);

  const instrs: Instr[] = [];
  const temp = (shape: readonly number[], dtype: DType) => {
    values.push({ shape, dtype, root: values.length });
    return values.length - 1;
  };
  const emit = (op: string, words: number[], reads: number[], writes: number[]) => instrs.push({ op, words, reads, writes });

  program.nodes.forEach((n, k) => {
    const v = base + k;
    if (skip.has(v)) return;
    const group = fusedIn.get(v);
    if (group) {
      if (group[group.length - 1] !== v) return;
      const inside = new Set(group);
      const external = (m: number) => outputs.has(m) || (users.get(m) ?? []).some((u) => !inside.has(u));
      const info = { program, members: group, outputs: group.filter(external), users, shapeOf: (x: number) => values[x]!.shape, dtypeOf };
      const kernels = options.groupKernels !== false;
      const gg = kernels && matchGeluGrad(info);
      if (gg) {
        instrs.push(geluGradInstr(gg, numel(n.shape)));
        return;
      }
      const adam = kernels && matchAdamW(info);
      if (adam) {
        instrs.push(adamWInstr(adam, numel(n.shape)));
        return;
      }
      const { words, reads, writes, shadows, bf16 } = fusedWords(program, group, dtypeOf, (x) => values[x]!.shape, external);
      emit(`fused(${group.map((m) => nodeOf(m)!.op).join(',')})`, words, reads, writes);
      Object.assign(instrs[instrs.length - 1]!, { shadows, ...bf16 });
      return;
    }
    if (intoPermute.has(v)) return; // written by its permute (permuteFrom)
    const pair = pairOf.get(v);
    if (pair) {
      const [X, Y] = pair.map((g) => nodeOf(g)!) as [ProgramNode, ProgramNode];
      const { dim } = attrs<{ dim: number }>(X);
      const side = (g: ProgramNode) => [g.inputs[0]!, DTYPE_CODE[values[g.inputs[0]!]!.dtype], g.inputs[1]!, numel(values[g.inputs[0]!]!.shape)];
      const [i1, t1, u1, n1] = side(X), [i2, t2, u2, n2] = side(Y);
      emit('gatherGrad(add)', [OP.gatherGrad, DTYPE_CODE[n.dtype], i1!, t1!, u1!, v, 1, dim, numel(n.shape.slice(1)), n1!, 1, i2!, t2!, u2!, n2!], [...X.inputs, ...Y.inputs], [v]);
      return;
    }
    const ln = layerNormAt.get(v);
    if (ln) {
      const L = n.shape[n.shape.length - 1]!;
      const [ra, rb] = ln.residual ?? [-1, -1];
      const outs = ln.parts.map((p) => (ln.written.includes(p) ? p : -1));
      const reads = [...(ln.residual ?? [ln.x]), ...[ln.weight, ln.bias].filter((p) => p >= 0)];
      const words = [OP.layerNorm, ln.x, ra, rb, ln.weight, ln.bias, numel(n.shape) / L, L, ln.eps, ...outs, 0];
      emit(ln.residual ? 'layerNorm(add)' : 'layerNorm', words, reads, ln.written);
      // the last word: also write the output's bf16 copy (storeBf16 sets it where matmuls read it)
      instrs[instrs.length - 1]!.shadows = [{ value: v, word: words.length - 1 }];
      return;
    }
    const sm = softmaxAt.get(v);
    if (sm) {
      const L = n.shape[n.shape.length - 1]!;
      const writes = [v, sm.e, sm.s].filter((w) => w >= 0);
      const rows = numel(n.shape) / L;
      if (!sm.pre) {
        emit('softmax', [OP.softmax, sm.x, v, sm.e, sm.s, rows, L, 0], [sm.x], writes);
        instrs[instrs.length - 1]!.bf16Writes = [v];
        return;
      }
      // the addend by strides over [rows' dims..., L] (broadcast dims 0)
      const { a, scale, addend } = sm.pre;
      const st = broadcastStrides(n.shape, values[addend]!.shape);
      emit('softmax(scale,add)', [OP.softmax, a, v, sm.e, sm.s, rows, L, 1, scale, addend, n.shape.length, ...n.shape, ...st], [a, addend], writes);
      instrs[instrs.length - 1]!.bf16Writes = [v];
      return;
    }
    if (n.op === 'permute' && uses[v] === 0) {
      fused.transposes++;
      return;
    }
    const ins = n.inputs;
    const inShape = (j: number) => values[ins[j]!]!.shape;
    const inType = (j: number) => values[ins[j]!]!.dtype;
    const size = ELEMENT_BYTES[n.dtype];
    const len = numel(n.shape);

    if (UNARY_OPS.has(n.op) || n.op === 'gelu' || n.op === 'cast') {
      if ((n.op === 'identity' || (n.op === 'cast' && inType(0) === n.dtype)) && !outputs.has(v)) {
        values[v]!.root = values[ins[0]!]!.root;
        fused.views++;
        return;
      }
      const fn = n.op === 'gelu' ? (attrs<{ approximate: string }>(n).approximate === 'tanh' ? UNARY_FN.geluTanh : UNARY_FN.gelu) : UNARY_FN[n.op as keyof typeof UNARY_FN];
      emit(n.op, [OP.unary, fn, DTYPE_CODE[inType(0)], DTYPE_CODE[n.dtype], len, ins[0]!, v], [ins[0]!], [v]);
      // gelu on a bf16 matmul output (the FFN's, in training) reads and writes bf16 (bf16-storage.ts)
      if (n.op === 'gelu' && n.dtype === 'float32') {
        const x = ins[0]!;
        Object.assign(instrs[instrs.length - 1]!, { bf16Reads: [x], bf16Writes: [v], bf16If: [x], dtypeWords: [{ value: x, word: 2 }, { value: v, word: 3 }] });
      }
      return;
    }
    if (n.op in BINARY_FN) {
      const { dims, strides } = collapse(n.shape, [broadcastStrides(n.shape, inShape(0)), broadcastStrides(n.shape, inShape(1))]);
      emit(n.op, [OP.binary, BINARY_FN[n.op as keyof typeof BINARY_FN], DTYPE_CODE[inType(0)], DTYPE_CODE[n.dtype], ins[0]!, ins[1]!, v, dims.length, ...dims, ...strides[0]!, ...strides[1]!], [ins[0]!, ins[1]!], [v]);
      return;
    }
    switch (n.op) {
      case 'where': {
        const { dims, strides } = collapse(n.shape, [0, 1, 2].map((j) => broadcastStrides(n.shape, inShape(j))));
        emit('where', [OP.where, size, ins[0]!, ins[1]!, ins[2]!, v, dims.length, ...dims, ...strides.flat()], [...ins], [v]);
        return;
      }
      case 'sum': case 'max': case 'min': {
        const axes = attrs<{ axes: number[] }>(n).axes;
        reduceInto(n.op, ins[0]!, v, inShape(0), inType(0), axes);
        return;
      }
      case 'argmax': {
        const { axis } = attrs<{ axis: number }>(n);
        const s = inShape(0);
        emit('argmax', [OP.reduce, REDUCE_FN.argmax, DTYPE_CODE[inType(0)], ins[0]!, v, numel(s.slice(0, axis)), s[axis]!, numel(s.slice(axis + 1)), DTYPE_CODE[inType(0)]], [ins[0]!], [v]);
        return;
      }
      case 'topk': {
        const { k: kk, axis, largest } = attrs<{ k: number; axis: number; largest: boolean }>(n);
        const s = inShape(0);
        emit('topk', [OP.topk, DTYPE_CODE[inType(0)], ins[0]!, v, numel(s.slice(0, axis)), s[axis]!, numel(s.slice(axis + 1)), kk, largest ? 1 : 0], [ins[0]!], [v]);
        return;
      }
      case 'cumsum': {
        const { axis, reverse } = attrs<{ axis: number; reverse: boolean }>(n);
        const s = n.shape;
        emit('cumsum', [OP.cumsum, DTYPE_CODE[n.dtype], ins[0]!, v, numel(s.slice(0, axis)), s[axis]!, numel(s.slice(axis + 1)), reverse ? 1 : 0], [ins[0]!], [v]);
        return;
      }
      case 'fullLike':
        emit('fullLike', [OP.fill, DTYPE_CODE[n.dtype], v, len, attrs<{ value: number }>(n).value], [], [v]);
        return;
      case 'matmul':
        matmulInto(n, v);
        return;
      case 'reshape':
        if (!outputs.has(v)) {
          values[v]!.root = values[ins[0]!]!.root;
          fused.views++;
          return;
        }
        copy(ins[0]!, v, n.shape, stridesOf(n.shape), 0, size, 'reshape');
        return;
      case 'permute': {
        const perm = attrs<{ perm: number[] }>(n).perm;
        const into = permuteFrom.get(v);
        if (into) {
          matmulInto(nodeOf(into.mm)!, v, into);
          fused.transposes++;
          return;
        }
        const s = stridesOf(inShape(0));
        copy(ins[0]!, v, n.shape, perm.map((p) => s[p]!), 0, size, 'permute');
        return;
      }
      case 'expand':
        copy(ins[0]!, v, n.shape, broadcastStrides(n.shape, inShape(0)), 0, size, 'expand');
        return;
      case 'slice': {
        const { starts } = attrs<{ starts: number[] }>(n);
        const s = stridesOf(inShape(0));
        copy(ins[0]!, v, n.shape, s, starts.reduce((acc, st, i) => acc + st * s[i]!, 0), size, 'slice');
        return;
      }
      case 'pad': {
        const { pads } = attrs<{ pads: [number, number][] }>(n);
        const s = stridesOf(n.shape);
        emit('pad', [OP.fill, DTYPE_CODE[n.dtype], v, len, 0], [], [v]);
        paste(ins[0]!, v, inShape(0), s, pads.reduce((acc, [before], i) => acc + before * s[i]!, 0), size, 'pad');
        return;
      }
      case 'concat': {
        const { axis } = attrs<{ axis: number }>(n);
        const s = stridesOf(n.shape);
        let at = 0;
        ins.forEach((x, j) => {
          paste(x, v, inShape(j), s, at * s[axis]!, size, 'concat');
          at += inShape(j)[axis]!;
        });
        if (ins.length === 0 || len === 0) emit('concat', [OP.fill, DTYPE_CODE[n.dtype], v, len, 0], [], [v]);
        return;
      }
      case 'gather': {
        const { axis } = attrs<{ axis: number }>(n);
        const s = inShape(0);
        emit('gather', [OP.gather, size, ins[0]!, ins[1]!, DTYPE_CODE[inType(1)], v, numel(s.slice(0, axis)), s[axis]!, numel(s.slice(axis + 1)), numel(inShape(1))], [...ins], [v]);
        return;
      }
      case 'gatherGrad': {
        const { axis, dim } = attrs<{ axis: number; dim: number }>(n);
        const s = n.shape;
        emit('gatherGrad', [OP.gatherGrad, DTYPE_CODE[n.dtype], ins[0]!, DTYPE_CODE[inType(0)], ins[1]!, v, numel(s.slice(0, axis)), dim, numel(s.slice(axis + 1)), numel(inShape(0)), 0], [...ins], [v]);
        return;
      }
      case 'gatherElements': {
        const { axis } = attrs<{ axis: number }>(n);
        emit('gatherElements', [OP.gatherElements, size, ins[0]!, ins[1]!, DTYPE_CODE[inType(1)], v, axis, n.shape.length, ...inShape(1), ...inShape(0)], [...ins], [v]);
        return;
      }
      case 'scatterElementsAdd': {
        const { axis } = attrs<{ axis: number }>(n);
        emit('scatterElementsAdd', [OP.scatterAdd, DTYPE_CODE[n.dtype], ins[0]!, DTYPE_CODE[inType(0)], ins[1]!, v, axis, n.shape.length, ...inShape(0), ...n.shape], [...ins], [v]);
        return;
      }
      default:
        throw new NotImplementedError(`onednn backend: op '${n.op}' (no lowering in backend-onednn's plan/lower.ts)`);
    }
  });

  if (options.bf16) fused.bf16Values = storeBf16(values, instrs, outputs);
  return { values, instrs: scheduleEarly(values, options.groupKernels === false ? instrs : formRowChains(values, instrs, outputs)), fused };

  function copy(src: number, dst: number, shape: readonly number[], inStrides: readonly number[], offset: number, size: number, op: string) {
    const { dims, strides } = collapse(shape, [inStrides, stridesOf(shape)]);
    emit(op, [OP.copy, size, src, dst, offset, dims.length, ...dims, ...strides[0]!], [src], [dst]);
  }

  function paste(src: number, dst: number, shape: readonly number[], outStrides: readonly number[], offset: number, size: number, op: string) {
    const { dims, strides } = collapse(shape, [outStrides, stridesOf(shape)]);
    emit(op, [OP.paste, size, src, dst, offset, dims.length, ...dims, ...strides[0]!], [src, dst], [dst]);
  }

  /** sum/max/min as [outer, reduced, inner]; reduced axes that are not one block are permuted last first. */
  function reduceInto(op: 'sum' | 'max' | 'min', src: number, dst: number, shape: readonly number[], dtype: DType, axes: readonly number[]) {
    const fn = REDUCE_FN[op];
    const form = reduceForm(shape, axes);
    if (form) {
      const product = productOf.get(dst);
      if (product) {
        emit('sum(mul)', [OP.reduce, REDUCE_FN.sumProduct, DTYPE_CODE.float32, product[0], dst, form.outer, form.r, form.inner, DTYPE_CODE.float32, product[1]], product, [dst]);
        return;
      }
      // the last word is the input's dtype: a float sum may read a bf16-stored gradient (bf16-storage.ts)
      emit(op, [OP.reduce, fn, DTYPE_CODE[dtype], src, dst, form.outer, form.r, form.inner, DTYPE_CODE[dtype]], [src], [dst]);
      if (op === 'sum' && dtype === 'float32') Object.assign(instrs[instrs.length - 1]!, { bf16Reads: [src], dtypeWords: [{ value: src, word: 8 }] });
      return;
    }
    const red = shape.map((_, i) => axes.includes(i));
    const kept = shape.map((_, i) => i).filter((i) => !red[i]);
    const reduced = shape.map((_, i) => i).filter((i) => red[i]);
    const perm = [...kept, ...reduced];
    const permShape = perm.map((p) => shape[p]!);
    const t = temp(permShape, dtype);
    const s = stridesOf(shape);
    copy(src, t, permShape, perm.map((p) => s[p]!), 0, ELEMENT_BYTES[dtype], op);
    emit(op, [OP.reduce, fn, DTYPE_CODE[dtype], t, dst, numel(kept.map((i) => shape[i]!)), numel(reduced.map((i) => shape[i]!)), 1, DTYPE_CODE[dtype]], [t], [dst]);
  }

  /**
   * x @ y over the last two dims with broadcast batch dims, as one oneDNN call where the batch
   * allows: folded into M (a weight shared across a batch), batched (equal or one-sided batches),
   * else one 2-D call per broadcast pair.
   */
  function matmulInto(n: ProgramNode, v: number, into?: { flip: boolean; perm: number[] }) {
    const bias = into ? undefined : biasOf.get(v);
    const act = into ? undefined : geluOf.get(v);
    const out = act ? act.gelu : bias ? bias[0] : v;
    const flip = into?.flip ?? false;
    const swapLast = <T>(xs: readonly T[]) => [...xs.slice(0, -2), xs[xs.length - 1]!, xs[xs.length - 2]!];
    /** Operand j as read by the primitive; flipped: its transpose (for Bᵀ·Aᵀ). */
    const operand = (j: number) => {
      const id = n.inputs[j]!;
      const chain = nodeOf(id) ? foldOf(n, j) : undefined;
      // a chain composing to the identity (Wᵀ transposed back, in dX = dY·W) reads its start plainly
      const fold = chain && !isIdentity(chain.perm) ? chain : undefined;
      const general = fold !== undefined && !isSwap(fold.perm);
      let shape = values[id]!.shape;
      let full = fold ? fold.perm.map((q) => stridesOf(values[fold.from]!.shape)[q]!) : stridesOf(shape);
      // a last-two swap: logical [.., r, c] stored as [.., c, r]
      let transposed = fold !== undefined;
      if (flip) {
        shape = swapLast(shape);
        full = swapLast(full);
        transposed = general || !transposed;
      }
      const r = shape[shape.length - 2]!, c = shape[shape.length - 1]!;
      const rs = general ? full[full.length - 2]! : transposed ? 1 : c;
      const cs = general ? full[full.length - 1]! : transposed ? r : 1;
      return { id: chain ? chain.from : id, shape, rs, cs, bs: r * c, transposed, full, general };
    };
    const [a, b] = flip ? [operand(1), operand(0)] : [operand(0), operand(1)];
    const shape = flip ? swapLast(n.shape) : n.shape;
    // written into a permute: the output's strides in the permute's memory
    const perm = into?.perm;
    const dst = perm && !isIdentity(perm) ? perm.map((_, d) => stridesOf(values[v]!.shape)[perm.indexOf(d)]!) : undefined;
    const M = a.shape[a.shape.length - 2]!, K = a.shape[a.shape.length - 1]!, N = b.shape[b.shape.length - 1]!;
    const batch = shape.slice(0, -2);
    const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
    const nb = numel(batch), na = numel(ba), nbb = numel(bb);
    const pad = (s: readonly number[]) => [...new Array<number>(batch.length - s.length).fill(1), ...s];
    const same = (s: readonly number[]) => pad(s).join() === batch.join();
    let words: number[];
    // operands by their memory's root: bf16 copies are made once per value id, and a reshape of x
    // (the [32,64,384] → [2048,384] views around every projection) is x's memory again
    const head = [OP.matmul, DTYPE_CODE[n.dtype], values[a.id]!.root, values[b.id]!.root, out, bias ? bias[1] : -1];
    if (a.general || b.general || dst) {
      // one N-D call with each operand's own strides (-1 pairs marks this form)
      words = [...head, M, N, K, nb, 0, 0, a.rs, a.cs, b.rs, b.cs, -1, shape.length, ...a.shape, ...a.full, ...b.shape, ...b.full, ...(dst ?? stridesOf(shape))];
    } else if (nbb === 1 && !a.transposed) words = [...head, M * na, N, K, 1, 0, 0, a.rs, a.cs, b.rs, b.cs, 0];
    else if (nb === 1) words = [...head, M, N, K, 1, 0, 0, a.rs, a.cs, b.rs, b.cs, 0];
    else if ((same(ba) || na === 1) && (same(bb) || nbb === 1)) words = [...head, M, N, K, nb, na === 1 ? 0 : a.bs, nbb === 1 ? 0 : b.bs, a.rs, a.cs, b.rs, b.cs, 0];
    else {
      const offA = batchOffsets(batch, pad(ba), a.bs), offB = batchOffsets(batch, pad(bb), b.bs);
      words = [...head, M, N, K, nb, 0, 0, a.rs, a.cs, b.rs, b.cs, nb, ...offA, ...offB];
    }
    words.push(act?.act ?? 0);
    emit(`matmul${bias ? '+bias' : ''}${act ? '+gelu' : ''}`, words, bias ? [a.id, b.id, bias[1]] : [a.id, b.id], [out]);
    // explicit batch pairs write by float offsets, and K = 0 by a float loop: those stay float32
    const pairs = words[16] !== -1 && words[16] !== 0;
    Object.assign(instrs[instrs.length - 1]!, { bf16Reads: [a.id, b.id], bf16Writes: K > 0 && !pairs ? [out] : [] });
  }
}

/** For each batch index of `batch`, the element offset of the matching matrix of an operand with batch dims `own`. */
function batchOffsets(batch: readonly number[], own: readonly number[], matrix: number): number[] {
  const s = broadcastStrides(batch, own);
  const offs: number[] = [];
  const idx = new Array<number>(batch.length).fill(0);
  for (let t = 0; t < numel(batch); t++) {
    offs.push(idx.reduce((acc, c, d) => acc + c * s[d]!, 0) * matrix);
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d]! < batch[d]!) break;
      idx[d] = 0;
    }
  }
  return offs;
}

