import { describe, expect, it } from 'vitest';
import { NotImplementedError, RegistryError } from '../src/index.js';
import { CORE_OPS, defineOp, listOps, NOT_DIFFERENTIABLE, opDef } from '../src/internal.js';

describe('the op table', () => {
  it('defines every core op, and nothing else, with a gradient (or "not differentiable"), a js kernel and an ONNX lowering', () => {
    const report = listOps().map((op) => {
      const def = opDef(op);
      const parts = [typeof def.grad === 'function' ? 'grad' : def.grad === NOT_DIFFERENTIABLE ? 'no-grad' : 'MISSING grad', typeof def.js === 'function' ? 'js' : 'MISSING js', typeof def.onnx === 'function' ? 'onnx' : 'MISSING onnx'];
      return `${op}: ${parts.join(' ')}`;
    });
    console.log(`op table (${report.length} ops):\n  ${report.join('\n  ')}`);
    expect(report.filter((r) => r.includes('MISSING'))).toEqual([]);
    expect(listOps()).toEqual([...CORE_OPS].sort());
  });

  it('refuses a second definition and an incomplete one, and names an unknown op', () => {
    const add = opDef('add');
    expect(() => defineOp('add', add)).toThrow(RegistryError);
    expect(() => defineOp('add', add)).toThrow(/op 'add' is defined twice/);
    expect(() => defineOp('myOp' as never, { grad: NOT_DIFFERENTIABLE, js: add.js } as never)).toThrow(/op 'myOp': its definition has no 'onnx'/);
    expect(() => opDef('nope' as never)).toThrow(NotImplementedError);
    expect(() => opDef('nope' as never)).toThrow(/op 'nope'.*known: abs, add/);
  });
});
