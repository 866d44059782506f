// Small statistics and formatting helpers for the benchmark report.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ median, min, max, n }` of a list of numbers. */
export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** A number with `digits` decimals and thousands separators. */
export function num(value, digits = 0) {
  return Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}

/** `median (min–max)` with a unit. */
export function spread(s, unit = 'ms', digits = 2) {
  return `${num(s.median, digits)} ${unit} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

/** Bytes as `12,345 B (12.1 KB)`. */
export function bytes(value) {
  return `${num(value)} B`;
}

export function kb(value) {
  return `${num(value / 1024, 1)} KB`;
}
