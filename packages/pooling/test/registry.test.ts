import { Registry } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { poolers } from '../src/index.js';

describe('@retrievals/pooling registry', () => {
  it('exports a named Registry that lists what is registered', () => {
    expect(poolers).toBeInstanceOf(Registry);
    expect(() => poolers.get('no-such-entry')).toThrow(/unknown \S+ 'no-such-entry'; known:/);
  });
});
