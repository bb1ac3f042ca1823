// The region and year of a statistics page, kept in the URL (?region=&year=)
// so that a drill-down is a history step the back button undoes; the header's
// region switcher moves the page too. load() fetches the declared figures and
// GET /stats (only the sections asked for, when given) and hands both to the
// page's draw(); an older answer never overwrites a newer one. The year is
// the shared period (period.js): a year chosen here is the year of 工作总结 and
// the hazard board, and a page without one opens on GET /stats/years' default.
import { ref, shallowRef, computed, watch, nextTick } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from '../api.js';
import { state } from '../store.js';
import { showError, loadingRef } from '../util.js';
import { initialRegion, initialYear, loadFigures, currentYear } from '../views/stats/stats.js';
import { queryYear, storedYear, setYear, initialPeriodYear, yearChoices } from '../period.js';

export function useStatsPage({ routeName, sections = null, draw = () => {} }) {
    const route = useRoute();
    const router = useRouter();
    const region = ref(initialRegion(route.query));
    const year = ref(queryYear(route.query) || storedYear() || currentYear());
    const years = computed(() => yearChoices(year.value));
    let periodReady = false;
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
            if (!periodReady) {
                // The first load settles the year: ?year=, the kept one, or
                // the server's default, written into the address.
                periodReady = true;
                const y = await initialPeriodYear(route.query, region.value);
                if (my !== seq) return;
                year.value = y;
                if (route.name === routeName && route.query.year !== String(y))
                    router.replace({ query: { ...route.query, region: region.value, year: String(y) } });
            }
            setYear(year.value);
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
