import { describe, expect, it } from 'vitest';
import { SessionCache } from '../src/backends/session-cache.js';

/** A fake session that records whether it has an arena and when it was released. */
class Fake {
  released = false;
  constructor(readonly key: string, readonly arena: boolean) {}
  async release(): Promise<void> {
    this.released = true;
  }
}

function harness(options = { size: 8, arenas: 2, promoteAfter: 3 }) {
  const made: Fake[] = [];
  const cache = new SessionCache<Fake>(options);
  const run = async (key: string, during?: () => Promise<void>) => {
    const { value } = await cache.with(
      key,
      async (arena) => {
        const f = new Fake(key, arena);
        made.push(f);
        return f;
      },
      async (s) => {
        expect(s.released).toBe(false); // never run on a freed session
        await during?.();
        return s;
      },
    );
    return value;
  };
  return { cache, made, run };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SessionCache', () => {
  it('compiles without an arena, and with one from the promoteAfter-th run, freeing the old session', async () => {
    const { made, run } = harness();
    expect((await run('a')).arena).toBe(false);
    expect((await run('a')).arena).toBe(false);
    await run('a'); // third run: recompiled with an arena in the background
    await tick();
    expect((await run('a')).arena).toBe(true);
    expect(made.map((f) => [f.arena, f.released])).toEqual([[false, true], [true, false]]);
  });

  it('gives arenas to the first `arenas` hot graphs only, and frees a slot on eviction', async () => {
    const { cache, run } = harness({ size: 3, arenas: 2, promoteAfter: 3 });
    for (const key of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) await run(key);
    await tick();
    expect(cache.arenaCount).toBe(2);
    expect([(await run('a')).arena, (await run('b')).arena, (await run('c')).arena]).toEqual([true, true, false]);
    await run('d'); // evicts a (least recently used), freeing its slot
    for (let i = 0; i < 2; i++) await run('d');
    await tick();
    expect((await run('d')).arena).toBe(true);
    expect(cache.arenaCount).toBe(2);
  });

  it('evicts the least recently used session beyond `size`', async () => {
    const { cache, made, run } = harness({ size: 2, arenas: 2, promoteAfter: 3 });
    await run('a');
    await run('b');
    await run('a');
    await run('c'); // evicts b
    expect(cache.size).toBe(2);
    expect(made.find((f) => f.key === 'b')!.released).toBe(true);
    expect(made.find((f) => f.key === 'a')!.released).toBe(false);
  });

  it('frees a replaced session only after the runs that use it', async () => {
    const { made, run } = harness({ size: 1, arenas: 1, promoteAfter: 1 });
    let finish!: () => void;
    const slow = run('a', () => new Promise<void>((r) => (finish = r)));
    await tick();
    await run('b'); // evicts a while its run is still going
    await tick();
    expect(made[0]!.released).toBe(false);
    finish();
    await slow;
    await tick();
    expect(made[0]!.released).toBe(true);
  });
});
