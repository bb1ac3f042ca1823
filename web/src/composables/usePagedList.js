// A server-paged list (GET path?...&page=&page_size= → {items, total}): the
// rows, the pager's page and page size, the total and the loading flag.
// query() gives the filter parameters of a request; search() is what a
// filter change does (back to page 1, then load), load() what a page change
// does; a change of what `reloadOn` returns (e.g. the top bar's region) is a
// filter change too. A failed load shows `errorText` with the server's message.
//
//   const { rows, total, page, pageSize, loading, load, search } =
//       usePagedList('/audit', () => ({ user: f.user }), { errorText: '审计日志加载失败' });
//   <el-pagination v-model:current-page="page" v-model:page-size="pageSize"
//       :total="total" @current-change="load" @size-change="search" />
import { ref, watch, onMounted } from 'vue';
import { api } from '../api.js';
import { showError, loadingRef } from '../util.js';

export function usePagedList(path, query, { pageSize = 20, errorText = '加载失败', immediate = true, reloadOn = null } = {}) {
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const size = ref(pageSize);
    const loading = loadingRef();
    // Only the latest request's answer is shown (a slow earlier page must
    // not overwrite a later filter's rows).
    let seq = 0;

    async function load() {
        const my = ++seq;
        loading.value = true;
        try {
            const d = await api.get(path, { ...query(), page: page.value, page_size: size.value });
            if (my !== seq) return;
            rows.value = d.items || [];
            total.value = d.total ?? rows.value.length;
        } catch (e) {
            if (my === seq) showError(e, errorText);
        } finally {
            if (my === seq) loading.value = false;
        }
    }

    function search() {
        page.value = 1;
        return load();
    }

    if (reloadOn) watch(reloadOn, search);
    if (immediate) onMounted(load);
    return { rows, total, page, pageSize: size, loading, load, search };
}
