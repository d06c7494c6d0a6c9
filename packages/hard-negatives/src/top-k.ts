/**
 * The k largest scores seen, as a min-heap so each candidate costs O(log k). Ties go to the
 * earlier row, so results do not depend on how the corpus was blocked.
 */
export class TopK {
  private readonly scores: Float32Array;
  private readonly rows: Int32Array;
  private n = 0;

  constructor(readonly k: number) {
    this.scores = new Float32Array(k);
    this.rows = new Int32Array(k);
  }

  /** a ranks below b: lower score, or the same score and a later row. */
  private below(i: number, j: number): boolean {
    return this.scores[i]! < this.scores[j]! || (this.scores[i] === this.scores[j] && this.rows[i]! > this.rows[j]!);
  }

  /** The score a candidate must beat to enter (−Inf until full). */
  get threshold(): number {
    return this.n < this.k ? -Infinity : this.scores[0]!;
  }

  push(score: number, row: number): void {
    if (this.n < this.k) {
      this.scores[this.n] = score;
      this.rows[this.n] = row;
      this.up(this.n++);
      return;
    }
    const root = this.scores[0]!;
    if (score < root || (score === root && row > this.rows[0]!)) return;
    this.scores[0] = score;
    this.rows[0] = row;
    this.down(0);
  }

  /** Rows and scores, best first. */
  sorted(): { rows: number[]; scores: Float32Array } {
    const order = Array.from({ length: this.n }, (_, i) => i).sort((a, b) => this.scores[b]! - this.scores[a]! || this.rows[a]! - this.rows[b]!);
    return { rows: order.map((i) => this.rows[i]!), scores: Float32Array.from(order, (i) => this.scores[i]!) };
  }

  private swap(i: number, j: number): void {
    [this.scores[i], this.scores[j]] = [this.scores[j]!, this.scores[i]!];
    [this.rows[i], this.rows[j]] = [this.rows[j]!, this.rows[i]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.below(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let least = i;
      if (l < this.n && this.below(l, least)) least = l;
      if (r < this.n && this.below(r, least)) least = r;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }
}
