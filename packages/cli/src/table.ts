/** A plain-text table: the first column left-aligned, the rest right-aligned; numbers with 4 decimals (pass counts as strings). */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string[] {
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (c === undefined ? '–' : typeof c === 'number' ? c.toFixed(4) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}

/** Metrics of one or more runs, one row per metric (the union of the runs' names, in first-seen order). */
export function metricsTable(columns: readonly string[], runs: readonly Record<string, number>[], first = 'metric'): string[] {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  // Counts (queries) print as integers; scores always with 4 decimals, 1 as 1.0000 beside 0.5000.
  const cell = (n: string, v: number | undefined) => (v === undefined ? undefined : /queries$/.test(n) ? String(v) : v.toFixed(4));
  return formatTable([first, ...columns], names.map((n) => [n, ...runs.map((r) => cell(n, r[n]))]));
}
