import type { Instr, PlanValue } from './lower.js';

/**
 * Orders the instructions so each runs as soon as what it depends on has run: right after the
 * latest of its dependencies.
 * A program lists a training step as core-tensor's graph walk leaves it: the whole input-gradient
 * chain first, then each parameter's weight gradient, bias sum and update, so every layer's
 * output gradient stayed alive (and went cold) until the optimizer ran. Run as soon as their
 * inputs exist, the weight gradients read them while they are still in cache, and their memory is
 * reused sooner. Dependencies are on memory roots (views share them): a reader on the last
 * writer; a writer (paste writes in place) on the previous writer and the readers since.
 */
export function scheduleEarly(values: readonly PlanValue[], instrs: Instr[]): Instr[] {
  const root = (v: number) => values[v]!.root;
  const deps: number[][] = instrs.map(() => []);
  const lastWriter = new Map<number, number>();
  const readers = new Map<number, number[]>();
  instrs.forEach((ins, i) => {
    for (const r of ins.reads) {
      const w = lastWriter.get(root(r));
      if (w !== undefined) deps[i]!.push(w);
    }
    for (const x of ins.writes) {
      const w = lastWriter.get(root(x));
      if (w !== undefined) deps[i]!.push(w);
      for (const r of readers.get(root(x)) ?? []) if (r !== i) deps[i]!.push(r);
    }
    for (const r of ins.reads) {
      const list = readers.get(root(r));
      if (list) list.push(i);
      else readers.set(root(r), [i]);
    }
    for (const x of ins.writes) {
      lastWriter.set(root(x), i);
      readers.set(root(x), []);
    }
  });

  // each right after its latest dependency (anything placed there before it, in particular the
  // rest of the input-gradient chain, only comes later); with none, after everything so far
  const order: number[] = [];
  const pos = new Int32Array(instrs.length);
  for (let i = 0; i < instrs.length; i++) {
    let anchor = -1;
    for (const d of deps[i]!) if (anchor < 0 || pos[d]! > pos[anchor]!) anchor = d;
    const at = anchor < 0 ? order.length : pos[anchor]! + 1;
    order.splice(at, 0, i);
    // only what follows moved (usually little: the latest dependency is mostly near the end)
    for (let p = at; p < order.length; p++) pos[order[p]!] = p;
  }
  return order.map((k) => instrs[k]!);
}
