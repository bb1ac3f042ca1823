// Shared by 统计分析 and 工作总结: the region and year a page starts with
// (the URL's, else the region switcher's and the current year), the years
// offered, and the number formats of the statistics.
import { state, regionNode } from '../../store.js';

export const YEARS_OFFERED = 5;

export function currentYear() {
    return new Date().getFullYear();
}

// The current year and the ones before it, newest first.
export function yearOptions(n = YEARS_OFFERED) {
    const y = currentYear();
    return Array.from({ length: n }, (_, i) => y - i);
}

export function initialRegion(query) {
    const q = query && typeof query.region === 'string' ? query.region : '';
    return q || state.region || (state.user && state.user.region) || null;
}

export function initialYear(query) {
    const y = Number(query && query.year);
    return Number.isInteger(y) && y >= 2000 && y <= currentYear() + 1 ? y : currentYear();
}

export function fmtInt(n) {
    if (n === null || n === undefined || n === '') return '—';
    const v = Number(n);
    return Number.isFinite(v) ? v.toLocaleString('zh-CN') : String(n);
}

// A fraction 0..1 as a percentage with one decimal: 0.8567 → "85.7%".
export function fmtRate(r) {
    if (r === null || r === undefined || r === '') return '—';
    const v = Number(r);
    if (!Number.isFinite(v)) return '—';
    return `${(Math.round(v * 1000) / 10).toFixed(1)}%`;
}

// Year on year: { text: "↑12.5%", dir: "up"|"down"|"flat"|"none" }; "—"
// when there is nothing to compare with (prev absent or 0).
export function yoy(cur, prev) {
    const c = Number(cur);
    const p = Number(prev);
    if (prev === null || prev === undefined || !Number.isFinite(p) || p === 0 || !Number.isFinite(c))
        return { text: '—', dir: 'none' };
    const pct = ((c - p) / p) * 100;
    const r = Math.round(Math.abs(pct) * 10) / 10;
    if (r === 0) return { text: '持平', dir: 'flat' };
    return { text: `${pct > 0 ? '↑' : '↓'}${r.toFixed(1)}%`, dir: pct > 0 ? 'up' : 'down' };
}

// The regions from the user's home region down to code (the breadcrumb of a
// drill-down); just [code] when the tree is not loaded or code lies outside.
export function regionChain(code) {
    const home = state.user && state.user.region;
    const chain = [];
    let n = regionNode(code);
    while (n) {
        chain.unshift({ code: n.code, name: n.name, level: n.level });
        if (n.code === home) return chain;
        n = n.parent ? regionNode(n.parent) : null;
    }
    return chain.length ? chain : [{ code, name: code, level: '' }];
}
