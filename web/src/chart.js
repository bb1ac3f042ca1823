// The bar charts of the console (home page, hazard board): the tree-shaken
// ECharts build, one chart per element, created on first draw, resized with
// the window and disposed with the component that called useBarChart.
import { ref, onMounted, onBeforeUnmount } from 'vue';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

// Returns { el, draw }: bind el as the chart element's ref; draw(option)
// sets the option (creating the chart first, then calling onCreate(chart)
// once, e.g. to add click handlers); draw(option, true) replaces the previous
// option instead of merging. draw is a no-op until el is mounted. Pages with
// other chart types register them with echarts.use (see StatsView).
export function useBarChart(onCreate) {
    const el = ref(null);
    let chart = null;
    const resize = () => chart && chart.resize();
    onMounted(() => window.addEventListener('resize', resize));
    onBeforeUnmount(() => {
        window.removeEventListener('resize', resize);
        if (chart) chart.dispose();
        chart = null;
    });
    function draw(option, notMerge = false) {
        if (!el.value) return;
        // The element was replaced (a v-if went off and on): start afresh.
        if (chart && chart.getDom() !== el.value) {
            chart.dispose();
            chart = null;
        }
        if (!chart) {
            chart = echarts.init(el.value);
            if (onCreate) onCreate(chart);
        }
        chart.setOption(option, notMerge);
    }
    return { el, draw };
}
