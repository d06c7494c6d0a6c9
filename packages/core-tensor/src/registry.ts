import { RegistryError } from './errors.js';

export interface RegisterOptions {
  /** Replace an existing entry of the same name instead of failing. */
  override?: boolean;
  /** Other names the entry answers to (e.g. `avg` for `mean`). */
  aliases?: readonly string[];
}

/**
 * A named set of components of one kind (losses, poolers, backends, ...). Built-in components and
 * plugins register through the same `register`, so there is one lookup path.
 */
export class Registry<T> {
  private readonly entries = new Map<string, T>();
  private readonly aliasOf = new Map<string, string>();

  /** @param kind what the entries are, used in error messages ("loss", "pooling", ...). */
  constructor(readonly kind: string) {}

  register(name: string, value: T, options: RegisterOptions = {}): this {
    const names = [name, ...(options.aliases ?? [])];
    for (const n of names) {
      if (typeof n !== 'string' || n.length === 0) {
        throw new RegistryError(`${this.kind} registry: a name must be a non-empty string, got ${JSON.stringify(n)}`);
      }
      if (!options.override && this.has(n)) {
        throw new RegistryError(
          `${this.kind} registry: '${n}' is already registered; pass { override: true } to replace it`,
        );
      }
    }
    this.entries.set(name, value);
    this.aliasOf.delete(name);
    for (const alias of options.aliases ?? []) {
      this.entries.delete(alias);
      this.aliasOf.set(alias, name);
    }
    return this;
  }

  has(name: string): boolean {
    return this.entries.has(name) || this.aliasOf.has(name);
  }

  get(name: string): T {
    const value = this.entries.get(this.aliasOf.get(name) ?? name);
    if (value === undefined) {
      const known = this.list();
      throw new RegistryError(
        `unknown ${this.kind} '${name}'; known: ${known.length ? known.join(', ') : '(none registered)'}`,
      );
    }
    return value;
  }

  /** Canonical names followed by aliases, each sorted. */
  list(): string[] {
    return [...[...this.entries.keys()].sort(), ...[...this.aliasOf.keys()].sort()];
  }
}
