/**
 * The pages' stylesheet, served as /assets/metricops.css (a constant here so that the build ships it with the
 * code). Status colours meet WCAG AA contrast on white and always come with a word and a symbol.
 */
export const STYLESHEET = `
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg-alt: #f6f8fa; --link: #0550ae;
  --healthy: #116329; --healthy-bg: #dafbe1; --burning: #9a3412; --burning-bg: #ffedd5;
  --rolled-back: #8250df; --rolled-back-bg: #fbefff; --paused: #4d2d00; --paused-bg: #fff8c5;
  --unknown: #57606a; --unknown-bg: #eaeef2; --bad: #a40e26; --bad-bg: #ffebe9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #0969da; outline-offset: 1px; }
.top { display: flex; gap: 1.5em; align-items: baseline; padding: .6em 1.2em; border-bottom: 1px solid var(--line); background: var(--bg-alt); }
.brand { font-weight: 700; text-decoration: none; color: var(--fg); }
main { padding: 0 1.2em 2em; max-width: 1600px; }
h1 { font-size: 1.5em; margin: .8em 0 .4em; }
h2 { font-size: 1.2em; margin: 1.4em 0 .4em; }
h3 { font-size: 1em; margin: 1em 0 .3em; }
code { font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
caption { text-align: left; font-weight: 600; padding: .3em 0; }
th, td { border-bottom: 1px solid var(--line); padding: .35em .5em; text-align: left; vertical-align: top; }
thead th { background: var(--bg-alt); font-weight: 600; white-space: nowrap; }
tbody th { font-weight: 600; overflow-wrap: anywhere; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.none { color: var(--muted); }
.reason { color: var(--muted); font-size: .92em; overflow-wrap: anywhere; }
.problems { color: var(--bad); font-size: .92em; margin: .2em 0; padding-left: 1.2em; overflow-wrap: anywhere; }
.severity { display: inline-block; padding: 0 .35em; border: 1px solid var(--line); border-radius: 3px; font-size: .85em; }
.container, .slo-name { color: var(--muted); }
.status { display: inline-block; padding: .05em .5em; border-radius: 999px; font-weight: 600; white-space: nowrap; border: 1px solid currentColor; }
.status-healthy { color: var(--healthy); background: var(--healthy-bg); }
.status-burning { color: var(--burning); background: var(--burning-bg); }
.status-rolled-back { color: var(--rolled-back); background: var(--rolled-back-bg); }
.status-paused { color: var(--paused); background: var(--paused-bg); }
.status-unknown { color: var(--unknown); background: var(--unknown-bg); }
.status-bad { color: var(--bad); background: var(--bad-bg); }
.status-current { color: var(--healthy); background: var(--healthy-bg); }
.alert-state { font-size: .85em; font-weight: 600; }
.alert-firing { color: var(--bad); } .alert-pending { color: var(--burning); } .alert-inactive, .alert-unknown { color: var(--muted); }
.over { color: var(--bad); font-weight: 600; } .under { color: var(--healthy); }
.note { padding: .5em .8em; border-left: 4px solid var(--line); background: var(--bg-alt); }
.note-off { border-color: var(--unknown); } .note-failed { border-color: var(--bad); background: var(--bad-bg); }
form.filters, form.range { display: flex; flex-wrap: wrap; gap: .4em .6em; align-items: center; margin: .6em 0; }
input, select, button { font: inherit; padding: .2em .4em; }
.pages { display: flex; gap: 1.2em; align-items: baseline; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1em; margin: .6em 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
.chart-figure { margin: .6em 0 1em; }
.chart-figure figcaption { font-weight: 600; margin-bottom: .3em; }
.chart { position: relative; min-height: 320px; }
.marker { position: absolute; top: 0; bottom: 0; width: 0; border-left: 2px dashed; pointer-events: none; }
.marker-rollout { border-color: #0969da; } .marker-rollback { border-color: var(--bad); border-left-style: solid; }
.marker-label { position: absolute; top: 2px; left: 3px; font-size: 11px; white-space: nowrap; background: rgba(255,255,255,.85); padding: 0 2px; }
ol.events { padding-left: 1.4em; }
.event .marker-key { display: inline-block; width: 1.2em; height: 0; margin-right: .4em; vertical-align: middle; border-top: 2px dashed #0969da; }
.event-rollback .marker-key { border-top: 2px solid var(--bad); }
`;
