import { NotImplementedError } from '@retrievals/core-tensor';
import type { Module } from '../modules.js';

/** Loads a PEFT adapter folder (adapter_config.json + adapter_model.safetensors) into a backbone. */
export function loadAdapter(backbone: Module, dir: string): void {
  void backbone;
  void dir;
  throw new NotImplementedError('loadAdapter');
}
