// The chart: a sanitised figure drawn with the app's own Plotly config (never the figure's).
// Plotly is loaded on first use so the app paints before the 3.5 MB bundle is parsed. It is the
// pinned npm file, served as is from `vendor/` (scripts/copy-plotly.mjs), by a <script> of this
// origin (CSP `script-src 'self'`).
//
// The toolbar's image buttons are the app's own: Plotly's download (a link to a blob URL) saves
// nothing in the desktop window, whose web view neither follows such links nor downloads, so they
// call `onExport`, which asks where to save and writes the file through the backend.

import { useEffect, useRef, useState } from 'preact/hooks';

import type { Figure } from '../backend/types';
import { sanitizeFigure } from '../lib/sanitize';

type PlotlyApi = typeof import('plotly.js-strict-dist-min').default;
const PLOTLY_URL = './vendor/plotly-strict.min.js';
let plotly: Promise<PlotlyApi> | null = null;

export type ChartImageFormat = 'png' | 'svg';

export function loadPlotly(): Promise<PlotlyApi> {
  plotly ??= new Promise<PlotlyApi>((resolve, reject) => {
    const global = window as unknown as { Plotly?: PlotlyApi };
    if (global.Plotly) return resolve(global.Plotly);
    const script = document.createElement('script');
    script.src = PLOTLY_URL;
    script.async = true;
    script.onload = () => (global.Plotly ? resolve(global.Plotly) : reject(new Error('The chart library did not start.')));
    script.onerror = () => reject(new Error('The chart library could not be loaded.'));
    document.head.appendChild(script);
  }).catch((e: unknown) => {
    plotly = null; // let the next chart try again
    throw e;
  });
  return plotly;
}

function config(Plotly: PlotlyApi, onExport?: (format: ChartImageFormat) => void): Record<string, unknown> {
  const saveAs = (format: ChartImageFormat, icon: unknown) => ({
    name: `Save chart as ${format.toUpperCase()}`,
    title: `Save chart as ${format.toUpperCase()}`,
    icon,
    click: () => onExport?.(format),
  });
  return {
    displaylogo: false,
    responsive: true,
    displayModeBar: true,
    typesetMath: false,
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    modeBarButtonsToRemove: ['sendDataToCloud', 'lasso2d', 'select2d', 'toImage'],
    modeBarButtonsToAdd: onExport ? [saveAs('png', Plotly.Icons.camera), saveAs('svg', Plotly.Icons.disk ?? Plotly.Icons.camera)] : [],
  };
}

/** The figure's layout with colours that follow the app's theme. */
function themed(layout: Record<string, unknown>): Record<string, unknown> {
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg').trim() || '#222';
  const grid = css.getPropertyValue('--grid').trim() || '#ddd';
  const axis = (a: unknown) => ({ gridcolor: grid, zerolinecolor: grid, linecolor: grid, ...(a as object), automargin: true });
  const out: Record<string, unknown> = {
    ...layout,
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { ...(layout.font as object), color: fg, family: 'system-ui, sans-serif' },
    autosize: true,
  };
  for (const key of Object.keys(layout)) {
    if (/^[xy]axis\d*$/.test(key)) out[key] = axis(layout[key]);
  }
  if (!out.xaxis) out.xaxis = axis({});
  if (!out.yaxis) out.yaxis = axis({});
  return out;
}

export function Chart({
  figure,
  theme,
  onReady,
  onExport,
}: {
  figure: Figure | null;
  theme: string;
  onReady?: (el: HTMLElement | null) => void;
  /** Saves the drawn chart as an image; without it the toolbar offers no image buttons. */
  onExport?: (format: ChartImageFormat) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const safe = sanitizeFigure(figure);

  useEffect(() => {
    const el = ref.current;
    if (!el || !safe || safe.data.length === 0) return;
    let cancelled = false;
    loadPlotly()
      .then((Plotly) => {
        if (cancelled) return;
        return Plotly.newPlot(el, safe.data, themed(safe.layout), config(Plotly, onExport)).then(() => {
          if (!cancelled) onReady?.(el);
        });
      })
      .catch((e: unknown) => setFailed(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
      onReady?.(null);
      void loadPlotly().then((Plotly) => Plotly.purge(el));
    };
    // The figure object identity changes with each answer; the theme changes the colours.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [figure, theme]);

  if (!safe || safe.data.length === 0) {
    return (
      <div class="empty" data-testid="chart-empty">
        No chart for this answer.
      </div>
    );
  }
  return (
    <div class="chart-wrap">
      {failed && <div class="error-inline">The chart could not be drawn: {failed}</div>}
      <div ref={ref} class="chart" data-testid="chart" />
    </div>
  );
}
