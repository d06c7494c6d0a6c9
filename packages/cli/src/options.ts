import type { ComponentSpec } from '@retrievals/core-tensor';
import { UsageError } from './errors.js';
import type { FlagSpec } from './flag-spec.js';

/** Where a flag's value came from: the command line wins over the config file, which wins over the default. */
export type ValueSource = 'cli' | 'config' | 'default';

/**
 * A command's flag values after merging the command line, the config file and the defaults, read
 * by name; every value was checked against its FlagSpec when it was read, so these only pick.
 */
export class Options {
  constructor(
    readonly command: string,
    readonly usage: string,
    private readonly specs: ReadonlyMap<string, FlagSpec>,
    private readonly cli: ReadonlyMap<string, unknown>,
    private readonly config: ReadonlyMap<string, unknown>,
    readonly configFile?: string,
  ) {}

  source(name: string): ValueSource {
    this.spec(name);
    return this.cli.has(name) ? 'cli' : this.config.has(name) ? 'config' : 'default';
  }

  /** Set on the command line or in the config file (not a default). */
  given(name: string): boolean {
    return this.source(name) !== 'default';
  }

  value(name: string): unknown {
    const spec = this.spec(name);
    return this.cli.has(name) ? this.cli.get(name) : this.config.has(name) ? this.config.get(name) : spec.default;
  }

  string(name: string): string | undefined {
    return this.value(name) as string | undefined;
  }

  number(name: string): number | undefined {
    return this.value(name) as number | undefined;
  }

  bool(name: string): boolean {
    return (this.value(name) as boolean | undefined) ?? false;
  }

  list(name: string): string[] | undefined {
    return this.value(name) as string[] | undefined;
  }

  range(name: string): [number, number] | undefined {
    return this.value(name) as [number, number] | undefined;
  }

  component(name: string): ComponentSpec | undefined {
    return this.value(name) as ComponentSpec | undefined;
  }

  /** A value the command cannot do without; missing, it is a usage error with the command's usage line. */
  required(name: string): string {
    const v = this.value(name);
    if (v === undefined) throw this.usageError(`--${name} is required${this.configFile ? ` (on the command line or in ${this.configFile})` : ''}`);
    return v as string;
  }

  usageError(message: string): UsageError {
    return new UsageError(`${this.command}: ${message}\n${this.usage}`);
  }

  private spec(name: string): FlagSpec {
    const spec = this.specs.get(name);
    // A command reading a flag it did not declare is a bug in the command, not the user's mistake.
    if (!spec) throw new Error(`${this.command} reads --${name}, which it does not declare`);
    return spec;
  }
}
