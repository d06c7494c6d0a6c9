import { UsageError, type ParsedArgs } from './args.js';

/** Typed reads of `--flag` values; a wrong value is a usage error that names the flag. */
export class Flags {
  private readonly used = new Set<string>();

  constructor(private readonly args: ParsedArgs) {}

  string(name: string): string | undefined {
    this.used.add(name);
    const v = this.args.flags[name];
    if (typeof v === 'boolean') throw new UsageError(`--${name} needs a value`);
    return v;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw new UsageError(`--${name} is required`);
    return v;
  }

  int(name: string, min = 1): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  }

  /** `--x` alone or `--x true|false`. */
  bool(name: string): boolean | undefined {
    this.used.add(name);
    const v = this.args.flags[name];
    if (v === undefined || typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw new UsageError(`--${name} is a switch: give it alone or as --${name} true|false, got '${v}'`);
  }

  choice<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v !== undefined && !allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${v}'`);
    return v as T | undefined;
  }

  /** Fails on flags the command does not know, so a typo is never silently ignored. */
  rejectUnknown(command: string): void {
    const unknown = Object.keys(this.args.flags).filter((k) => !this.used.has(k));
    if (unknown.length) throw new UsageError(`${command}: unknown flag${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `--${k}`).join(', ')}`);
  }
}
