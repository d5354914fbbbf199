/**
 * The bench's chart, as hand-written SVG (no dependency): for each binary store and size group,
 * one row per case with two panels, node time (ours, HTTP Request node, curl) and peak RSS growth
 * (ours, HTTP Request node), each panel on its own linear scale with the target drawn as a dashed
 * line (filesystem store only: the database store holds whole files by design, so it has none).
 */
import type { BulkResult } from './bulk';
import type { CaseSummary } from './main';

interface SmallSummary {
	attachments: number;
	completionMs: number;
	allowedMs: number;
	rateEfficiency: number;
	seen429: number;
	lost: number;
}

const COLORS = { ours: '#2f7d32', http: '#c0392b', curl: '#7f8c8d' };
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const MiB = 1024 * 1024;

export function renderChart(cases: CaseSummary[], small: SmallSummary | undefined, meta: { date: string; machine: string }, bulk: BulkResult[] = []): string {
	const width = 980;
	const labelWidth = 210;
	const panelGap = 40;
	const panelWidth = (width - labelWidth - panelGap - 30) / 2;
	const barHeight = 7;
	const rowHeight = 3 * barHeight + 10;
	const parts: string[] = [];
	let y = 30;
	const text = (x: number, ty: number, content: string, attrs = '') =>
		parts.push(`<text x="${x.toFixed(1)}" y="${ty.toFixed(1)}" ${attrs}>${escape(content)}</text>`);

	text(10, y, `n8n-nodes-attachments benchmark — ${meta.date} — ${meta.machine}`, 'font-size="14" font-weight="bold"');
	y += 22;
	// Legend
	let lx = 10;
	for (const [key, label] of [['ours', 'our node'], ['http', "n8n's HTTP Request node"], ['curl', 'curl']] as const) {
		parts.push(`<rect x="${lx}" y="${y - 9}" width="12" height="10" fill="${COLORS[key]}"/>`);
		text(lx + 16, y, label);
		lx += 40 + label.length * 6.5;
	}
	text(lx + 10, y, 'dashed: target, filesystem store (time ≤ 0.5 × HTTP node and ≤ 2 × curl; RSS growth ≤ 16 MiB)', 'fill="#555"');
	y += 16;

	const groups = [...new Map(cases.map((c) => [`${c.store}:${c.group}`, { store: c.store, group: c.group }])).values()];
	for (const { store, group } of groups) {
		const rows = cases.filter((c) => c.store === store && c.group === group);
		const withTargets = store === 'filesystem';
		const maxMs = Math.max(...rows.flatMap((c) => [c.oursMs, c.httpMs, c.curlMs]).filter(Number.isFinite), 1);
		const maxRss = Math.max(...rows.flatMap((c) => [c.oursRssGrowth, c.httpRssGrowth]).filter(Number.isFinite), 16 * MiB) * 1.05;
		y += 18;
		const title = group >= 1024 * MiB ? `${group / 1024 / MiB} GiB` : `${group / MiB} MiB`;
		const storeNote = withTargets ? 'filesystem store (streams)' : `${store} store (holds whole files by design)`;
		text(10, y, `${title} files, ${storeNote}`, 'font-size="13" font-weight="bold"');
		y += 16;
		const x1 = labelWidth;
		const x2 = labelWidth + panelWidth + panelGap;
		text(x1, y, `node time, s (max ${(maxMs / 1000).toFixed(2)} s)`, 'fill="#333"');
		text(x2, y, `peak RSS growth, MiB (max ${(maxRss / MiB).toFixed(0)} MiB)`, 'fill="#333"');
		y += 8;
		const top = y;
		for (const c of rows) {
			const label = c.size === c.group ? c.label : `${c.label} (${c.size / MiB} MiB max)`;
			text(10, y + rowHeight / 2 + 2, label);
			const bars: Array<[keyof typeof COLORS, number]> = [['ours', c.oursMs], ['http', c.httpMs], ['curl', c.curlMs]];
			bars.forEach(([key, ms], i) => {
				if (!Number.isFinite(ms)) return;
				const w = Math.max(1, (ms / maxMs) * panelWidth);
				parts.push(`<rect x="${x1}" y="${y + i * barHeight}" width="${w.toFixed(1)}" height="${barHeight - 1}" fill="${COLORS[key]}"/>`);
				text(x1 + w + 3, y + i * barHeight + barHeight - 1, (ms / 1000).toFixed(2), 'font-size="8" fill="#333"');
			});
			// Time target: the stricter of 0.5 × HTTP and 2 × curl.
			const target = Math.min(c.httpMs * 0.5, c.curlMs * 2);
			if (withTargets && Number.isFinite(target)) {
				const tx = x1 + (target / maxMs) * panelWidth;
				parts.push(`<line x1="${tx.toFixed(1)}" y1="${y - 1}" x2="${tx.toFixed(1)}" y2="${y + 3 * barHeight}" stroke="#000" stroke-dasharray="2,2"/>`);
			}
			const rss: Array<[keyof typeof COLORS, number]> = [['ours', c.oursRssGrowth], ['http', c.httpRssGrowth]];
			rss.forEach(([key, bytes], i) => {
				if (!Number.isFinite(bytes)) return;
				const w = Math.max(1, (Math.max(0, bytes) / maxRss) * panelWidth);
				parts.push(`<rect x="${x2}" y="${y + i * barHeight}" width="${w.toFixed(1)}" height="${barHeight - 1}" fill="${COLORS[key]}"/>`);
				text(x2 + w + 3, y + i * barHeight + barHeight - 1, (bytes / MiB).toFixed(1), 'font-size="8" fill="#333"');
			});
			y += rowHeight;
		}
		const rssTarget = x2 + ((16 * MiB) / maxRss) * panelWidth;
		if (withTargets) parts.push(`<line x1="${rssTarget.toFixed(1)}" y1="${top - 2}" x2="${rssTarget.toFixed(1)}" y2="${y - 8}" stroke="#000" stroke-dasharray="2,2"/>`);
		parts.push(`<line x1="${x1}" y1="${top - 2}" x2="${x1}" y2="${y - 8}" stroke="#999"/>`, `<line x1="${x2}" y1="${top - 2}" x2="${x2}" y2="${y - 8}" stroke="#999"/>`);
	}
	if (small) {
		y += 22;
		text(10, y, 'Many small files (Xero-like limits)', 'font-size="13" font-weight="bold"');
		y += 18;
		const scale = (width - labelWidth - 80) / Math.max(small.completionMs, small.allowedMs);
		const rows: Array<[string, number, string]> = [
			['least time the budget allows', small.allowedMs, COLORS.curl],
			[`our node, ${small.attachments} files`, small.completionMs, COLORS.ours],
		];
		for (const [label, ms, color] of rows) {
			text(10, y + 8, label);
			parts.push(`<rect x="${labelWidth}" y="${y}" width="${(ms * scale).toFixed(1)}" height="10" fill="${color}"/>`);
			text(labelWidth + ms * scale + 4, y + 9, `${(ms / 1000).toFixed(1)} s`, 'font-size="9"');
			y += 16;
		}
		text(10, y + 8, `${(small.rateEfficiency * 100).toFixed(1)}% of the allowed request rate, ${small.seen429} × 429 seen, ${small.lost} items lost`, 'fill="#333"');
		y += 14;
	}
	if (bulk.length) {
		y += 22;
		text(10, y, `Bulk at ${bulk[0].latencyMs} ms per request, the vendors' limits in the sandbox (time; dashed: the least time the limits allow)`, 'font-size="13" font-weight="bold"');
		y += 12;
		const runners: Array<[BulkResult['runner'], string, string]> = [
			['ours', COLORS.ours, 'our node'],
			['ours-c1', '#8bc48a', 'our node, Concurrency 1'],
			['http', COLORS.http, "HTTP Request node (defaults)"],
		];
		let lx = 10;
		for (const [, color, label] of runners) {
			parts.push(`<rect x="${lx}" y="${y - 9}" width="12" height="10" fill="${color}"/>`);
			text(lx + 16, y, label);
			lx += 40 + label.length * 6.5;
		}
		y += 10;
		const groups = [...new Map(bulk.map((r) => [`${r.provider} ${r.job}`, r])).values()];
		for (const group of groups) {
			const rows = bulk.filter((r) => r.provider === group.provider && r.job === group.job);
			const maxMs = Math.max(...rows.map((r) => r.ms).filter(Number.isFinite), group.leastMs, 1);
			const scale = (width - labelWidth - 200) / maxMs;
			const title = `${group.provider[0].toUpperCase()}${group.provider.slice(1)} ${group.job === 'download' ? `list + download ${group.items}` : `upload ${group.items}`}`;
			text(10, y + 14, title);
			const top = y + 4;
			for (const [runner, color] of runners) {
				const r = rows.find((row) => row.runner === runner);
				if (!r) continue;
				const w = Math.max(1, r.ms * scale);
				parts.push(`<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="8" fill="${color}"/>`);
				const note = r.error ? 'failed, ' : '';
				text(labelWidth + w + 4, y + 11, `${(r.ms / 1000).toFixed(1)} s (${note}${r.seen429} × 429, ${r.lost} lost)`, 'font-size="8" fill="#333"');
				y += 10;
			}
			const lx2 = labelWidth + group.leastMs * scale;
			parts.push(`<line x1="${lx2.toFixed(1)}" y1="${top - 1}" x2="${lx2.toFixed(1)}" y2="${y + 3}" stroke="#000" stroke-dasharray="2,2"/>`);
			y += 8;
		}
	}
	const height = y + 16;
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
		`<rect width="100%" height="100%" fill="#fff"/>`,
		...parts,
		'</svg>',
		'',
	].join('\n');
}
