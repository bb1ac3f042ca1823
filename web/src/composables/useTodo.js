// The caller's to-do list (待办), GET /api/v1/todo, shared by the home
// page's card and the bell in the header: one copy, fetched when a page
// opens (at most every few seconds) and every minute while the console is
// open. A group links to its filtered list; an item opens its record.
import { reactive, onMounted, onBeforeUnmount, watch } from 'vue';
import { useRoute } from 'vue-router';
import { api } from '../api.js';
import { state } from '../store.js';

const todo = reactive({ groups: [], total: 0, loaded: false, error: '' });
let last = 0;
let inflight = null;
let users = 0;
let timer = null;

const REFRESH_MS = 60000; // the interval while a page is open
const MIN_GAP_MS = 3000; // navigation refreshes at most this often

export async function refreshTodo(force = false) {
    if (!state.user) return;
    if (inflight) return inflight;
    if (!force && Date.now() - last < MIN_GAP_MS) return;
    last = Date.now();
    inflight = (async () => {
        try {
            const d = await api.get('/todo');
            todo.groups = d.groups || [];
            todo.total = d.total || 0;
            todo.error = '';
        } catch (e) {
            todo.error = '待办加载失败';
        } finally {
            todo.loaded = true;
            inflight = null;
        }
    })();
    return inflight;
}

// The page that opens one record of the entity: the pages of their own
// (a hazard's, a campaign's, the reviewers' scoring, the phone visit form
// of a household), else the generic detail.
export function itemRoute(entity, id) {
    switch (entity) {
        case 'hazards':
            return `/hazards/${id}`;
        case 'campaigns':
            return `/campaigns/${id}`;
        case 'evaluations':
            return `/evaluations/${id}/score`;
        case 'care_households':
            return { path: '/m/visits', query: { household: String(id) } };
        default:
            return `/e/${entity}/${id}`;
    }
}

// The group's filtered list.
export function listRoute(link) {
    const query = {};
    for (const [k, v] of new URLSearchParams(link.query || '')) query[k] = v;
    return { path: `/e/${link.entity}`, query };
}

// The groups with something to do.
export const activeGroups = () => todo.groups.filter((g) => g.count > 0);

export function useTodo() {
    const route = useRoute();
    onMounted(() => {
        users++;
        refreshTodo(true);
        if (!timer) timer = setInterval(() => refreshTodo(true), REFRESH_MS);
    });
    onBeforeUnmount(() => {
        if (--users <= 0 && timer) {
            clearInterval(timer);
            timer = null;
        }
    });
    watch(
        () => route.fullPath,
        () => refreshTodo(),
    );
    watch(
        () => state.user && state.user.username,
        (u, old) => {
            if (u !== old) {
                todo.groups = [];
                todo.total = 0;
                todo.loaded = false;
                if (u) refreshTodo(true);
            }
        },
    );
    return { todo, refreshTodo, itemRoute, listRoute, activeGroups };
}
