import { RegistryError } from './errors.js';
import { describeValue } from './options.js';

export interface RegisterOptions {
  /** Replace an existing entry of the same name instead of failing. */
  override?: boolean;
  /** Other names the entry answers to (e.g. `avg` for `mean`). */
  aliases?: readonly string[];
  /** The plugin (package) registering the entry; default: the registering plugin's name, else the registry's owner. */
  source?: string;
}

/** One registered component, as `retrievals info` lists it. */
export interface RegistryEntry<T> {
  name: string;
  value: T;
  aliases: string[];
  /** The plugin or package that registered it (undefined when nobody said). */
  source: string | undefined;
}

/** How a config names a component of a factory registry: `'infonce'` or `{ name: 'infonce', temperature: 0.02 }`. */
export type ComponentSpec = string | ({ name: string } & Record<string, unknown>);

/** An entry of a registry whose components are configured by options. */
export type Factory<C> = (options?: Record<string, unknown>) => C;

interface Stored<T> {
  value: T;
  source: string | undefined;
}

interface State<T> {
  entries: Map<string, Stored<T>>;
  aliasOf: Map<string, string>;
}

/**
 * A named set of components of one kind (losses, poolers, backends, ...). Built-in components and
 * plugins register through the same `register`, so there is one lookup path.
 */
export class Registry<T> {
  private state: State<T> = { entries: new Map(), aliasOf: new Map() };
  private defaultSource: string | undefined;

  /**
   * @param kind what the entries are, used in error messages ("loss", "pooler", ...).
   * @param options.owner the package owning the registry: the source of entries registered outside any plugin.
   */
  constructor(
    readonly kind: string,
    options: { owner?: string } = {},
  ) {
    this.defaultSource = options.owner;
  }

  /**
   * The same registry as seen by one plugin: what it registers is recorded as coming from `source`.
   * installPlugin hands each plugin such views, so a plugin cannot misreport where it came from.
   */
  scoped(source: string): Registry<T> {
    const view = new Registry<T>(this.kind, { owner: source });
    view.state = this.state;
    return view;
  }

  register(name: string, value: T, options: RegisterOptions = {}): this {
    const names = [name, ...(options.aliases ?? [])];
    for (const n of names) {
      if (typeof n !== 'string' || n.length === 0) {
        throw new RegistryError(`${this.kind} registry: a name must be a non-empty string, got ${JSON.stringify(n)}`);
      }
      if (!options.override && this.has(n)) {
        throw new RegistryError(
          `${this.kind} registry: '${n}' is already registered; pass { override: true } to replace it${this.from(n)}`,
        );
      }
    }
    const { entries, aliasOf } = this.state;
    entries.set(name, { value, source: options.source ?? this.defaultSource });
    aliasOf.delete(name);
    for (const alias of options.aliases ?? []) {
      entries.delete(alias);
      aliasOf.set(alias, name);
    }
    return this;
  }

  has(name: string): boolean {
    return this.state.entries.has(name) || this.state.aliasOf.has(name);
  }

  get(name: string): T {
    return this.stored(name).value;
  }

  /** The plugin or package that registered `name` (or the entry it aliases). */
  sourceOf(name: string): string | undefined {
    return this.stored(name).source;
  }

  /**
   * Resolves a config's component spec in a registry of factories: `'name'` or `{ name, ...options }`
   * gives `get(name)(options)`. The factory validates its options (see parseOptions), so a bad one is
   * named with the component's kind and name.
   */
  create<C>(this: Registry<Factory<C>>, spec: ComponentSpec): C {
    if (typeof spec === 'string') return this.get(spec)();
    if (typeof spec === 'object' && spec !== null && !Array.isArray(spec) && typeof spec.name === 'string') {
      const { name, ...options } = spec;
      return this.get(name)(options);
    }
    throw new RegistryError(`${this.kind}: expected a registered name or { name, ...options }, got ${describeValue(spec)}`);
  }

  /** Canonical names followed by aliases, each sorted. */
  list(): string[] {
    return [...[...this.state.entries.keys()].sort(), ...[...this.state.aliasOf.keys()].sort()];
  }

  /** Every canonical entry, sorted by name, with its aliases and source. */
  entries(): RegistryEntry<T>[] {
    const aliases = new Map<string, string[]>();
    for (const [alias, name] of [...this.state.aliasOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
      aliases.set(name, [...(aliases.get(name) ?? []), alias]);
    }
    return [...this.state.entries.keys()].sort().map((name) => {
      const { value, source } = this.state.entries.get(name)!;
      return { name, value, aliases: aliases.get(name) ?? [], source };
    });
  }

  private stored(name: string): Stored<T> {
    const stored = this.state.entries.get(this.state.aliasOf.get(name) ?? name);
    if (stored === undefined) {
      const known = this.list();
      throw new RegistryError(
        `unknown ${this.kind} '${name}'; known: ${known.length ? known.join(', ') : '(none registered)'}`,
      );
    }
    return stored;
  }

  private from(name: string): string {
    const source = this.stored(name).source;
    return source ? ` (it came from ${source})` : '';
  }
}
