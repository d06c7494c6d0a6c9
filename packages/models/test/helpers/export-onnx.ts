import { writeFileSync } from 'node:fs';
import { buildProgram, encodeModel, lowerProgram, noGrad, Tensor } from '@retrievals/core-tensor';
import type { Backbone } from '../../src/index.js';

/**
 * Test-only ONNX export: lowers the backbone's core-tensor forward for one fixed [batch, seq]
 * shape, with the weights as initializers and inputs named as Hugging Face exports name them.
 * (core-tensor lowers static shapes only, so the graph is static; the onnx runtime pads batches up
 * to those dims. The real exportOnnx, with dynamic axes, is later work.)
 */
export function exportStaticOnnx(backbone: Backbone, file: string, batch: number, seq: number): void {
  const make = (fill: bigint) => new Tensor({ shape: [batch, seq], dtype: 'int64', buffer: new BigInt64Array(batch * seq).fill(fill) });
  const ids = make(0n), mask = make(1n), types = make(0n);
  const usesTypes = backbone.inputNames.includes('token_type_ids');
  const out = noGrad(() => backbone.forward({ inputIds: ids, attentionMask: mask, tokenTypeIds: usesTypes ? types : undefined }));
  const { program, feedData } = buildProgram([out]);
  const named = new Map<unknown, string>([[ids.buffer, 'input_ids'], [mask.buffer, 'attention_mask'], [types.buffer, 'token_type_ids']]);
  const inputNames = feedData.map((d, i) => named.get(d) ?? `weight_${i}`);
  const graph = lowerProgram(program, { inputNames, outputNames: ['last_hidden_state'], name: 'test-export' });
  const isWeight = (name: string) => name.startsWith('weight_');
  for (const v of graph.inputs.filter((x) => isWeight(x.name))) {
    graph.initializers.push({ name: v.name, dtype: v.dtype, dims: v.dims as number[], data: feedData[inputNames.indexOf(v.name)]! });
  }
  graph.inputs = graph.inputs.filter((x) => !isWeight(x.name));
  writeFileSync(file, encodeModel(graph));
}
