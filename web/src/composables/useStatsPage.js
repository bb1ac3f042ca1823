// The region and year of a statistics page, kept in the URL (?region=&year=)
// so that a drill-down is a history step the back button undoes; the header's
// region switcher moves the page too. load() fetches the declared figures and
// GET /stats (only the sections asked for, when given) and hands both to the
// page's draw(); an older answer never overwrites a newer one.
import { ref, shallowRef, watch, nextTick } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from '../api.js';
import { state } from '../store.js';
import { showError, loadingRef } from '../util.js';
import { yearOptions, initialRegion, initialYear, loadFigures } from '../views/stats/stats.js';

export function useStatsPage({ routeName, sections = null, draw = () => {} }) {
    const route = useRoute();
    const router = useRouter();
    const years = yearOptions();
    const region = ref(initialRegion(route.query));
    const year = ref(initialYear(route.query));
    if (!years.includes(year.value)) years.push(year.value);
    const data = ref(null);
    const figs = shallowRef(null); // indexFigures(GET /stats/figures)
    const loading = loadingRef();
    const busy = ref(false);
    const failed = ref(false);
    const loads = ref(0);
    let seq = 0;

    async function load() {
        if (!region.value) return;
        const my = ++seq;
        loading.value = true;
        busy.value = true;
        try {
            const query = { region: region.value, year: year.value };
            if (sections) query.sections = sections;
            const [f, d] = await Promise.all([loadFigures(), api.get('/stats', query)]);
            if (my !== seq) return;
            figs.value = f;
            data.value = d;
            failed.value = false;
            await nextTick();
            draw();
        } catch (e) {
            if (my !== seq) return;
            failed.value = true;
            data.value = null;
            showError(e, '统计加载失败');
        } finally {
            if (my === seq) {
                loading.value = false;
                busy.value = false;
                loads.value++;
            }
        }
    }

    function go(r, y) {
        if (!r) return;
        const q = { ...route.query, region: r, year: String(y) };
        if (route.query.region === q.region && route.query.year === q.year) {
            region.value = r;
            year.value = Number(y);
            load();
            return;
        }
        router.push({ query: q });
    }

    watch(
        () => [route.query.region, route.query.year],
        ([r, y]) => {
            if (route.name !== routeName) return;
            const nr = (typeof r === 'string' && r) || region.value;
            const ny = y ? initialYear({ year: y }) : year.value;
            if (nr === region.value && ny === year.value) return;
            region.value = nr;
            year.value = ny;
            if (!years.includes(ny)) years.push(ny);
            load();
        },
    );

    watch(
        () => state.region,
        (c) => {
            if (c && c !== region.value) go(c, year.value);
        },
    );

    return { route, router, years, region, year, data, figs, loading, busy, failed, loads, load, go };
}
