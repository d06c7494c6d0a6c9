import type { Instr, PlanValue } from './lower.js';

/**
 * bf16 plans: a value that a matmul (or a softmax) writes and only matmuls read (as operands) is stored as bf16.
 * The matmuls read bf16 anyway (each float32 operand is converted once per run), so the primitive
 * writing bf16 (oneDNN rounds its fp32 accumulator to nearest even, exactly what the conversion
 * did) changes no bit and saves the float32 write and the conversion pass: at inference that is
 * Q, K, V, the attention context, gelu's output (post-op) and the softmax's output (its kernel
 * rounds the same way) of every layer; in training Q, K, V and the context, whose backward readers
 * are matmuls too. Returns how many values it stores so.
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
  values.forEach((val, v) => {
    if (outputs.has(v)) veto(val.root);
  });
  const chosen = new Set([...ok].filter(([, yes]) => yes).map(([r]) => r));
  values.forEach((val) => {
    if (chosen.has(val.root) && val.dtype === 'float32') val.dtype = 'bfloat16';
  });
  // a float32 value a matmul reads: its producer writes the bf16 copy too, when it can (saving the
  // conversion's float32 read: gelu's output, the layerNorm outputs, the backward's fused groups)
  const readByMatmul = new Set<number>();
  for (const ins of instrs) for (const v of ins.bf16Reads ?? []) readByMatmul.add(root(v));
  for (const ins of instrs) for (const sh of ins.shadows ?? []) if (root(sh.value) === sh.value && readByMatmul.has(sh.value) && !chosen.has(sh.value)) ins.words[sh.word] = 1;
  return chosen.size;
}
