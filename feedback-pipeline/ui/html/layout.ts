/** The frame of every page: head (our stylesheet; uPlot and the chart script only on pages with charts), header, main. */
import { html, type Html } from './html.js';

export const ASSETS = {
  stylesheet: '/assets/metricops.css',
  charts: '/assets/charts.js',
  uplot: '/assets/uPlot.iife.min.js',
  uplotStylesheet: '/assets/uPlot.min.css',
} as const;

export function page(options: { title: string; body: Html; charts?: boolean }): string {
  const charts = options.charts
    ? html`<link rel="stylesheet" href="${ASSETS.uplotStylesheet}"><script src="${ASSETS.uplot}" defer></script><script type="module" src="${ASSETS.charts}"></script>`
    : html``;
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · metricops</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS.stylesheet}">
${charts}
</head>
<body>
<header class="top"><a class="brand" href="/">metricops</a> <nav aria-label="Site"><a href="/">Guarded Deployments</a></nav></header>
<main id="main">
${options.body}
</main>
</body>
</html>
`}`;
}
