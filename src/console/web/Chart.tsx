import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { BarData } from './chart-shape.js';

const COLORS = ['#3b6fd8', '#e07b28', '#2f9e6e', '#b04ac8', '#c8423b'];

/** Draws a uPlot chart into a div, again whenever `data` is another object. */
function UPlot({ make, data, className }: { make: (el: HTMLElement) => uPlot; data: unknown; className: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = make(box.current!);
    return () => chart.destroy();
  }, [data]);
  return <div class={className} ref={box} />;
}

/** Bars, one group per label; a second or third numeric column is drawn as narrower bars inside the first. */
export function BarChart({ data }: { data: BarData }) {
  const make = (el: HTMLElement) => {
    const xs = data.labels.map((_, i) => i);
    const series: uPlot.Series[] = [
      {},
      ...data.series.map((s, i) => ({
        label: s.name,
        fill: `${COLORS[i % COLORS.length]}cc`,
        stroke: COLORS[i % COLORS.length],
        paths: uPlot.paths.bars!({ size: [0.7 / (i + 1), 120] }),
        points: { show: false },
      })),
    ];
    const opts: uPlot.Options = {
      width: Math.min(900, el.clientWidth || 700),
      height: 320,
      series,
      scales: { x: { time: false, range: [-0.5, xs.length - 0.5] }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(0, max) * 1.1 || 1] } },
      axes: [{ splits: () => xs, values: (_u, splits) => splits.map((i) => data.labels[i] ?? '') }, {}],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    };
    return new uPlot(opts, [xs, ...data.series.map((s) => s.values)] as uPlot.AlignedData, el);
  };
  return <UPlot make={make} data={data} className="bar-chart" />;
}

/** A small line of rows per second over the last minutes, with no axes. */
export function Sparkline({ points }: { points: { t: number; rowsPerSecond: number }[] }) {
  if (points.length < 2) return <span class="muted">collecting…</span>;
  const make = (el: HTMLElement) =>
    new uPlot(
      {
        width: 160,
        height: 36,
        series: [{}, { stroke: COLORS[0], fill: `${COLORS[0]}33`, width: 1.5, points: { show: false } }],
        axes: [{ show: false }, { show: false }],
        scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        legend: { show: false },
        cursor: { show: false },
      },
      [points.map((p) => p.t), points.map((p) => p.rowsPerSecond)],
      el,
    );
  return <UPlot make={make} data={points} className="sparkline" />;
}
