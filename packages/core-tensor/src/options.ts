import { RetrievalsError } from './errors.js';

/** Which component an option belongs to: `{ kind: 'loss', name: 'infonce' }`. */
export interface ComponentRef {
  kind: string;
  name: string;
}

export interface OptionErrorDetails extends ComponentRef {
  /** The offending option's name. */
  option: string;
  /** What was expected, when the value (rather than the name) is wrong. */
  expected?: string;
  /** The value given, described for a message. */
  actual?: string;
}

/** A component was given an option it does not know, or a value outside the option's range. */
export class OptionError extends RetrievalsError {
  constructor(
    message: string,
    readonly details?: OptionErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What parseOptions throws; a package passes its own OptionError subclass to keep its error type. */
export type OptionErrorClass = new (message: string, details?: OptionErrorDetails) => OptionError;

/** One option: its default and a check that returns what was expected when the value is wrong. */
export interface OptionSpec<T> {
  default: T;
  /** Returns undefined when the value is acceptable, else a description of what is expected. */
  check: (value: unknown) => string | undefined;
}

export type OptionCheck = OptionSpec<unknown>['check'];

export const positive: OptionCheck = (v) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? undefined : 'a finite number > 0');
export const nonNegative: OptionCheck = (v) => (typeof v === 'number' && v >= 0 && Number.isFinite(v) ? undefined : 'a finite number ≥ 0');
export const finite: OptionCheck = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number');
export const nonNegativeInteger: OptionCheck = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'an integer ≥ 0');
export const positiveInteger: OptionCheck = (v) => (Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'an integer > 0');
export const boolean: OptionCheck = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
export const nonEmptyString: OptionCheck = (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string');
export const unitInterval: OptionCheck = (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : 'a number in [0, 1)');
export const oneOf =
  (...values: readonly string[]): OptionCheck =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `one of ${values.map((x) => `'${x}'`).join(', ')}`;
export const anything: OptionCheck = () => undefined;

/** The checks as one object, so a package imports them without crowding core-tensor's op names (`finite`, `boolean`). */
export const checks = { positive, nonNegative, finite, nonNegativeInteger, positiveInteger, boolean, nonEmptyString, unitInterval, oneOf, anything };

export const opt = <T>(defaultValue: T, check: OptionCheck): OptionSpec<T> => ({ default: defaultValue, check });

export type OptionSpecs = Record<string, OptionSpec<unknown>>;
export type ParsedOptions<S extends OptionSpecs> = { [K in keyof S]: S[K]['default'] };

/**
 * Fills defaults and checks every given option; messages read `<kind> <name>: option 'x' must be
 * ..., got ...`. Unknown names are an error rather than ignored: a misspelt `temprature` in a config
 * file would otherwise silently train with the default.
 */
export function parseOptions<S extends OptionSpecs>(
  component: ComponentRef,
  given: object | undefined,
  specs: S,
  ErrorClass: OptionErrorClass = OptionError,
): ParsedOptions<S> {
  const who = `${component.kind} ${component.name}`;
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw new ErrorClass(`${who}: options must be an object, got ${describeValue(given)}`, { ...component, option: '', expected: 'an object', actual: describeValue(given) });
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value === undefined) continue;
    const spec = specs[key];
    if (!spec) {
      throw new ErrorClass(`${who}: unknown option '${key}'; known: ${Object.keys(specs).join(', ') || '(none)'}`, { ...component, option: key });
    }
    const expected = spec.check(value);
    if (expected) {
      const actual = describeValue(value);
      throw new ErrorClass(`${who}: option '${key}' must be ${expected}, got ${actual}`, { ...component, option: key, expected, actual });
    }
    out[key] = value;
  }
  for (const [key, spec] of Object.entries(specs)) if (!(key in out)) out[key] = spec.default;
  return out as ParsedOptions<S>;
}

/**
 * A registry factory from an option table and a builder: the factory checks its options against
 * the table (so every component rejects misspelt options the same way) and builds from the result.
 */
export function withOptions<S extends OptionSpecs, C>(
  component: ComponentRef,
  specs: S,
  build: (options: ParsedOptions<S>) => C,
  ErrorClass?: OptionErrorClass,
): (options?: Record<string, unknown>) => C {
  return (options) => build(parseOptions(component, options, specs, ErrorClass));
}

/** A value as a message shows it: strings quoted, objects as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
