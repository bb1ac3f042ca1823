import { createRouter, createWebHistory } from 'vue-router';
import { state, can, loadSession, loadEntities, loadRegions, entityMeta } from './store.js';
import { ADMIN_PAGES } from './nav.js';
import { safeRedirect } from './util.js';
import { loadFigures } from './views/stats/stats.js';

import AppLayout from './layouts/AppLayout.vue';
import LoginView from './views/LoginView.vue';
import PasswordView from './views/PasswordView.vue';
import EntityList from './views/EntityList.vue';
import NotFound from './views/NotFound.vue';

// The login page, the layout and the generic list load at once; the other
// pages (and ECharts with the home page) load when first opened.
const HomeView = () => import('./views/HomeView.vue');
const EntityDetail = () => import('./views/EntityDetail.vue');
const AccountView = () => import('./views/AccountView.vue');
const UsersView = () => import('./views/admin/UsersView.vue');
const RolesView = () => import('./views/admin/RolesView.vue');
const RegionsView = () => import('./views/admin/RegionsView.vue');
const DictsView = () => import('./views/admin/DictsView.vue');
const CalendarView = () => import('./views/admin/CalendarView.vue');
const AuditView = () => import('./views/admin/AuditView.vue');
const LoginLogView = () => import('./views/admin/LoginLogView.vue');
const HazardMap = () => import('./views/hazard/HazardMap.vue');
const HazardDetail = () => import('./views/hazard/HazardDetail.vue');
const HazardBoard = () => import('./views/hazard/HazardBoard.vue');
const MobileReport = () => import('./views/hazard/MobileReport.vue');
const MobileVisits = () => import('./views/registry/MobileVisits.vue');
const StatsView = () => import('./views/stats/StatsView.vue');
const WorkSummary = () => import('./views/stats/WorkSummary.vue');
const InjuryStats = () => import('./views/stats/InjuryStats.vue');
const LetterCoverage = () => import('./views/org/LetterCoverage.vue');
const CampaignBoard = () => import('./views/campaign/CampaignBoard.vue');
const CampaignDetail = () => import('./views/campaign/CampaignDetail.vue');
const ScoreView = () => import('./views/evaluation/ScoreView.vue');
const DossierView = () => import('./views/evaluation/DossierView.vue');
const RiskMap = () => import('./views/evaluation/RiskMap.vue');

const adminComponents = {
    'admin-users': UsersView,
    'admin-roles': RolesView,
    'admin-regions': RegionsView,
    'admin-dicts': DictsView,
    'admin-calendar': CalendarView,
    'admin-audit': AuditView,
    'admin-login-log': LoginLogView,
};

// Pages a user may open with a read permission even when the menu entry
// (which needs the administration permission) is hidden from them.
const readPerm = {
    'admin-regions': 'region:read',
    'admin-dicts': 'dict:read',
    'admin-calendar': 'calendar:read',
};

const routes = [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: '登录' } },
    { path: '/password', name: 'password', component: PasswordView, meta: { title: '修改密码' } },
    // The phone page of a village worker, outside the desktop layout.
    { path: '/m/report', name: 'mobile-report', component: MobileReport, meta: { title: '隐患上报', perm: 'hazard:write' } },
    // A village worker's scheduled visits, on a phone.
    { path: '/m/visits', name: 'mobile-visits', component: MobileVisits, meta: { title: '走访任务', perm: 'care:write' } },
    {
        path: '/',
        component: AppLayout,
        children: [
            { path: '', name: 'home', component: HomeView, meta: { title: '首页', affix: true } },
            { path: 'e/:entity', name: 'entity-list', component: EntityList, meta: { group: '业务管理' } },
            { path: 'e/:entity/:id', name: 'entity-detail', component: EntityDetail, meta: { group: '业务管理' } },
            { path: 'account', name: 'account', component: AccountView, meta: { title: '我的账户' } },
            // Entities with a page of their own: the generic list's detail
            // link (/e/<entity>/<id>) is sent there.
            { path: 'e/hazards/:id', redirect: (to) => `/hazards/${to.params.id}` },
            { path: 'e/campaigns/:id', redirect: (to) => `/campaigns/${to.params.id}` },
            { path: 'campaigns/board', name: 'campaign-board', component: CampaignBoard, meta: { title: '创建进度看板', group: '业务管理', perm: 'campaign:read' } },
            {
                path: 'campaigns/:id',
                name: 'campaign-detail',
                component: CampaignDetail,
                meta: { title: (r) => `创建活动 #${r.params.id}`, group: '业务管理', perm: 'campaign:read' },
            },
            { path: 'hazards/map', name: 'hazard-map', component: HazardMap, meta: { title: '隐患地图', group: '业务管理', perm: 'hazard:read' } },
            { path: 'hazards/board', name: 'hazard-board', component: HazardBoard, meta: { title: '隐患看板', group: '业务管理', perm: 'hazard:read' } },
            { path: 'risks/map', name: 'risk-map', component: RiskMap, meta: { title: '风险四色图', group: '业务管理', perm: 'risk:read' } },
            { path: 'reports/dossier', name: 'report-dossier', component: DossierView, meta: { title: '评审档案', group: '业务管理', perm: 'report:read' } },
            { path: 'evaluations/score', name: 'evaluation-score-list', component: ScoreView, meta: { title: '现场评分', group: '业务管理', perm: 'evaluation:score' } },
            { path: 'evaluations/:id/score', name: 'evaluation-score', component: ScoreView, meta: { title: '现场评分', group: '业务管理', perm: 'evaluation:score' } },
            { path: 'stats', name: 'stats', component: StatsView, meta: { title: '统计分析', group: '业务管理', perm: 'report:read' } },
            {
                path: 'stats/injuries',
                name: 'stats-injuries',
                component: InjuryStats,
                meta: { title: '事故伤害统计', group: '业务管理', perm: 'report:read' },
            },
            {
                path: 'letters/coverage',
                name: 'letter-coverage',
                component: LetterCoverage,
                meta: { title: '责任书签订情况', group: '业务管理', perm: 'responsibility_letter:read' },
            },
            {
                path: 'reports/work-summary',
                name: 'report-work-summary',
                component: WorkSummary,
                meta: { title: '工作总结', group: '业务管理', perm: 'report:read' },
            },
            {
                path: 'hazards/:id',
                name: 'hazard-detail',
                component: HazardDetail,
                meta: { title: (r) => `隐患详情 #${r.params.id}`, group: '业务管理', perm: 'hazard:read' },
            },
            ...ADMIN_PAGES.map((p) => ({
                path: p.path.slice(1),
                name: p.name,
                component: adminComponents[p.name],
                meta: { title: p.title, group: '系统管理', perm: readPerm[p.name] || p.perm },
            })),
            { path: 'forbidden', name: 'forbidden', component: NotFound, meta: { title: '无权访问', forbidden: true } },
            { path: ':pathMatch(.*)*', name: 'not-found', component: NotFound, meta: { title: '页面不存在' } },
        ],
    },
];

const router = createRouter({
    history: createWebHistory(),
    routes,
});


router.beforeEach(async (to) => {
    if (!state.checked) {
        try {
            await loadSession();
        } catch {
            state.checked = true; // server unreachable: the login page says so
        }
    }
    if (to.meta.public) {
        if (state.user && to.name === 'login') return safeRedirect(to.query.redirect);
        return true;
    }
    if (!state.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    if (state.user.must_change_password) {
        if (to.name === 'password') return true;
        return { name: 'password', query: { redirect: to.fullPath } };
    }
    if (to.name === 'password') return { name: 'account' };
    try {
        // The declared figures decide which statistics pages the menu offers;
        // not waited for (the menu follows when they arrive).
        if (can('report:read')) loadFigures().catch(() => {});
        await Promise.all([loadEntities(), loadRegions()]);
    } catch (e) {
        if (!state.user) return { name: 'login', query: { redirect: to.fullPath } };
        if (state.user.must_change_password) return { name: 'password', query: { redirect: to.fullPath } };
        // Otherwise let the page show what it can.
    }
    if (to.meta.perm && !can(to.meta.perm)) return { name: 'forbidden' };
    if (to.name === 'entity-list' || to.name === 'entity-detail') {
        const m = entityMeta(to.params.entity);
        if (!m || !can(`${m.permission}:read`)) return { name: 'not-found', params: { pathMatch: to.path.slice(1).split('/') } };
    }
    return true;
});

// A page chunk that no longer exists (the UI was rebuilt while this tab was
// open): load the page afresh.
router.onError((err, to) => {
    const msg = String((err && err.message) || err);
    if (/dynamically imported module|Importing a module script failed|Unable to preload CSS/.test(msg) && to)
        window.location.assign(to.fullPath);
});

export default router;
