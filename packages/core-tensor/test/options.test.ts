import { describe, expect, it } from 'vitest';
import { checks, describeValue, opt, OptionError, parseOptions, RetrievalsError, type OptionErrorDetails } from '../src/index.js';

class MyOptionError extends OptionError {}

const SPEC = { lr: opt(1e-3, checks.positive), mode: opt('a', checks.oneOf('a', 'b')), steps: opt(1, checks.positiveInteger), key: opt('query', checks.nonEmptyString) };
const who = { kind: 'optimizer', name: 'adamw' };

describe('parseOptions', () => {
  it('fills defaults and keeps given values', () => {
    expect(parseOptions(who, { lr: 0.1, steps: undefined }, SPEC)).toEqual({ lr: 0.1, mode: 'a', steps: 1, key: 'query' });
    expect(parseOptions(who, undefined, SPEC).lr).toBe(1e-3);
  });
  it('names kind, component, option, expected and actual; unknown names list the known ones', () => {
    expect(() => parseOptions(who, { mode: 'c' }, SPEC)).toThrow("optimizer adamw: option 'mode' must be one of 'a', 'b', got 'c'");
    expect(() => parseOptions(who, { steps: 1.5 }, SPEC)).toThrow("optimizer adamw: option 'steps' must be an integer > 0, got 1.5");
    expect(() => parseOptions(who, { key: '' }, SPEC)).toThrow("optimizer adamw: option 'key' must be a non-empty string, got ''");
    expect(() => parseOptions(who, { lrr: 1 }, SPEC)).toThrow("optimizer adamw: unknown option 'lrr'; known: lr, mode, steps, key");
    expect(() => parseOptions(who, { x: 1 }, {})).toThrow("optimizer adamw: unknown option 'x'; known: (none)");
    expect(() => parseOptions(who, [] as never, SPEC)).toThrow('optimizer adamw: options must be an object, got []');
  });
  it('throws the error class it is given, an OptionError and RetrievalsError', () => {
    let caught: unknown;
    try {
      parseOptions(who, { lr: Infinity }, SPEC, MyOptionError);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MyOptionError);
    expect(caught).toBeInstanceOf(RetrievalsError);
    expect((caught as MyOptionError).details).toEqual<OptionErrorDetails>({ kind: 'optimizer', name: 'adamw', option: 'lr', expected: 'a finite number > 0', actual: 'null' });
  });
  it('checks accept and refuse at their bounds', () => {
    expect([0, 1e-9].map((v) => checks.nonNegative(v))).toEqual([undefined, undefined]);
    expect(checks.nonNegative(-1e-9)).toBe('a finite number ≥ 0');
    expect([0, 0.999].map((v) => checks.unitInterval(v))).toEqual([undefined, undefined]);
    expect(checks.unitInterval(1)).toBe('a number in [0, 1)');
    expect(checks.nonNegativeInteger(0)).toBeUndefined();
    expect(checks.nonNegativeInteger(-1)).toBe('an integer ≥ 0');
    expect(checks.boolean('true')).toBe('true or false');
    expect(checks.finite(NaN)).toBe('a finite number');
    expect(checks.anything(undefined)).toBeUndefined();
    expect(describeValue(() => 1)).toBe('a function');
  });
});
