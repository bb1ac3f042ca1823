// Shared by 统计分析 and 工作总结: the region and year a page starts with
// (the URL's, else the region switcher's and the current year), the years
// offered, the declared figures (their labels, units and kinds) and the
// number formats of the statistics.
import { shallowRef } from 'vue';
import { api } from '../../api.js';
import { state, regionNode, can } from '../../store.js';

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

// ---- The declared figures: GET /stats/figures ----
//
// The server declares every figure once (section, key, label, unit, kind,
// year-on-year partner, key in a child row) and the per-child table's
// columns; the page, the Excel export and the work summary all print those
// labels. Fetched once while the app runs (they change only with the server);
// a failure is not cached, the next load asks again.

let figuresPromise = null;

// The declared sections once loaded (the menu shows a statistics page only
// to those who may read one of its sections: each section's `perm`).
export const figureSections = shallowRef(null);

export function loadFigures() {
    if (!figuresPromise)
        figuresPromise = api.get('/stats/figures').then(
            (d) => {
                const f = indexFigures(d);
                figureSections.value = f.sections;
                return f;
            },
            (e) => {
                figuresPromise = null;
                throw e;
            },
        );
    return figuresPromise;
}

// Whether the user may read any of the sections `keys` (by their declared
// permission); false until the figures are loaded.
export function canReadSections(keys) {
    const secs = figureSections.value;
    return !!secs && secs.some((s) => keys.includes(s.key) && s.perm && can(s.perm));
}

// The year-on-year change of a count as text and direction, from the
// server's per cent (`<key>_change_pct`, null when the year before was 0)
// or, without one, computed here; never a division by zero:
//   { text: "↓9.5%" | "新增, 无基数" | "持平" | "—", dir }
export function changeOf(cur, prev, pct) {
    const c = Number(cur);
    const p = Number(prev);
    if (cur === null || cur === undefined || prev === null || prev === undefined || !Number.isFinite(c) || !Number.isFinite(p))
        return { text: '—', dir: 'none' };
    if (p === 0) return c === 0 ? { text: '持平', dir: 'flat' } : { text: '新增, 无基数', dir: 'up' };
    let v = pct === null || pct === undefined || !Number.isFinite(Number(pct)) ? ((c - p) / p) * 100 : Number(pct);
    v = Math.round(v * 10) / 10;
    if (v === 0) return { text: '持平', dir: 'flat' };
    return { text: `${v > 0 ? '↑' : '↓'}${Math.abs(v).toFixed(1)}%`, dir: v > 0 ? 'up' : 'down' };
}

// A rate per 100 000 with two decimals ("—" without a population).
export function fmtRate(n) {
    if (isBlank(n)) return '—';
    const v = Number(n);
    return Number.isFinite(v) ? v.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : String(n);
}

// { sections, columns, figure(section, key), breakdown(section, key) }
export function indexFigures(d) {
    const sections = (d && Array.isArray(d.sections) ? d.sections : []).map((s) => ({
        ...s,
        figures: Array.isArray(s.figures) ? s.figures : [],
        breakdowns: Array.isArray(s.breakdowns) ? s.breakdowns : [],
    }));
    const bySection = new Map(sections.map((s) => [s.key, s]));
    const figure = (section, key) => {
        const s = bySection.get(section);
        return (s && s.figures.find((f) => f.key === key)) || null;
    };
    const breakdown = (section, key) => {
        const s = bySection.get(section);
        return (s && s.breakdowns.find((b) => b.key === key)) || null;
    };
    return {
        sections,
        columns: d && Array.isArray(d.columns) ? d.columns : [],
        figure,
        breakdown,
    };
}

function isBlank(v) {
    return v === null || v === undefined || v === '';
}

// One decimal: 1234.5 → "1,234.5".
export function fmtSum(n) {
    if (isBlank(n)) return '—';
    const v = Number(n);
    return Number.isFinite(v) ? v.toLocaleString('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : String(n);
}

// A figure's value as { text, unit }: a count as an integer, a sum with one
// decimal, a rate (a fraction 0..1) as a per cent with one decimal. `base`
// is the value of a rate's denominator (its figure's `den`): a rate of
// nothing is "—". A "—" carries no unit.
export function figureValue(fig, v, base) {
    const kind = fig && fig.kind;
    let text;
    if (kind === 'rate') {
        const r = Number(v);
        text = isBlank(v) || !Number.isFinite(r) || (base !== undefined && !Number(base)) ? '—' : (Math.round(r * 1000) / 10).toFixed(1);
    } else if (kind === 'sum') text = fmtSum(v);
    else if (kind === 'per100k') text = fmtRate(v);
    else text = fmtInt(v);
    return { text, unit: text === '—' || !fig ? '' : fig.unit || '' };
}

// The value of figure `fig` of section `sec` in obj, which is the section's
// object of a GET /stats answer or (child = true) a row of its children:
// { text, unit, value, yoy } with yoy only for figures compared with the
// year before.
export function figureOf(figs, sec, fig, obj, child = false) {
    const keyOf = (f) => (child ? f.child_key : f.key);
    const v = obj ? obj[keyOf(fig)] : undefined;
    let base;
    if (fig.kind === 'rate' && fig.den) {
        const d = figs.figure(sec, fig.den);
        const dk = child ? fig.den_child_key || (d && d.child_key) : fig.den;
        base = dk && obj ? obj[dk] : undefined;
    }
    const out = { ...figureValue(fig, v, base), value: v };
    if (!child && fig.yoy && fig.prev_key && obj) out.yoy = yoy(v, obj[fig.prev_key]);
    return out;
}
