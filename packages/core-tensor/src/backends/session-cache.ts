/** What the cache needs of a compiled session: run it, and free it. */
export interface Releasable {
  release(): Promise<void>;
}

interface Entry<S> {
  session: Promise<S>;
  arena: boolean;
  runs: number;
  /** Runs that may still be using `session`: a replaced or evicted session is freed after them. */
  busy: Set<Promise<void>>;
}

export interface SessionCacheOptions {
  /** Sessions kept (least recently used dropped first). */
  size: number;
  /** Sessions with a memory arena at one time; once taken, a slot is freed only by eviction. */
  arenas: number;
  /** A graph gets an arena on its `promoteAfter`-th run. */
  promoteAfter: number;
}

/**
 * An LRU cache of compiled sessions, one per program key, that gives the memory arena only to hot
 * graphs. An arena makes a repeated run faster (no page faults for the activations: the MiniLM
 * train step 1301 → 1149 ms; a 4096×384×1536 matmul 21 → 14 ms) but holds the graph's peak
 * activations for the session's life, and encode compiles one graph per padded length: with an
 * arena in every session a MiniLM encode of mixed lengths held 5.6 GB. So a graph is compiled
 * without one and recompiled with one when it turns out to be run again and again (a training
 * step, a benchmark loop), first come first served, at most `arenas` of them. Demoting a graph
 * to make room would mean recompiling it, and graphs that take turns (encode's lengths, pass after
 * pass) would then recompile on every pass: measured slower than no arena at all.
 */
export class SessionCache<S extends Releasable> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly arenaKeys = new Set<string>();

  constructor(private readonly options: SessionCacheOptions) {}

  /** Runs `use` with the session for `key`, compiling with `compile` on a miss. */
  async with<T>(key: string, compile: (arena: boolean) => Promise<S>, use: (session: S) => Promise<T>): Promise<{ value: T; hit: boolean }> {
    let e = this.entries.get(key);
    const hit = e !== undefined;
    if (e) this.entries.delete(key); // re-inserted below: most recently used last
    else {
      e = { session: compile(false), arena: false, runs: 0, busy: new Set() };
      e.session.catch(() => this.entries.get(key) === e && this.entries.delete(key));
    }
    this.entries.set(key, e);
    if (++e.runs === this.options.promoteAfter && !e.arena && this.arenaKeys.size < this.options.arenas) this.promote(key, e, compile);
    this.evict();
    let done!: () => void;
    const token = new Promise<void>((r) => (done = r));
    e.busy.add(token);
    try {
      return { value: await use(await e.session), hit };
    } finally {
      e.busy.delete(token);
      done();
    }
  }

  private promote(key: string, e: Entry<S>, compile: (arena: boolean) => Promise<S>): void {
    e.arena = true;
    this.arenaKeys.add(key);
    const next = compile(true);
    // Swap only once compiled, so runs meanwhile keep using the old session; a failed recompile keeps it.
    next.then(
      (s) => {
        if (this.entries.get(key) !== e) return void s.release().catch(() => undefined); // dropped meanwhile
        const old = e.session;
        e.session = next;
        this.retire(old, e.busy);
      },
      () => undefined,
    );
  }

  private evict(): void {
    while (this.entries.size > this.options.size) this.drop(this.entries.keys().next().value as string);
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    this.arenaKeys.delete(key);
    if (!e) return;
    this.entries.delete(key);
    this.retire(e.session, e.busy);
  }

  /** Frees a session once the runs that may be using it have finished. */
  private retire(session: Promise<S>, busy: Set<Promise<void>>): void {
    void Promise.allSettled([...busy])
      .then(() => session)
      .then((s) => s.release())
      .catch(() => undefined);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  get size(): number {
    return this.entries.size;
  }

  get arenaCount(): number {
    return this.arenaKeys.size;
  }
}
