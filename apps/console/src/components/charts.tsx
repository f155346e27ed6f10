import { useId } from 'react';

export interface Series {
  label: string;
  /** A CSS class giving the bars their colour. */
  tone: string;
  values: readonly number[];
}

/**
 * Stacked bars per minute, drawn as SVG. Described for screen readers by a summary; the numbers
 * themselves are in the tiles beside it.
 */
export function BarChart({
  series,
  labels,
  height = 120,
  summary,
}: {
  series: readonly Series[];
  labels: readonly string[];
  height?: number;
  summary: string;
}) {
  const id = useId();
  const count = labels.length;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const width = 600;
  const gap = 2;
  const barWidth = count > 0 ? width / count - gap : 0;
  return (
    <figure className="chart" aria-labelledby={`${id}-summary`}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-labelledby={`${id}-summary`}
      >
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} x1={0} x2={width} y1={height * f} y2={height * f} className="chart-grid" />
        ))}
        {labels.map((label, i) => {
          let y = height;
          return (
            <g key={label}>
              <title>{`${label}: ${series.map((s) => `${s.values[i] ?? 0} ${s.label}`).join(', ')}`}</title>
              {series.map((s) => {
                const value = s.values[i] ?? 0;
                const h = (value / max) * (height - 4);
                y -= h;
                return value > 0 ? (
                  <rect
                    key={s.label}
                    x={i * (barWidth + gap)}
                    y={y}
                    width={barWidth}
                    height={h}
                    rx={1.5}
                    className={s.tone}
                  />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption id={`${id}-summary`} className="sr-only">
        {summary}
      </figcaption>
      <div className="chart-axis" aria-hidden="true">
        <span>{labels[0]}</span>
        <span>{labels[labels.length - 1]}</span>
      </div>
    </figure>
  );
}
