/**
 * First-fit allocator over one arena with coalescing frees: the offsets of a plan's intermediate
 * values, decided once per program so a run allocates nothing.
 */
export class ArenaPlanner {
  private free: { at: number; size: number }[] = [];
  top = 0;

  static readonly ALIGN = 64;

  alloc(bytes: number): number {
    const size = Math.max(ArenaPlanner.ALIGN, Math.ceil(bytes / ArenaPlanner.ALIGN) * ArenaPlanner.ALIGN);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.size >= size && (best < 0 || f.size < this.free[best]!.size)) best = i;
    }
    if (best >= 0) {
      const f = this.free[best]!;
      const at = f.at;
      if (f.size === size) this.free.splice(best, 1);
      else this.free[best] = { at: f.at + size, size: f.size - size };
      return at;
    }
    // grow: a free block at the top is extended rather than left behind
    const last = this.free[this.free.length - 1];
    if (last && last.at + last.size === this.top) {
      this.free.pop();
      this.top = last.at + size;
      return last.at;
    }
    const at = this.top;
    this.top += size;
    return at;
  }

  release(at: number, bytes: number): void {
    const size = Math.max(ArenaPlanner.ALIGN, Math.ceil(bytes / ArenaPlanner.ALIGN) * ArenaPlanner.ALIGN);
    let i = this.free.findIndex((f) => f.at > at);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { at, size });
    // merge with the neighbours
    if (i + 1 < this.free.length && this.free[i]!.at + this.free[i]!.size === this.free[i + 1]!.at) {
      this.free[i]!.size += this.free[i + 1]!.size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1]!.at + this.free[i - 1]!.size === this.free[i]!.at) {
      this.free[i - 1]!.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
  }
}
