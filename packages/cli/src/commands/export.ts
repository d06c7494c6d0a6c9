import { resolve } from 'node:path';
import { exportOnnx } from '@retrievals/models';
import { CONFIG_FLAG, type CommandDef } from '../command.js';
import type { FlagSpec } from '../flag-spec.js';
import { loadModel, MODEL_FLAGS } from './model-flags.js';

const FLAGS: readonly FlagSpec[] = [
  ...MODEL_FLAGS.filter((f) => f.name !== 'runtime'),
  { name: 'output_dir', type: 'string', metavar: 'dir', help: 'the folder to write (may be the model folder itself for --format onnx)' },
  { name: 'format', type: 'string', choices: ['onnx', 'safetensors'], default: 'onnx', help: 'onnx: onnx/model.onnx plus config and tokenizer; safetensors: a sentence-transformers folder (model.safetensors, modules.json, 1_Pooling)' },
  { name: 'quantize', type: 'string', choices: ['none', 'int8'], default: 'none', help: 'onnx only: int8 weight MatMuls, written as onnx/model_quantized.onnx' },
  CONFIG_FLAG,
];

/** `retrievals export`: a Hugging Face folder → ONNX (for onnxruntime / transformers.js) or a sentence-transformers folder; every file written atomically. */
export const exportCommand: CommandDef = {
  name: 'export',
  summary: 'export a model folder to ONNX (optionally int8) or to a sentence-transformers safetensors folder',
  flags: FLAGS,
  async run(o, { out }) {
    const outputDir = o.required('output_dir');
    const format = o.string('format')!;
    if (format === 'safetensors' && o.string('quantize') !== 'none') throw o.usageError('--quantize applies to --format onnx only');
    const model = await loadModel(o, FLAGS, { runtime: 'tensor' });
    try {
      if (format === 'onnx') {
        const file = await exportOnnx(model, outputDir, { quantize: o.string('quantize') as 'none' | 'int8' });
        out(`wrote ${file} (inputs ${model.backbone!.inputNames.join(', ')}; output last_hidden_state; pooling '${model.poolingMethod}' in the folder's settings)`);
      } else {
        await model.savePretrained(outputDir);
        out(`wrote ${resolve(outputDir)}: model.safetensors, config, tokenizer and sentence-transformers modules (pooling '${model.poolingMethod}')`);
      }
    } finally {
      await model.dispose();
    }
  },
};
