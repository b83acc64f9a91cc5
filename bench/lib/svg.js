// The results chart as a hand-written SVG string: one panel of horizontal bars
// per throughput case (scaled to that panel's fastest contender, labelled with
// the rate and the ratio to RAW), plus start-up and per-worker memory panels.

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const COLORS = {
  'supervise-run': '#2563eb',
  'supervise-map': '#60a5fa',
  raw: '#6b7280',
  other: '#d1d5db',
};

export function renderSvg(results, { fmtRate }) {
  const width = 800;
  const labelW = 200;
  const barMax = 400;
  const rowH = 20;
  const parts = [];
  let y = 0;
  const text = (x, yy, s, attrs = '') => parts.push(`<text x="${x}" y="${yy}" ${attrs}>${esc(s)}</text>`);

  y += 26;
  text(12, y, `supervise benchmark: one worker, echo handler (${results.mode} run${results.settings.pinnedCpu === null ? '' : `, pinned to CPU ${results.settings.pinnedCpu}`}, node ${results.env.node}, ${results.env.cpus} CPUs)`, 'class="title"');
  y += 8;

  for (const c of results.cases) {
    y += 26;
    text(12, y, `${c.title}: ${c.unit} (median of ${results.settings.rounds} interleaved rounds; bar = median, line = min–max)`, 'class="h"');
    y += 8;
    const top = Math.max(...c.rows.map((r) => r.max).filter(Number.isFinite), 1);
    for (const r of c.rows) {
      y += rowH;
      const w = Number.isFinite(r.median) ? Math.max(1, (r.median / top) * barMax) : 0;
      const fill = COLORS[r.id] ?? COLORS.other;
      text(labelW - 8, y - 5, r.label, 'text-anchor="end"');
      parts.push(`<rect x="${labelW}" y="${y - rowH + 4}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${fill}"/>`);
      if (Number.isFinite(r.min) && Number.isFinite(r.max)) {
        const x1 = labelW + (r.min / top) * barMax;
        const x2 = labelW + (r.max / top) * barMax;
        parts.push(`<line x1="${x1.toFixed(1)}" x2="${x2.toFixed(1)}" y1="${y - rowH / 2 + 1}" y2="${y - rowH / 2 + 1}" stroke="#111827" stroke-width="1.5"/>`);
      }
      const ratio = Number.isFinite(r.vsRaw) ? `  (${r.vsRaw.toFixed(2)}× raw)` : '';
      text(labelW + Math.max(w, Number.isFinite(r.max) ? (r.max / top) * barMax : 0) + 6, y - 5, `${fmtRate(r.median)}${ratio}`);
    }
  }

  if (results.startup) {
    y += 26;
    text(12, y, `start-up: createSupervisor() → ${results.startup.workers} workers ready, ms (median; lower is better)`, 'class="h"');
    y += 8;
    const rows = results.startup.rows;
    const top = Math.max(...rows.map((r) => r.median), 1);
    for (const r of rows) {
      y += rowH;
      const w = Math.max(1, (r.median / top) * barMax);
      text(labelW - 8, y - 5, r.label, 'text-anchor="end"');
      parts.push(`<rect x="${labelW}" y="${y - rowH + 4}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${r.id.startsWith('supervise') ? COLORS['supervise-run'] : COLORS.raw}"/>`);
      text(labelW + w + 6, y - 5, `${r.median.toFixed(0)} ms`);
    }
  }

  if (results.memory) {
    y += 26;
    text(12, y, 'memory: RSS per worker process (tree), MiB (median of the workers; lower is better)', 'class="h"');
    y += 8;
    const rows = results.memory.rows.filter((r) => Number.isFinite(r.workerRss));
    const top = Math.max(...rows.map((r) => r.workerRss), 1);
    for (const r of rows) {
      y += rowH;
      const w = Math.max(1, (r.workerRss / top) * barMax);
      text(labelW - 8, y - 5, r.label, 'text-anchor="end"');
      parts.push(`<rect x="${labelW}" y="${y - rowH + 4}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${r.id.startsWith('supervise') ? COLORS['supervise-run'] : COLORS.raw}"/>`);
      text(labelW + w + 6, y - 5, `${(r.workerRss / 1048576).toFixed(1)} MiB`);
    }
  }

  y += 24;
  text(12, y, `${results.date} · ${results.env.cpuModel} · load avg ${results.env.loadavgStart[0].toFixed(1)} at start · not a speed assertion: numbers vary between machines and runs`, 'class="foot"');
  y += 12;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    '<style>.title{font-size:15px;font-weight:600}.h{font-size:13px;font-weight:600}.foot{font-size:10px;fill:#6b7280}text{fill:#111827}</style>',
    `<rect width="${width}" height="${y}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
