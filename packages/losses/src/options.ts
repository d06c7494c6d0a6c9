import { LossOptionError } from './errors.js';

/** One option of a loss: its default and a check that returns what was expected when the value is wrong. */
export interface OptionSpec<T> {
  default: T;
  /** Returns undefined when the value is acceptable, else a description of what is expected. */
  check: (value: unknown) => string | undefined;
}

export const positive: OptionSpec<number>['check'] = (v) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? undefined : 'a finite number > 0');
export const nonNegative: OptionSpec<number>['check'] = (v) => (typeof v === 'number' && v >= 0 && Number.isFinite(v) ? undefined : 'a finite number ≥ 0');
export const finite: OptionSpec<number>['check'] = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number');
export const boolean: OptionSpec<boolean>['check'] = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
export const unitInterval: OptionSpec<number>['check'] = (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : 'a number in [0, 1)');
export const oneOf =
  (...values: readonly string[]): OptionSpec<string>['check'] =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `one of ${values.map((x) => `'${x}'`).join(', ')}`;
export const anything: OptionSpec<unknown>['check'] = () => undefined;

export const opt = <T>(defaultValue: T, check: OptionSpec<T>['check']): OptionSpec<T> => ({ default: defaultValue, check });

type Specs = Record<string, OptionSpec<unknown>>;
type Parsed<S extends Specs> = { [K in keyof S]: S[K]['default'] };

/**
 * Fills defaults and checks every given option. Unknown names are an error rather than ignored:
 * a misspelt `temprature` in a config file would otherwise silently train with the default.
 */
export function parseOptions<S extends Specs>(loss: string, given: object | undefined, specs: S): Parsed<S> {
  const out: Record<string, unknown> = {};
  const entries = Object.entries(given ?? {}).filter(([, v]) => v !== undefined);
  for (const [key, value] of entries) {
    const spec = specs[key];
    if (!spec) {
      throw new LossOptionError(`${loss}: unknown option '${key}'; known: ${Object.keys(specs).join(', ') || '(none)'}`);
    }
    const expected = spec.check(value);
    if (expected) throw new LossOptionError(`${loss}: option '${key}' must be ${expected}, got ${describe(value)}`);
    out[key] = value;
  }
  for (const [key, spec] of Object.entries(specs)) if (!(key in out)) out[key] = spec.default;
  return out as Parsed<S>;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
