/** plan/schedule.ts: each instruction right after its latest dependency, in-place writes kept in order. */
import { expect, it } from 'vitest';
import type { Instr, PlanValue } from '../src/plan/lower.js';
import { scheduleEarly } from '../src/plan/schedule.js';

it('hoists an instruction to its latest dependency and keeps in-place writes after their readers', () => {
  // values: 0 feed, 1 a, 2 b, 3 c, 4 w, 5 d (written by a fill, then pasted into twice), 6 e, 7 a view of a
  const values: PlanValue[] = [0, 1, 2, 3, 4, 5, 6].map((root) => ({ shape: [4], dtype: 'float32', root }));
  values.push({ shape: [2, 2], dtype: 'float32', root: 1 });
  const ins = (op: string, reads: number[], writes: number[]): Instr => ({ op, words: [], reads, writes });
  const instrs = [
    ins('a', [0], [1]),
    ins('b', [1], [2]),
    ins('c', [2], [3]),
    ins('w', [7], [4]), // reads a through its view: depends on 'a' only, like a weight gradient
    ins('fill d', [], [5]),
    ins('paste c', [3, 5], [5]),
    ins('e', [5], [6]),
    ins('paste a', [1, 5], [5]), // must stay after 'e' read d, and after the first paste
  ];
  expect(scheduleEarly(values, instrs).map((i) => i.op)).toEqual(['a', 'w', 'b', 'c', 'fill d', 'paste c', 'e', 'paste a']);
});
