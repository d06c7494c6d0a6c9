import { describe, expect, it } from 'vitest';
import { Registry, RegistryError } from '../src/index.js';

describe('Registry', () => {
  it('registers, gets, has and lists, with aliases', () => {
    const r = new Registry<number>('pooling');
    r.register('mean', 1, { aliases: ['avg'] }).register('cls', 2);
    expect(r.get('avg')).toBe(1);
    expect(r.has('mean') && r.has('avg') && !r.has('max')).toBe(true);
    expect(r.list()).toEqual(['cls', 'mean', 'avg']);
  });
  it('names the known entries when a name is unknown', () => {
    const r = new Registry<number>('loss').register('infonce', 1).register('cosent', 2);
    expect(() => r.get('arcfase')).toThrow(new RegistryError("unknown loss 'arcfase'; known: cosent, infonce"));
    expect(() => new Registry<number>('index').get('hnsw')).toThrow(/known: \(none registered\)/);
  });
  it('refuses a duplicate name (also via alias) unless override is set', () => {
    const r = new Registry<number>('loss').register('infonce', 1, { aliases: ['nce'] });
    expect(() => r.register('infonce', 2)).toThrow(/'infonce' is already registered; pass \{ override: true \}/);
    expect(() => r.register('other', 2, { aliases: ['nce'] })).toThrow(/'nce' is already registered/);
    r.register('infonce', 3, { override: true });
    expect(r.get('infonce')).toBe(3);
  });
  it('rejects empty names', () => {
    expect(() => new Registry<number>('x').register('', 1)).toThrow(/non-empty string/);
  });
});
