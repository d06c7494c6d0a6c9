import { ELEMENT_BYTES, OP, REDUCE_FN } from './codes.js';
import type { Instr, PlanValue } from './lower.js';
import { numel } from './strides.js';

/** The bytes of every value a chain touches, per block of rows: a block stays in L2 (2 MB on the machines seen) with room to spare. */
const BLOCK_BYTES = 1 << 18;

/** Rows of an instruction that can join a chain: R = numel(P) rows, of L elements (undefined: only [P..., 1] values, any L). */
interface RowShape { prefix: string; R: number; L?: number }

/**
 * Groups runs of consecutive row-wise instructions over the same rows into row chains
 * (native/rows.cc). layerNorm's gradient is seven such instructions over [tokens, hidden] (two
 * row sums, groups over [.., 1] and [.., hidden]), softmax's three over [.., T, T]; op by op each
 * is a pass over memory, and the values only the next instruction reads are written and read back.
 * A member is a fused group, a float32 binary op or a float32 sum of the last axis whose outputs
 * are all [P..., L] or [P..., 1]; a member reading a value the chain wrote reads it as [P..., L] or
 * [P..., 1] too, so row g of every output needs only rows g of what the chain wrote. Values read
 * by nothing after the chain (and not outputs, not views) live in the chain's scratch.
 */
export function formRowChains(values: PlanValue[], instrs: Instr[], outputs: ReadonlySet<number>): Instr[] {
  const root = (v: number) => values[v]!.root;
  const views = new Map<number, number>();
  values.forEach((val) => views.set(val.root, (views.get(val.root) ?? 0) + 1));
  // the last instruction reading each root
  const lastRead = new Map<number, number>();
  instrs.forEach((ins, i) => ins.reads.forEach((r) => lastRead.set(root(r), i)));

  const out: Instr[] = [];
  for (let i = 0; i < instrs.length; ) {
    const first = rowShape(instrs[i]!);
    if (!first) {
      out.push(instrs[i++]!);
      continue;
    }
    let L = first.L;
    const written = new Set<number>();
    let j = i;
    for (; j < instrs.length; j++) {
      const ins = instrs[j]!;
      const s = rowShape(ins);
      if (!s || s.prefix !== first.prefix || (L !== undefined && s.L !== undefined && s.L !== L)) break;
      const l = L ?? s.L;
      // what it reads of the chain's values must be rows of the chain's own widths
      const aligned = ins.reads.every((r) => !written.has(root(r)) || (root(r) === r && rowsOf(r, first.prefix, l)));
      if (!aligned) break;
      L = l;
      ins.writes.forEach((w) => written.add(root(w)));
    }
    if (j - i < 2) {
      out.push(instrs[i++]!);
      continue;
    }
    out.push(chain(instrs.slice(i, j), j - 1, first.R, written));
    i = j;
  }
  return out;

  function chain(members: Instr[], last: number, R: number, written: Set<number>): Instr {
    const scratch = [...written].filter((w) => !outputs.has(w) && views.get(w) === 1 && (lastRead.get(w) ?? -1) <= last);
    const inScratch = new Set(scratch);
    const reads = [...new Set(members.flatMap((m) => m.reads).filter((r) => !written.has(root(r))))];
    const writes = [...new Set(members.flatMap((m) => m.writes).filter((w) => !inScratch.has(w)))];
    const touched = new Set([...reads, ...members.flatMap((m) => m.writes)].map(root));
    let perRow = 0;
    for (const v of touched) if (numel(values[v]!.shape) >= R) perRow += (numel(values[v]!.shape) / R) * ELEMENT_BYTES[values[v]!.dtype];
    const block = Math.max(1, Math.min(R, Math.floor(BLOCK_BYTES / Math.max(perRow, 1))));
    const words = [OP.rows, R, block, scratch.length, ...scratch, members.length, ...members.flatMap((m) => m.words)];
    return { op: `rows(${members.map((m) => m.op).join(' ')})`, words, reads, writes };
  }

  function rowsOf(v: number, prefix: string, L: number | undefined) {
    const s = values[v]!.shape;
    const last = s[s.length - 1];
    return s.slice(0, -1).join() === prefix && (last === 1 || last === L);
  }

  function rowShape(ins: Instr): RowShape | undefined {
    const w = ins.words;
    const float32 = (v: number) => values[v]!.dtype === 'float32';
    const kind = w[0] === OP.fused ? 'group' : w[0] === OP.binary && w[2] === 0 && w[3] === 0 ? 'binary' : w[0] === OP.reduce && w[1] === REDUCE_FN.sum && w[2] === 0 && w[7] === 1 ? 'sum' : undefined;
    if (!kind || ins.writes.length === 0) return undefined;
    const s = values[ins.writes[0]!]!.shape;
    if (s.length < 2 || numel(s) === 0) return undefined;
    const prefix = s.slice(0, -1).join();
    const R = numel(s.slice(0, -1));
    if (!ins.writes.every((x) => values[x]!.shape.join() === s.join())) return undefined;
    if (kind === 'sum') {
      const input = values[ins.reads[0]!]!.shape;
      // the last axis reduced: [P..., L] → [P..., 1], as outer R and reduced L
      if (!float32(ins.writes[0]!) || s[s.length - 1] !== 1 || input.slice(0, -1).join() !== prefix || w[5] !== R || w[6] !== input[input.length - 1]) return undefined;
      return { prefix, R, L: input[input.length - 1]! };
    }
    const last = s[s.length - 1]!;
    return { prefix, R, ...(last === 1 ? {} : { L: last }) };
  }
}
