// The period (a year) that follows the user across 统计分析, 工作总结 and the
// hazard board: one reactive year, kept in the address (?year=) by each page
// and in sessionStorage (per user), so a year chosen on one page is the year
// on the next. Without either, a page opens on GET /stats/years' default:
// this year when it has records, else the latest year that has, and
// <period-notice> says so.
import { reactive } from 'vue';
import { api } from './api.js';
import { state } from './store.js';

export const period = reactive({
    year: null, // the chosen year, or null until known
    info: null, // GET /stats/years of info.region: {years, current, default, fallback, message}
    user: null, // whose year and years these are: another login starts afresh
});

function mine() {
    const u = state.user ? state.user.username : null;
    if (period.user !== u) {
        period.year = null;
        period.info = null;
        period.user = u;
    }
}

function key() {
    return state.user ? `sc.year.${state.user.username}` : null;
}

function valid(y) {
    const n = Number(y);
    return Number.isInteger(n) && n >= 2000 && n <= new Date().getFullYear() + 1 ? n : null;
}

// The year of ?year=, or null.
export function queryYear(query) {
    return query && query.year ? valid(query.year) : null;
}

// The year kept for this user in this tab, or null.
export function storedYear() {
    mine();
    if (period.year && valid(period.year)) return period.year;
    const k = key();
    return k ? valid(sessionStorage.getItem(k)) : null;
}

// The year the user chose (or a page opened on): every page reads it next.
export function setYear(y) {
    const v = valid(y);
    if (!v) return;
    mine();
    period.year = v;
    const k = key();
    if (k) sessionStorage.setItem(k, String(v));
}

const pending = new Map();

// GET /stats/years of region (the caller's when none), once per region while
// the page lives; null when the server says no (a unit's officer).
export function loadYears(region) {
    mine();
    const r = region || (state.user && state.user.region) || '';
    if (period.info && period.info.region === r) return Promise.resolve(period.info);
    if (!pending.has(r))
        pending.set(
            r,
            api
                .get('/stats/years', r ? { region: r } : {})
                .then((info) => {
                    period.info = info;
                    return info;
                })
                .catch(() => null)
                .finally(() => pending.delete(r)),
        );
    return pending.get(r);
}

// The year a page opens on: ?year=, else the kept one, else the server's
// default for region (else this year). Keeps the answer.
export async function initialPeriodYear(query, region) {
    const q = queryYear(query);
    const info = await loadYears(region);
    if (q) {
        setYear(q);
        return q;
    }
    const kept = storedYear();
    if (kept) return kept;
    const y = (info && info.default) || new Date().getFullYear();
    setYear(y);
    return y;
}

// The years a selector offers: the last five and every year with records,
// newest first, with extra (the shown year) when missing.
export function yearChoices(extra) {
    const now = new Date().getFullYear();
    const set = new Set(Array.from({ length: 5 }, (_, i) => now - i));
    for (const y of (period.info && period.info.years) || []) set.add(y);
    if (extra) set.add(Number(extra));
    return [...set].sort((a, b) => b - a);
}

// What <period-notice> says for year: why the page is not on this year, or
// that the chosen year has no records; '' when all is as expected.
export function periodNotice(year) {
    const info = period.info;
    if (!info || !year) return '';
    const y = Number(year);
    const has = (info.years || []).includes(y);
    if (info.fallback && y === info.default) return info.message || `${info.current}年尚无数据，显示最近有数据的 ${info.default}年`;
    if (!has && info.years && info.years.length) return `${y}年尚无数据，最近有数据的是 ${info.years[0]}年`;
    return '';
}

export function clearPeriod() {
    period.year = null;
    period.info = null;
    pending.clear();
}
