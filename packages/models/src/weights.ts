import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { confinedPath, requireFile, SafetensorsFile, type StoredTensor } from '@retrievals/core-tensor';
import { readJsonFile } from './config.js';
import { ConfigError, ModelNotFoundError, WeightsError } from './errors.js';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/** Where one stored tensor lives. */
export interface StoredInfo {
  file: string;
  dtype: StoredTensor['dtype'];
  shape: number[];
}

/** True when the folder holds weights this package can read. */
export function hasSafetensors(dir: string): boolean {
  return existsSync(join(dir, SINGLE_FILE)) || existsSync(join(dir, INDEX_FILE));
}

/**
 * The weights of a Hugging Face folder: one `model.safetensors`, or the shards listed in
 * `model.safetensors.index.json`. Headers are read up front (so names, dtypes and shapes can be
 * checked before any data is read); tensors are read one at a time on demand, so a tensor the model
 * does not use (an `lm_head`, an MLM head) is never loaded.
 */
export class Checkpoint {
  private readonly entries = new Map<string, { file: SafetensorsFile; info: StoredInfo }>();
  private readonly opened: SafetensorsFile[] = [];

  private constructor(readonly dir: string, readonly files: string[]) {}

  static open(dir: string): Checkpoint {
    const single = join(dir, SINGLE_FILE), index = join(dir, INDEX_FILE);
    if (existsSync(single)) {
      requireFile(single, 'weights file');
      return Checkpoint.fromFiles(dir, [confinedPath(dir, SINGLE_FILE, single)]);
    }
    if (existsSync(index)) return Checkpoint.fromIndex(dir, index);
    const bin = existsSync(join(dir, 'pytorch_model.bin')) ? ' (found pytorch_model.bin: convert it to safetensors first, e.g. with `safetensors.torch.save_file`)' : '';
    throw new ModelNotFoundError(`${dir}: no ${SINGLE_FILE} or ${INDEX_FILE}${bin}`);
  }

  private static fromFiles(dir: string, paths: string[]): Checkpoint {
    const ckpt = new Checkpoint(dir, paths);
    try {
      for (const path of paths) {
        const file = SafetensorsFile.open(path);
        ckpt.opened.push(file);
        for (const [name, info] of file.tensors) {
          const prior = ckpt.entries.get(name);
          if (prior) throw new WeightsError(`tensor '${name}' is stored twice: in ${prior.info.file} and in ${path}`);
          ckpt.entries.set(name, { file, info: { file: path, dtype: info.dtype, shape: [...info.shape] } });
        }
      }
    } catch (e) {
      ckpt.close();
      throw e;
    }
    return ckpt;
  }

  /** Opens the shards an index lists and checks that each tensor it maps is in its shard. */
  private static fromIndex(dir: string, indexPath: string): Checkpoint {
    const index = readJsonFile(indexPath, 'safetensors index');
    const map = index.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      throw new ConfigError(`${indexPath}: field 'weight_map' must map tensor names to shard file names`);
    }
    const weightMap = map as Record<string, string>;
    const shards = [...new Set(Object.values(weightMap))].sort();
    for (const shard of shards) {
      if (shard.includes('/') || shard.includes('\\') || shard === '.' || shard === '..') throw new ConfigError(`${indexPath}: shard '${shard}' must be a file name in the same folder`);
      if (!existsSync(join(dir, shard))) throw new ModelNotFoundError(`${indexPath}: shard '${shard}' is listed but ${join(dir, shard)} does not exist`);
      requireFile(confinedPath(dir, shard, `${indexPath}: shard '${shard}'`), `shard '${shard}' of ${indexPath}`);
    }
    const ckpt = Checkpoint.fromFiles(dir, shards.map((s) => join(dir, s)));
    for (const [name, shard] of Object.entries(weightMap)) {
      const entry = ckpt.entries.get(name);
      if (!entry || entry.info.file !== join(dir, shard)) {
        ckpt.close();
        throw new WeightsError(`${indexPath}: tensor '${name}' is mapped to ${shard} but ${entry ? `is stored in ${entry.info.file}` : 'no shard holds it'}`);
      }
    }
    return ckpt;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  info(name: string): StoredInfo {
    const e = this.entries.get(name);
    if (!e) throw new WeightsError(`${this.dir}: no stored tensor '${name}'`);
    return e.info;
  }

  read(name: string): StoredTensor {
    const e = this.entries.get(name);
    if (!e) throw new WeightsError(`${this.dir}: no stored tensor '${name}'`);
    return e.file.read(name);
  }

  close(): void {
    for (const f of this.opened) f.close();
    this.opened.length = 0;
  }
}
