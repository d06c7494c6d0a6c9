import { Registry } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import * as pkg from '../src/index.js';

describe('@retrievals/pooling registry', () => {
  it('exports a named Registry that lists what is registered', () => {
    const registry = Object.values(pkg).find((v: unknown): v is Registry<unknown> => v instanceof Registry)!;
    expect(registry).toBeInstanceOf(Registry);
    expect(() => registry.get('no-such-entry')).toThrow(/unknown \S+ 'no-such-entry'; known:/);
  });
});
