import { describe, expect, it } from 'vitest';
import { checks, OptionError, opt, Registry, RegistryError, withOptions } from '../src/index.js';

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
  it('creates a component from a name or { name, ...options }, validating options by kind and name', () => {
    const r = new Registry<(o?: Record<string, unknown>) => { scale: number }>('scaler');
    r.register('times', withOptions({ kind: 'scaler', name: 'times' }, { by: opt(2, checks.positive) }, (o) => ({ scale: o.by })), { aliases: ['x'] });
    expect(r.create('times')).toEqual({ scale: 2 });
    expect(r.create({ name: 'x', by: 3 })).toEqual({ scale: 3 });
    const err = (() => {
      try {
        r.create({ name: 'times', by: -1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OptionError);
    expect((err as Error).message).toBe("scaler times: option 'by' must be a finite number > 0, got -1");
    expect((err as OptionError).details).toEqual({ kind: 'scaler', name: 'times', option: 'by', expected: 'a finite number > 0', actual: '-1' });
    expect(() => r.create({ name: 'times', bye: 1 })).toThrow("scaler times: unknown option 'bye'; known: by");
    expect(() => r.create({ name: 'plus' })).toThrow("unknown scaler 'plus'; known: times, x");
    expect(() => r.create(42 as never)).toThrow(new RegistryError('scaler: expected a registered name or { name, ...options }, got 42'));
  });
  it('records where each entry came from: explicit, a scoped view, or the owner', () => {
    const r = new Registry<number>('loss', { owner: '@retrievals/losses' });
    r.register('infonce', 1, { aliases: ['nce'] });
    r.scoped('@acme/losses').register('acme', 2);
    r.register('other', 3, { source: 'explicit' });
    expect(r.sourceOf('nce')).toBe('@retrievals/losses');
    expect(r.get('acme')).toBe(2);
    expect(r.entries()).toEqual([
      { name: 'acme', value: 2, aliases: [], source: '@acme/losses' },
      { name: 'infonce', value: 1, aliases: ['nce'], source: '@retrievals/losses' },
      { name: 'other', value: 3, aliases: [], source: 'explicit' },
    ]);
    expect(() => r.scoped('@acme/other').register('infonce', 9)).toThrow(/already registered; .* \(it came from @retrievals\/losses\)/);
    expect(new Registry<number>('x').register('a', 1).sourceOf('a')).toBeUndefined();
  });
});
