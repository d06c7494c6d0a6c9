import { Registry } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { architectures, runtimes } from '../src/index.js';

describe('@retrievals/models registries', () => {
  it('exports named Registries that list what is registered', () => {
    expect(architectures).toBeInstanceOf(Registry);
    expect(() => architectures.get('no-such-entry')).toThrow(/unknown \S+ 'no-such-entry'; known:/);
    expect(architectures.list()).toEqual(['bert', 'distilbert', 'llama', 'mistral', 'qwen2', 'roberta', 'camembert', 'xlm-roberta']);
    expect(runtimes.list()).toEqual(['onnx', 'tensor']);
  });
});
