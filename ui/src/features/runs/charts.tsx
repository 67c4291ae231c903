// Small hand-drawn SVG charts for the metrics (no chart library): stacked columns, lines, and
// a bar list. Each is an image with a title and a written summary for screen readers.
import { useId } from "react";

import { niceMax } from "../../core/runs";

const W = 640;
const H = 190;
const PAD = { left: 50, right: 10, top: 10, bottom: 24 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

interface Frame {
  title: string;
  summary: string;
  /** Axis labels under the plot: first, middle, last. */
  xLabels: [string, string, string];
  yMax: number;
  yFormat: (v: number) => string;
  testId: string;
}

function Axes({ xLabels, yMax, yFormat }: Pick<Frame, "xLabels" | "yMax" | "yFormat">) {
  const ys = [0, 0.5, 1];
  return (
    <g className="chart__axes">
      {ys.map((f) => {
        const y = PAD.top + PLOT_H * (1 - f);
        return (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} className="chart__grid" />
            <text x={PAD.left - 6} y={y + 4} textAnchor="end" className="chart__text">
              {yFormat(yMax * f)}
            </text>
          </g>
        );
      })}
      {xLabels.map((l, i) => (
        <text
          key={i}
          x={PAD.left + (PLOT_W * i) / 2}
          y={H - 6}
          textAnchor={i === 0 ? "start" : i === 1 ? "middle" : "end"}
          className="chart__text"
        >
          {l}
        </text>
      ))}
    </g>
  );
}

function Svg({ frame, children }: { frame: Frame; children: React.ReactNode }) {
  const id = useId();
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-labelledby={`${id}-t ${id}-d`}
      data-testid={frame.testId}
    >
      <title id={`${id}-t`}>{frame.title}</title>
      <desc id={`${id}-d`}>{frame.summary}</desc>
      <Axes xLabels={frame.xLabels} yMax={frame.yMax} yFormat={frame.yFormat} />
      {children}
    </svg>
  );
}

/** Columns per bucket, each stacked from its parts (bottom first). */
export function StackedColumns({
  frame,
  columns,
  classes,
}: {
  frame: Omit<Frame, "yMax">;
  columns: number[][];
  classes: string[];
}) {
  const yMax = niceMax(Math.max(0, ...columns.map((c) => c.reduce((a, b) => a + b, 0))));
  const step = PLOT_W / Math.max(1, columns.length);
  const bar = Math.max(1, step * 0.75);
  return (
    <Svg frame={{ ...frame, yMax }}>
      {columns.map((parts, i) => {
        let base = 0;
        return parts.map((v, k) => {
          if (v <= 0) return null;
          const h = (v / yMax) * PLOT_H;
          const y = PAD.top + PLOT_H - ((base + v) / yMax) * PLOT_H;
          base += v;
          return (
            <rect
              key={`${i}-${k}`}
              x={PAD.left + i * step + (step - bar) / 2}
              y={y}
              width={bar}
              height={h}
              className={classes[k]}
              data-bucket={i}
            />
          );
        });
      })}
    </Svg>
  );
}

/** Lines over the buckets; `null` points leave a gap. */
export function Lines({
  frame,
  series,
}: {
  frame: Omit<Frame, "yMax"> & { yMax?: number };
  series: { name: string; className: string; points: (number | null)[] }[];
}) {
  const all = series.flatMap((s) => s.points.filter((p): p is number => p !== null));
  const yMax = frame.yMax ?? niceMax(Math.max(0, ...all));
  const n = Math.max(1, ...series.map((s) => s.points.length));
  const x = (i: number) => PAD.left + (n === 1 ? PLOT_W / 2 : (PLOT_W * i) / (n - 1));
  const y = (v: number) => PAD.top + PLOT_H - (Math.min(v, yMax) / yMax) * PLOT_H;
  return (
    <Svg frame={{ ...frame, yMax }}>
      {series.map((s) => {
        const segments: string[] = [];
        let current = "";
        s.points.forEach((p, i) => {
          if (p === null) {
            if (current) segments.push(current);
            current = "";
          } else {
            current += `${current ? "L" : "M"}${x(i).toFixed(1)},${y(p).toFixed(1)}`;
          }
        });
        if (current) segments.push(current);
        return (
          <g key={s.name} className={s.className}>
            {segments.map((d, i) => (
              <path key={i} d={d} className="chart__line" />
            ))}
            {s.points.map((p, i) =>
              p === null ? null : (
                <circle key={i} cx={x(i)} cy={y(p)} r={2.5} className="chart__point" />
              ),
            )}
          </g>
        );
      })}
    </Svg>
  );
}

/** Named counts as horizontal bars, largest first. */
export function BarList({
  items,
  label,
  testId,
}: {
  items: { name: string; value: number }[];
  label: string;
  testId: string;
}) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <ul className="bar-list" aria-label={label} data-testid={testId}>
      {items.map((i) => (
        <li key={i.name} className="bar-list__row">
          <code className="bar-list__name">{i.name}</code>
          <span className="bar-list__track">
            <span className="bar-list__bar" style={{ width: `${(i.value / max) * 100}%` }} />
          </span>
          <span className="bar-list__value">{i.value}</span>
        </li>
      ))}
    </ul>
  );
}
