import { describe, expect, it } from 'vitest';

import { cleanText, sanitizeFigure } from './sanitize';

const png = 'data:image/png;base64,iVBORw0KGgo=';

describe('sanitizeFigure', () => {
  it('drops the figure config and frames', () => {
    const fig = sanitizeFigure({ data: [], layout: {}, config: { editable: true }, frames: [{}] }) as unknown as Record<string, unknown>;
    expect(fig.config).toBeUndefined();
    expect(fig.frames).toBeUndefined();
    expect(Object.keys(fig).sort()).toEqual(['data', 'layout']);
  });

  it('strips links and javascript: from annotations and trace text', () => {
    const fig = sanitizeFigure({
      data: [{ type: 'bar', x: ['a'], y: [1], text: ['<a href="javascript:alert(1)">click</a>'], hovertemplate: 'JaVaScRiPt :alert(2)' }],
      layout: { annotations: [{ text: '<a href="https://evil.example">x</a> <b>ok</b>' }], title: { text: 'java\tscript:alert(3)' } },
    });
    const trace = fig!.data[0] as Record<string, unknown>;
    expect(trace.text).toEqual(['click']);
    expect(String(trace.hovertemplate).toLowerCase()).not.toContain('javascript');
    const annotations = fig!.layout.annotations as Array<Record<string, unknown>>;
    expect(annotations[0].text).toBe('x <b>ok</b>');
    expect(JSON.stringify(fig)).not.toMatch(/href|javascript/i);
  });

  it('keeps data: images and drops remote ones, also in templates', () => {
    const fig = sanitizeFigure({
      data: [],
      layout: {
        images: [{ source: 'https://evil.example/p.png' }, { source: png }, { source: 'data:image/svg+xml,<svg onload=alert(1)>' }],
        template: { layout: { images: [{ source: '//evil.example/x.png' }] } },
      },
    });
    expect(fig!.layout.images).toEqual([{ source: png }]);
    expect((fig!.layout.template as { layout: { images: unknown[] } }).layout.images).toEqual([]);
  });

  it('drops map traces and map layouts that would fetch tiles', () => {
    const fig = sanitizeFigure({
      data: [{ type: 'scattermapbox', lat: [1], lon: [2] }, { type: 'scatter', y: [1] }],
      layout: { mapbox: { style: 'https://tiles.example/style.json' }, map: {} },
    });
    expect(fig!.data).toHaveLength(1);
    expect(fig!.layout.mapbox).toBeUndefined();
    expect(fig!.layout.map).toBeUndefined();
  });

  it('drops prototype keys and non-JSON values', () => {
    const hostile = JSON.parse('{"data":[{"y":[1],"__proto__":{"polluted":1}}],"layout":{"constructor":{"x":1}}}');
    const fig = sanitizeFigure(hostile);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(fig!.layout)).toEqual([]);
    const odd = sanitizeFigure({ data: [{ y: [1, NaN, Infinity], f: () => 1 }], layout: {} });
    expect(odd!.data[0]).toEqual({ y: [1, null, null] });
  });

  it('keeps ordinary figures intact', () => {
    const figure = { data: [{ type: 'scatter', x: ['2025-01-01'], y: [86796.2], name: 'Revenue', mode: 'lines' }], layout: { title: { text: 'Revenue' }, xaxis: { title: { text: 'month' } } } };
    expect(sanitizeFigure(figure)).toEqual(figure);
  });

  it('is null for something that is not a figure', () => {
    expect(sanitizeFigure(null)).toBeNull();
    expect(sanitizeFigure('x')).toBeNull();
    expect(sanitizeFigure({ layout: [] })).toEqual({ data: [], layout: {} });
  });
});

describe('cleanText', () => {
  it('leaves data values that merely look like HTML as they are (Plotly draws them as SVG text)', () => {
    expect(cleanText('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
    expect(cleanText('vbscript:x')).toBe('blocked:x');
    expect(cleanText('data:text/html,<script>')).toBe('blocked:text/html,<script>');
  });
});
