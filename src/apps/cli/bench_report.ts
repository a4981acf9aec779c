/**
 * Collecting and printing the benchmarks' timings: samples by name, quantiles, one table.
 */
export class Samples {
  private readonly samples = new Map<string, number[]>();
  add(name: string, ms: number): void {
    const list = this.samples.get(name) ?? [];
    list.push(ms);
    this.samples.set(name, list);
  }
  quantile(name: string, q: number): number {
    const sorted = [...(this.samples.get(name) ?? [])].sort((a, b) => a - b);
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }
  medians(): Record<string, number> {
    return Object.fromEntries([...this.samples.keys()].map((name) => [name, round(this.quantile(name, 0.5))]));
  }
}

export function printTable(result: Record<string, unknown>): void {
  const lines = Object.entries(result).map(([key, value]) => `  ${key.padEnd(22)} ${String(value)}`);
  process.stdout.write(`molmoact-ros bench (medians)\n${lines.join('\n')}\n`);
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
