import { DTYPE_CODE } from './codes.js';
import type { Instr, PlanValue } from './lower.js';

/**
 * bf16 plans store a value as bf16 where autocast would hold it in bf16 and every instruction
 * touching it can:
 * - its one writer writes bf16: a matmul; a softmax, whose kernel rounds as the conversion would;
 *   an elementwise instruction whose non-scalar float inputs are all bf16 (autocast's promotion);
 * - all its readers read bf16: matmul operands, a sum's input, the inputs of an elementwise
 *   instruction whose results are all bf16;
 * - no program output is computed from it without a matmul in between: the loss stays fp32 from
 *   the scores on, and an optimizer other than the AdamW loop reads fp32 ("fp32 losses and
 *   optimizer").
 * The matmuls read bf16 anyway, so for values only they read no bit changes (oneDNN rounds its fp32
 * accumulator to nearest even, exactly what the conversion did); elementwise instructions compute
 * in fp32 from bf16 inputs and round once. In training that is Q, K, V, the context, the FFN's pre-
 * and post-gelu activations and the gradients into and out of gelu; at inference Q, K, V, the
 * context, gelu's output (post-op) and the softmax's. Returns how many values it stores so.
 */
export function storeBf16(values: PlanValue[], instrs: Instr[], outputs: ReadonlySet<number>): number {
  const root = (v: number) => values[v]!.root;
  const ok = new Map<number, boolean>();
  const veto = (r: number) => ok.set(r, false);
  instrs.forEach((ins) => {
    for (const w of ins.writes) {
      const r = root(w);
      // one writer, one that can write it as bf16
      ok.set(r, !ok.has(r) && (ins.bf16Writes ?? []).includes(w));
    }
  });
  instrs.forEach((ins) => {
    for (const v of ins.reads) if (!(ins.bf16Reads ?? []).includes(v)) veto(root(v));
  });
  // outputs, and what they are computed from back to the last matmuls (the loss from the scores,
  // through its reductions); the AdamW loop stops it: its inputs are the gradients it is given
  const toOutput = new Set([...outputs].map(root));
  for (let k = instrs.length - 1; k >= 0; k--) {
    const ins = instrs[k]!;
    if (ins.op.startsWith('matmul') || ins.op === 'adamw') continue;
    if (ins.writes.some((w) => toOutput.has(root(w)))) for (const v of ins.reads) toOutput.add(root(v));
  }
  for (const r of toOutput) veto(r);
  // In program order, so an elementwise writer's inputs are decided before its outputs; then an
  // elementwise instruction with a float32 result gives up its bf16 inputs (a bf16 addend into
  // the residual stream's float32 gradient made bf16 training drift from fp32: 30-step loss gap
  // 1.26 % with it, 0.61 % without), which can undo other choices, until nothing changes.
  let chosen = new Set<number>();
  for (let changed = true; changed; ) {
    chosen = new Set<number>();
    for (const ins of instrs) {
      const inputsBf16 = (ins.bf16If ?? []).every((v) => chosen.has(root(v)));
      for (const w of ins.writes) if (ok.get(root(w)) && inputsBf16) chosen.add(root(w));
    }
    changed = false;
    for (const ins of instrs) {
      if (!ins.bf16If || ins.writes.every((w) => chosen.has(root(w)))) continue;
      for (const v of ins.reads) if (ok.get(root(v))) (veto(root(v)), (changed = true));
    }
  }
  values.forEach((val) => {
    if (chosen.has(val.root) && val.dtype === 'float32') val.dtype = 'bfloat16';
  });
  for (const ins of instrs) for (const d of ins.dtypeWords ?? []) ins.words[d.word] = DTYPE_CODE[values[d.value]!.dtype];
  // a float32 value a matmul reads: its producer writes the bf16 copy too, when it can (saving the
  // conversion's float32 read: gelu's output, the layerNorm outputs, the backward's fused groups)
  const readByMatmul = new Set<number>();
  for (const ins of instrs) if (ins.op.startsWith('matmul')) for (const v of ins.bf16Reads ?? []) readByMatmul.add(root(v));
  for (const ins of instrs) for (const sh of ins.shadows ?? []) if (root(sh.value) === sh.value && readByMatmul.has(sh.value) && !chosen.has(sh.value)) ins.words[sh.word] = 1;
  return chosen.size;
}
