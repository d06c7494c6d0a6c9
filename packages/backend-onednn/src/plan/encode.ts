import type { Program } from '../program-types.js';
import { ArenaPlanner } from './arena.js';
import { DTYPE_CODE, ELEMENT_BYTES, STORAGE } from './codes.js';
import type { Lowered } from './lower.js';
import { numel } from './strides.js';

export interface Encoded {
  stream: Float64Array;
  arenaBytes: number;
  /** The bytes every intermediate would take without liveness planning (for the stats). */
  unplannedBytes: number;
}

/**
 * Places every value (feeds and constants where they are; outputs in their own buffers; the rest
 * in one arena, by liveness: a value's bytes are reused once its last reader has run) and writes
 * the stream the addon decodes: header, value table, each output's first writer, instructions.
 */
export function encodePlan(program: Program, lowered: Lowered): Encoded {
  const { values, instrs } = lowered;
  const nFeeds = program.feeds.length, nConsts = program.consts.length;
  const outputIndex = new Map(program.outputs.map((v, i) => [v, i]));
  const bytes = (v: number) => numel(values[v]!.shape) * ELEMENT_BYTES[values[v]!.dtype];

  const kind = (root: number) =>
    root < nFeeds ? STORAGE.feed : root < nFeeds + nConsts ? STORAGE.const : outputIndex.has(root) ? STORAGE.output : STORAGE.arena;

  // last instruction touching each arena root
  const lastUse = new Map<number, number>();
  instrs.forEach((ins, i) => {
    for (const v of [...ins.reads, ...ins.writes]) lastUse.set(values[v]!.root, i);
  });
  const offset = new Map<number, number>();
  const arena = new ArenaPlanner();
  let unplannedBytes = 0;
  const dying = new Map<number, number[]>();
  for (const [root, i] of lastUse) if (kind(root) === STORAGE.arena) dying.set(i, [...(dying.get(i) ?? []), root]);
  instrs.forEach((ins, i) => {
    for (const w of ins.writes) {
      const root = values[w]!.root;
      if (kind(root) !== STORAGE.arena || offset.has(root)) continue;
      offset.set(root, arena.alloc(bytes(root)));
      unplannedBytes += bytes(root);
    }
    for (const root of dying.get(i) ?? []) if (offset.has(root)) arena.release(offset.get(root)!, bytes(root));
  });

  // each output's buffer is taken from the pool just before the first instruction writing it: by
  // then the GC has usually returned the last step's (a training step's parameter and Adam-state
  // outputs are written at its end; taken at its start they were fresh memory whenever the GC had
  // not yet run, ~270 ms of page faults in one MiniLM step of five)
  const firstWrite = new Array<number>(program.outputs.length).fill(-1);
  instrs.forEach((ins, i) => {
    for (const w of ins.writes) {
      const k = outputIndex.get(values[w]!.root);
      if (k !== undefined && firstWrite[k] === -1) firstWrite[k] = i;
    }
  });
  const words: number[] = [2, values.length, instrs.length, program.outputs.length, arena.top];
  values.forEach((val, v) => {
    const root = val.root;
    const k = kind(root);
    const index = k === STORAGE.feed ? root : k === STORAGE.const ? root - nFeeds : k === STORAGE.output ? outputIndex.get(root)! : (offset.get(root) ?? 0);
    words.push(DTYPE_CODE[val.dtype], numel(val.shape), k, index);
  });
  for (const i of firstWrite) words.push(Math.max(i, 0)); // an output nothing writes: before the first
  for (const ins of instrs) for (const w of ins.words) words.push(w);
  return { stream: Float64Array.from(words), arenaBytes: arena.top, unplannedBytes };
}
