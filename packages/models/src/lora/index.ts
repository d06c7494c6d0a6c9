// LoRA (PEFT-compatible): wrap Linear layers, train only the adapters, save/load PEFT folders, merge.
export { LoraLinear, type LoraInit, type LoraLinearOptions } from './lora-linear.js';
export {
  applyLora, loraConfig, loraLayers, loraParameters, namedLoraParameters, mergeAndUnload, LoraError,
  type LoraConfig, type LoraModel, type LoraOptions,
} from './apply.js';
export { matchesTarget, type TargetModules } from './targets.js';
export { saveAdapter, loadAdapter, type SaveAdapterOptions } from './adapter-io.js';
export { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from './adapter-config.js';
