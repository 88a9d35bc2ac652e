// Hand-drawn SVG charts. Each chart has a text alternative (a <title>/<desc> and a table of the
// numbers under "Show the numbers"), so nothing is only in the picture.

import { type Child, h, s, table, uid } from './dom';

// Colour-blind friendly (Okabe–Ito), dark enough on white.
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];

export function colorFor(index: number): string {
  return COLORS[index % COLORS.length] ?? '#000000';
}

/**
 * A legend swatch in the colour of series `index`. A class, not an inline style, so that the
 * portal works under a Content-Security-Policy without 'unsafe-inline' (styles.css: .swatch.cN).
 */
export function swatch(index: number): HTMLElement {
  return h('span', { class: `swatch c${index % COLORS.length}`, 'aria-hidden': 'true' });
}

/**
 * Axis ticks from 0 to a round top ≥ max, in steps of 1, 2 or 5 × 10^k, at most six ticks. With
 * `counts`, steps are whole numbers (max 1 → 0, 1; not 0, 0.2, 0.4, …).
 */
export function niceTicks(max: number, counts = false): number[] {
  if (!(max > 0)) return [0, 1];
  let step = 1;
  const power = 10 ** Math.floor(Math.log10(max / 5));
  for (const factor of [1, 2, 5, 10]) {
    step = factor * power;
    if (max / step <= 5) break;
  }
  if (counts) step = Math.max(1, Math.round(step));
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + step / 2; i++) ticks.push(+(i * step).toPrecision(12));
  return ticks;
}

/** Every day from first to last inclusive, as "YYYY-MM-DD" (UTC). */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end && days.length < 3700; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

function numbersTable(headers: string[], rows: Child[][], caption: string): HTMLElement {
  return h('details', { class: 'numbers' }, h('summary', null, 'Show the numbers'), table(headers, rows, caption));
}

export interface Series {
  name: string;
  /** One value per x label. */
  values: number[];
}

/** Lines over time, one per series, with a legend. */
export function lineChart(title: string, labels: string[], series: Series[], yLabel: string): HTMLElement {
  const width = 640;
  const height = 260;
  const left = 44;
  const right = 12;
  const top = 12;
  const bottom = 36;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const ticks = niceTicks(Math.max(0, ...series.flatMap((line) => line.values)), true);
  const max = ticks[ticks.length - 1]!;
  const x = (i: number) => left + (labels.length <= 1 ? plotWidth / 2 : (i * plotWidth) / (labels.length - 1));
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const totals = series.map((line) => `${line.name}: ${line.values.reduce((a, b) => a + b, 0)}`).join(', ');

  const grid: SVGElement[] = [];
  for (const value of ticks) {
    grid.push(
      s('line', { x1: left, x2: width - right, y1: y(value), y2: y(value), class: 'grid' }),
      s('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'tick' }, formatTick(value)),
    );
  }
  // About six day labels: every n-th, and the last one unless it would crowd the one before.
  const tickEvery = Math.max(1, Math.ceil(labels.length / 6));
  const last = labels.length - 1;
  const xTicks = labels.map((label, i) =>
    (i % tickEvery === 0 && (i === last || last - i >= tickEvery / 2)) || i === last
      ? s('text', { x: x(i), y: height - bottom + 18, 'text-anchor': 'middle', class: 'tick' }, label.slice(5))
      : null,
  );
  const lines = series.map((line, index) => {
    const color = colorFor(index);
    const points = line.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return s(
      'g',
      { class: 'series' },
      s('polyline', { points, fill: 'none', stroke: color, 'stroke-width': 2.5, 'stroke-linejoin': 'round' }),
      line.values.map((v, i) =>
        s('circle', { cx: x(i), cy: y(v), r: 3.5, fill: color }, s('title', null, `${line.name}, ${labels[i]}: ${v}`)),
      ),
    );
  });
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      class: 'chart',
      preserveAspectRatio: 'xMidYMid meet',
    },
    s('title', { id: titleId }, title),
    s('desc', { id: descId }, `${yLabel} per day from ${labels[0] ?? ''} to ${labels[labels.length - 1] ?? ''}. Totals: ${totals}.`),
    grid,
    s('line', { x1: left, x2: left, y1: top, y2: top + plotHeight, class: 'axis' }),
    xTicks,
    lines,
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    series.map((line, index) =>
      h(
        'li',
        null,
        swatch(index),
        `${line.name} (${line.values.reduce((a, b) => a + b, 0)})`,
      ),
    ),
  );
  const rows = labels.map((label, i) => [label, ...series.map((line) => line.values[i] ?? 0)]);
  return h(
    'figure',
    { class: 'chart-figure' },
    svg,
    h('figcaption', null, legend),
    numbersTable(['Day', ...series.map((line) => line.name)], rows, title),
  );
}

function formatTick(value: number): string {
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1000) return `${+(value / 1000).toFixed(1)}k`;
  return String(+value.toFixed(2));
}

export interface Bar {
  label: string;
  /** The height, in the axis' unit (for money: major units, for the picture only). */
  value: number;
  /** The value as people read it ("12.345678 EUR"). */
  text: string;
}

/** Vertical bars, one per label (earnings per period in one currency). */
export function barChart(title: string, bars: Bar[], unit: string): HTMLElement {
  const width = 640;
  const height = 240;
  const left = 56;
  const right = 12;
  const top = 20;
  const bottom = 32;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const ticks = niceTicks(Math.max(0, ...bars.map((bar) => bar.value)));
  const max = ticks[ticks.length - 1]!;
  const slot = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.min(64, slot * 0.6);
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const svg = s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`, class: 'chart' },
    s('title', { id: titleId }, title),
    s('desc', { id: descId }, bars.map((bar) => `${bar.label}: ${bar.text}`).join('; ')),
    ticks.map((value) => [
      s('line', { x1: left, x2: width - right, y1: y(value), y2: y(value), class: 'grid' }),
      s('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'tick' }, formatTick(value)),
    ]),
    bars.map((bar, i) => {
      const cx = left + slot * i + slot / 2;
      const barTop = y(bar.value);
      return s(
        'g',
        null,
        s('rect', {
          x: cx - barWidth / 2,
          y: barTop,
          width: barWidth,
          height: Math.max(0, top + plotHeight - barTop),
          fill: colorFor(0),
          rx: 2,
        }),
        s('text', { x: cx, y: barTop - 5, 'text-anchor': 'middle', class: 'bar-value' }, bar.text),
        s('text', { x: cx, y: height - bottom + 18, 'text-anchor': 'middle', class: 'tick' }, bar.label),
      );
    }),
  );
  return h(
    'figure',
    { class: 'chart-figure' },
    svg,
    numbersTable(['Period', unit], bars.map((bar) => [bar.label, bar.text]), title),
  );
}

export interface Share {
  label: string;
  part: number;
  whole: number;
}

/** Horizontal bars of parts of a whole ("3 of 5 recordings"), labelled with the numbers. */
export function shareBars(title: string, shares: Share[]): SVGElement {
  const width = 320;
  const rowHeight = 22;
  const height = shares.length * rowHeight + 4;
  const titleId = uid('bars-title');
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': titleId, class: 'share-bars' },
    s('title', { id: titleId }, `${title}: ${shares.map((share) => `${share.label} ${share.part} of ${share.whole}`).join(', ')}`),
    shares.map((share, i) => {
      const fraction = share.whole > 0 ? share.part / share.whole : 0;
      const rowTop = i * rowHeight + 2;
      return s(
        'g',
        null,
        s('rect', { x: 0, y: rowTop, width, height: rowHeight - 6, class: 'bar-track', rx: 3 }),
        s('rect', { x: 0, y: rowTop, width: width * fraction, height: rowHeight - 6, fill: colorFor(i), rx: 3 }),
      );
    }),
  );
}
