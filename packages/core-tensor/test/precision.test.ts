import { describe, expect, it } from 'vitest';
import { backendForPrecision, backends, defineBackend, OptionError, precisionOf, realize, tensor, withBackend } from '../src/index.js';
import { runSync } from '../src/internal.js';

describe('backendForPrecision', () => {
  it('with only fp32 backends: fp32 is the context’s or the named one, bf16 fails naming what to install and what is registered', () => {
    expect(backendForPrecision('fp32')).toBe('ort');
    expect(backendForPrecision('fp32', 'js')).toBe('js');
    expect(withBackend('js', () => backendForPrecision('fp32'))).toBe('js');
    expect(precisionOf(backends.get('ort'))).toBe('fp32');
    expect(() => backendForPrecision('bf16')).toThrow(OptionError);
    expect(() => backendForPrecision('bf16')).toThrow("precision 'bf16': needs a backend that computes in bf16: none is registered (install @retrievals/backend-onednn and list it in the config's plugins, or installPlugin it); registered: js (fp32), ort (fp32)");
    expect(() => backendForPrecision('fp32', 'nope')).toThrow(/unknown backend 'nope'/);
  });

  it('finds the sibling of the other precision, any bf16 backend when none is named, and refuses a named engine of another family', async () => {
    let bf16Runs = 0;
    backends.register('acme', defineBackend({ name: 'acme', async run(p, f) { return runSync(p, f); } }));
    backends.register('acme-bf16', defineBackend({ name: 'acme-bf16', precision: 'bf16', async run(p, f) { bf16Runs++; return runSync(p, f); } }));
    expect(precisionOf(backends.get('acme-bf16'))).toBe('bf16');
    expect(backendForPrecision('bf16', 'acme')).toBe('acme-bf16');
    expect(backendForPrecision('fp32', 'acme-bf16')).toBe('acme');
    expect(backendForPrecision('bf16', 'acme-bf16')).toBe('acme-bf16');
    expect(backendForPrecision('bf16')).toBe('acme-bf16');
    expect(() => backendForPrecision('bf16', 'js')).toThrow("precision 'bf16' with backend 'js': needs a backend that computes in bf16; registered: acme (fp32), acme-bf16 (bf16), js (fp32), ort (fp32)");
    const y = tensor([1, 2]).mul(3);
    await realize([y], { backend: backendForPrecision('bf16') });
    expect([bf16Runs, Array.from(y.dataSync() as Float32Array)]).toEqual([1, [3, 6]]);
  });
});
