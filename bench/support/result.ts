/** One line of the report: a measured value next to the goal of issue 9 it is compared with. */
export interface Measurement {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** The goal as text (e.g. "≥ 10000"), when issue 9 states one. */
  goal?: string;
  /** Whether the value meets the goal; reported, never asserted. */
  met?: boolean;
  note?: string;
}

export interface ScenarioResult {
  name: string;
  durationMs: number;
  measurements: Measurement[];
  /** Anything else worth keeping in the JSON (raw percentiles, counts, settings). */
  details: Record<string, unknown>;
  skipped?: string;
}
