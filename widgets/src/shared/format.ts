// Numbers as the views show them, and the accuracy axis's range: shared by every chart and view.

export interface Point {
  layer: number;
  value: number;
  /** The ends of the value's interval, where one was computed. */
  low?: number;
  high?: number;
}

/** A value with its interval where it has one: "0.840 [0.771, 0.902]". */
export function formatWithInterval(value: number | null | undefined, low?: number | null, high?: number | null): string {
  const shown = formatValue(value);
  const bounded = typeof value === "number" && !Number.isNaN(value) && typeof low === "number" && typeof high === "number";
  return bounded ? `${shown} [${formatValue(low)}, ${formatValue(high)}]` : shown;
}

/** Every value a chart must fit: the points and the ends of their intervals. */
export function extent(points: Point[]): number[] {
  return points.flatMap((p) => [p.value, ...(typeof p.low === "number" ? [p.low] : []), ...(typeof p.high === "number" ? [p.high] : [])]);
}

/** A measured value as the details region shows it: 3 decimals (1 from 100 up); "–" when undefined. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(3);
}

/** A count (features, examples, ids) as a whole number. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return String(Math.round(value));
}

/** The y-range of a chart: from a little under the smallest value to 1 (accuracies). */
export function accuracyRange(values: number[]): [number, number] {
  if (!values.length) return [0, 1];
  const low = Math.min(...values);
  return [Math.max(0, Math.floor((low - 0.02) * 20) / 20), 1];
}
