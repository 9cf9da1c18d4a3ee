// The parts of Plotly's API the UI uses (the dist bundle ships no types).
declare module 'plotly.js-strict-dist-min' {
  export interface PlotlyHTMLElement extends HTMLDivElement {
    data: Array<Record<string, unknown>>;
    layout: Record<string, unknown>;
  }
  export interface ModeBarButton {
    name: string;
    title?: string;
    icon: unknown;
    click: (gd: PlotlyHTMLElement) => void;
  }
  export interface ImageOptions {
    format: 'png' | 'svg' | 'jpeg' | 'webp';
    width?: number;
    height?: number;
    scale?: number;
    filename?: string;
    /** The image alone: base64 for PNG, the document's text for SVG, no `data:` prefix. */
    imageDataOnly?: boolean;
  }
  const Plotly: {
    newPlot(root: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<PlotlyHTMLElement>;
    react(root: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<PlotlyHTMLElement>;
    purge(root: HTMLElement): void;
    toImage(root: HTMLElement, options: ImageOptions): Promise<string>;
    downloadImage(root: HTMLElement, options: ImageOptions): Promise<string>;
    Plots: { resize(root: HTMLElement): void };
    Icons: Record<string, unknown>;
  };
  export default Plotly;
}
