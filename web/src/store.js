// Application state: the logged-in user and CSRF token (memory only), the
// entity metadata, the region tree of the user's home subtree, the chosen
// region (the region switcher), dictionary caches and unsaved drafts.
import { reactive, computed } from 'vue';
import { api, setCsrf } from './api.js';

export const state = reactive({
    checked: false, // GET /session has been asked once
    user: null,
    entities: [],
    region: null, // chosen region code (subtree filter for lists)
    regions: [], // flat list of the home subtree
    regionTree: [],
    regionsLoaded: false,
    expired: false,
});

/* ---------------- permissions ---------------- */

// The registries a wildcard entity ("*:read") does not grant, as the server
// restricts them (authz_restrict): only a grant that names them does.
const RESTRICTED = ['help'];

// Mirrors the server's matching: "*" is everything; "e:a" patterns where
// either part may be "*"; a wildcard action never grants ":reveal".
export function permMatch(pattern, perm) {
    if (pattern === '*') return true;
    const pi = pattern.indexOf(':');
    const i = perm.indexOf(':');
    if (pi < 0 || i < 0) return pattern === perm;
    const pe = pattern.slice(0, pi);
    const pa = pattern.slice(pi + 1);
    const e = perm.slice(0, i);
    const a = perm.slice(i + 1);
    if (a === 'reveal' && pa !== 'reveal') return false;
    return ((pe === '*' && !RESTRICTED.includes(e)) || pe === e) && (pa === '*' || pa === a);
}

export function can(perm) {
    const perms = (state.user && state.user.permissions) || [];
    return perms.some((p) => permMatch(p, perm));
}

/* ---------------- session ---------------- */

function regionKey() {
    return state.user ? `sc.region.${state.user.username}` : null;
}

function applySession(data) {
    state.user = data.user;
    setCsrf(data.csrf_token);
    state.expired = false;
    const saved = sessionStorage.getItem(regionKey());
    state.region = saved || data.user.region;
}

export async function loadSession() {
    try {
        const data = await api.get('/session');
        applySession(data);
    } catch (e) {
        if (e.status !== 401) throw e;
        state.user = null;
        setCsrf(null);
    } finally {
        state.checked = true;
    }
    return state.user;
}

export async function login(username, password) {
    const data = await api.post('/session', { username, password });
    resetCaches();
    applySession(data);
    state.checked = true;
    return data.user;
}

export async function logout() {
    try {
        await api.del('/session');
    } finally {
        clearSession();
    }
}

export function clearSession() {
    state.user = null;
    setCsrf(null);
    resetCaches();
}

function resetCaches() {
    state.entities = [];
    state.regions = [];
    state.regionTree = [];
    state.regionsLoaded = false;
    dictCache.clear();
}

export function setRegion(code) {
    state.region = code || (state.user && state.user.region);
    const k = regionKey();
    if (k) sessionStorage.setItem(k, state.region);
}

/* ---------------- metadata ---------------- */

export async function loadEntities() {
    if (state.entities.length) return state.entities;
    const data = await api.get('/meta/entities');
    state.entities = data.items || [];
    return state.entities;
}

export function entityMeta(name) {
    return state.entities.find((e) => e.name === name) || null;
}

// A record under a state machine that has left its first state belongs to
// its transitions: the server answers 409 to PATCH and DELETE (docs/
// security.md), so the console offers neither.
export function recordLocked(meta, row) {
    return !!(meta && meta.state_field && row && row[meta.state_field] !== meta.initial_state);
}
export const LOCKED_HINT = '已进入办理流程，只能通过办理操作变更，不能编辑或删除';

// Entities shown as generic pages (regions have their own tree page).
export const businessEntities = computed(() =>
    state.entities.filter((e) => e.name !== 'regions' && can(`${e.permission}:read`)),
);

// The list filter for the chosen region, when the entity takes one.
export function regionFilter(meta) {
    if (!meta || !state.region) return {};
    const f = meta.fields.find((x) => x.name === 'region' && x.filter);
    return f ? { region: state.region } : {};
}

/* ---------------- regions ---------------- */

let regionsPromise = null;

export function loadRegions(force = false) {
    if (state.regionsLoaded && !force) return Promise.resolve(state.regions);
    if (regionsPromise && !force) return regionsPromise;
    regionsPromise = (async () => {
        const all = [];
        for (let page = 1; page <= 100; page++) {
            const data = await api.get('/regions', { page, page_size: 500, sort: 'code' });
            all.push(...data.items);
            if (all.length >= data.total || data.items.length === 0) break;
        }
        setRegions(all);
        return all;
    })().finally(() => {
        regionsPromise = null;
    });
    return regionsPromise;
}

export function setRegions(list) {
    const byCode = new Map();
    const nodes = list.map((r) => ({
        code: r.code,
        name: r.name,
        level: r.level,
        parent: r.parent,
        population: r.population,
        population_year: r.population_year,
        children: [],
    }));
    nodes.forEach((n) => byCode.set(n.code, n));
    const roots = [];
    for (const n of nodes) {
        const p = n.parent && byCode.get(n.parent);
        if (p) p.children.push(n);
        else roots.push(n);
    }
    state.regions = nodes;
    state.regionTree = roots;
    state.regionsLoaded = true;
    regionIndex = byCode;
}

let regionIndex = new Map();

export function regionName(code) {
    if (!code) return '';
    const n = regionIndex.get(code);
    return n ? n.name : code;
}

export function regionNode(code) {
    return regionIndex.get(code) || null;
}

// The path of names from the top of the loaded tree down to code.
export function regionPath(code) {
    const names = [];
    let n = regionIndex.get(code);
    while (n) {
        names.unshift(n.name);
        n = n.parent ? regionIndex.get(n.parent) : null;
    }
    return names.join(' / ');
}

// The subtree under code as tree-select data (one root).
export function regionSubtree(code) {
    const n = code && regionIndex.get(code);
    return n ? [n] : state.regionTree;
}

export const LEVEL_LABELS = {
    province: '省',
    city: '市',
    county: '县（区）',
    township: '乡镇（街道）',
    village: '村（社区）',
    grid: '网格',
};

/* ---------------- dictionaries ---------------- */

const dictCache = new Map();

export function loadDict(name) {
    if (!dictCache.has(name)) {
        const p = api.get(`/dicts/${encodeURIComponent(name)}`).catch((e) => {
            dictCache.delete(name);
            throw e;
        });
        dictCache.set(name, p);
    }
    return dictCache.get(name);
}

export function forgetDict(name) {
    dictCache.delete(name);
}

/* ---------------- drafts kept across a session expiry ---------------- */

// Open dialogs register a function returning their unsaved state. When the
// session ends, the state is written to sessionStorage and restored by the
// page after the next login.
const draftSources = new Set();

export function registerDraft(fn) {
    draftSources.add(fn);
    return () => draftSources.delete(fn);
}

export function saveDrafts() {
    for (const fn of draftSources) {
        try {
            const d = fn();
            if (d && d.key) sessionStorage.setItem(`sc.draft.${d.key}`, JSON.stringify(d));
        } catch {
            /* a draft is a convenience; never block the logout */
        }
    }
}

export function takeDraft(key) {
    const k = `sc.draft.${key}`;
    const raw = sessionStorage.getItem(k);
    if (!raw) return null;
    sessionStorage.removeItem(k);
    try {
        return JSON.parse(raw);
    } catch {
        return null;
    }
}
