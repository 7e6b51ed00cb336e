// The report's one stylesheet. Light by default, dark under prefers-color-scheme, light again on
// paper; tables and charts scroll inside their own box on a phone so the page itself never does.
// Charts take their colours from here (classes, not fill attributes) so all three modes apply.

export const STYLES = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#5b6470;--line:#d5dbe1;--axis:#9aa4af;--grid:#edf0f3;--card:#f5f7f9;
--accent:#2563eb;--ok:#15803d;--warn:#d97706;--bad:#dc2626;--read:#7c3aed;--run:rgba(37,99,235,.07);--break:rgba(127,127,127,.14);
--n0:#2563eb;--n1:#0d9488;--n2:#9333ea;--n3:#ca8a04;--n4:#db2777;--n5:#64748b;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0f1419;--fg:#e3e7eb;--muted:#9aa5b1;--line:#2c343d;--axis:#5c6773;--grid:#1c232b;
--card:#161c23;--accent:#60a5fa;--ok:#4ade80;--warn:#fbbf24;--bad:#f87171;--read:#c4b5fd;--run:rgba(96,165,250,.09);
--break:rgba(200,200,200,.10);--n0:#60a5fa;--n1:#2dd4bf;--n2:#c084fc;--n3:#facc15;--n4:#f472b6;--n5:#94a3b8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1040px;margin:0 auto;padding:16px 16px 40px}
h1{font-size:1.45rem;margin:.2em 0 .4em;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:0 0 .6em;padding-bottom:.25em;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:1em 0 .4em}
section{margin:30px 0}
p{margin:.4em 0}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere;background:var(--card);padding:0 .25em;border-radius:3px}
.muted,.note{color:var(--muted)}
.note{font-size:.9rem}
nav.toc{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.9rem;margin:8px 0 0}
nav.toc a{color:var(--accent);text-decoration:none}
dl.kv{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 18px;margin:0}
dl.kv dt{color:var(--muted)}
dl.kv dd{margin:0;overflow-wrap:anywhere;min-width:0}
.state{display:inline-block;padding:0 .6em;border-radius:999px;font-weight:600;border:1px solid currentColor}
.state-completed{color:var(--ok)}.state-partial,.state-paused,.state-running,.state-planned{color:var(--warn)}
.state-halted,.state-failed{color:var(--bad)}.state-cancelled{color:var(--muted)}
.callout{border-left:4px solid var(--warn);background:var(--card);padding:8px 12px;margin:12px 0;overflow-wrap:anywhere}
.callout.bad{border-left-color:var(--bad)}
.cols{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:18px;align-items:start}
.stats{display:flex;flex-wrap:wrap;gap:8px 22px;margin:6px 0 10px}
.stats div{min-width:5.5em}.stats b{display:block;font-size:1.15rem;font-variant-numeric:tabular-nums}
.stats span{color:var(--muted);font-size:.85rem}
.table-wrap,.chart-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nowrap{white-space:nowrap}td.nowrap code{overflow-wrap:normal}
td.wrap{min-width:14em;max-width:32em;overflow-wrap:anywhere}
ul.ex{margin:0;padding:0;list-style:none;font-size:.85rem;color:var(--muted)}
ul.ex li{overflow-wrap:anywhere}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.85rem;color:var(--muted);margin:6px 0}
.sw{display:inline-block;width:.75em;height:.75em;border-radius:2px;margin-right:.4em;background:var(--axis)}
.sw-started{background:var(--accent)}.sw-error{background:var(--warn)}.sw-throttled{background:var(--bad)}
.sw-run{background:var(--run);border:1px solid var(--accent)}.sw-rate{height:0;border-top:2px dashed var(--fg);border-radius:0}
.sw-delivered{background:var(--ok)}.sw-read{background:var(--read)}.sw-failed{background:var(--bad)}
.sw-n0{background:var(--n0)}.sw-n1{background:var(--n1)}.sw-n2{background:var(--n2)}.sw-n3{background:var(--n3)}.sw-n4{background:var(--n4)}.sw-n5{background:var(--n5)}
.chart{display:block;width:100%;height:auto;min-width:560px}
.chart text{font-size:11px;fill:var(--muted)}
.chart .lbl{font-size:12px;fill:var(--fg)}.chart .val{font-size:12px;font-weight:600;fill:var(--fg)}
.chart .empty{font-size:14px;fill:var(--muted)}
.axis{stroke:var(--axis)}.grid{stroke:var(--grid)}
.track{fill:var(--grid)}.hover{fill:transparent}.hover:hover{fill:rgba(127,127,127,.14)}
.fun0{fill:var(--axis)}.fun1{fill:var(--n1)}.fun2{fill:var(--accent)}.fun3{fill:var(--ok)}.fun4{fill:var(--read)}
.bar-started{fill:var(--accent)}.bar-error{fill:var(--warn)}.bar-throttled{fill:var(--bad)}
.bar-lat{fill:var(--accent)}.bar-failed{fill:var(--bad)}
.n0{fill:var(--n0)}.n1{fill:var(--n1)}.n2{fill:var(--n2)}.n3{fill:var(--n3)}.n4{fill:var(--n4)}.n5{fill:var(--n5)}
.run{fill:var(--run)}.break{fill:var(--break)}
.rate{stroke:var(--fg);stroke-width:1.5;stroke-dasharray:6 4}.chart .rate-lbl{fill:var(--fg)}
.halt{stroke:var(--bad);stroke-width:2}.chart .halt-lbl{fill:var(--bad);font-weight:600}
.throttle-tick{stroke:var(--bad);stroke-width:1.2}.chart .throttled-lbl{fill:var(--bad)}
.pct{stroke:var(--fg);stroke-dasharray:3 3}.chart .pct-lbl{fill:var(--fg)}
.line{fill:none;stroke-width:2}.line.s-delivered{stroke:var(--ok)}.line.s-read{stroke:var(--read)}
.dots.s-delivered{fill:var(--ok)}.dots.s-read{fill:var(--read)}
footer{max-width:1040px;margin:0 auto;padding:0 16px 24px;color:var(--muted);font-size:.85rem}
@media (max-width:720px){.cols{grid-template-columns:minmax(0,1fr)}dl.kv{grid-template-columns:minmax(0,1fr)}dl.kv dd{margin-bottom:6px}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--axis:#777;--grid:#e6e6e6;--card:#f3f3f3;--run:rgba(37,99,235,.08)}
body{font-size:10.5pt}main{max-width:none;padding:0}nav.toc{display:none}
.table-wrap,.chart-wrap{overflow:visible}.chart{min-width:0}
section{break-inside:avoid-page}table{break-inside:auto}tr{break-inside:avoid}h2{break-after:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`.trim();
