// The menu: built from the user's permissions. Business entities come from
// GET /meta/entities; the administration pages are listed here with the
// permission each needs (the server checks them again).
import { computed } from 'vue';
import { can, businessEntities, state } from './store.js';
import { canReadSections } from './views/stats/stats.js';
import { useMobile } from './util.js';

// The statistics sections of the incidents module (GET /stats/figures keys).
export const INJURY_SECTIONS = ['incidents', 'injuries'];

export const ADMIN_PAGES = [
    { path: '/admin/users', name: 'admin-users', title: '用户管理', icon: 'User', perm: 'user:admin' },
    { path: '/admin/roles', name: 'admin-roles', title: '角色权限', icon: 'Lock', perm: 'role:admin' },
    { path: '/admin/regions', name: 'admin-regions', title: '行政区域', icon: 'Location', perm: 'region:write' },
    { path: '/admin/dicts', name: 'admin-dicts', title: '数据字典', icon: 'Collection', perm: 'dict:admin' },
    { path: '/admin/calendar', name: 'admin-calendar', title: '工作日历', icon: 'Calendar', perm: 'calendar:admin' },
    { path: '/admin/audit', name: 'admin-audit', title: '审计日志', icon: 'Document', perm: 'audit:read' },
    { path: '/admin/login-log', name: 'admin-login-log', title: '登录日志', icon: 'Key', perm: 'audit:read' },
];

// Business pages of their own, after the entity lists; show() narrows a
// permission further (the board is not for a unit's officer).
export const BIZ_PAGES = [
    {
        path: '/hazards/board',
        name: 'hazard-board',
        title: '隐患看板',
        icon: 'Document',
        perm: 'hazard:read',
        show: () => state.user && state.user.role !== 'unit_officer',
    },
    { path: '/hazards/map', name: 'hazard-map', title: '隐患地图', icon: 'MapLocation', perm: 'hazard:read' },
    { path: '/m/report', name: 'mobile-report', title: '隐患上报', icon: 'Upload', perm: 'hazard:write' },
    { path: '/m/visits', name: 'mobile-visits', title: '走访任务', icon: 'Calendar', perm: 'care:write' },
    { path: '/campaigns/board', name: 'campaign-board', title: '创建进度看板', icon: 'DataLine', perm: 'campaign:read' },
    { path: '/stats', name: 'stats', title: '统计分析', icon: 'DataAnalysis', perm: 'report:read' },
    {
        path: '/stats/injuries',
        name: 'stats-injuries',
        title: '事故伤害统计',
        icon: 'DataLine',
        perm: 'report:read',
        show: () => canReadSections(INJURY_SECTIONS),
    },
    {
        path: '/letters/coverage',
        name: 'letter-coverage',
        title: '责任书签订情况',
        icon: 'Document',
        perm: 'responsibility_letter:read',
        show: () => state.user && state.user.role !== 'unit_officer',
    },
    { path: '/reports/work-summary', name: 'report-work-summary', title: '工作总结', icon: 'Notebook', perm: 'report:read' },
    { path: '/risks/map', name: 'risk-map', title: '风险四色图', icon: 'MapLocation', perm: 'risk:read' },
    { path: '/reports/dossier', name: 'report-dossier', title: '评审档案', icon: 'Download', perm: 'report:read' },
    { path: '/evaluations/score', name: 'evaluation-score-list', title: '现场评分', icon: 'Tickets', perm: 'evaluation:score' },
];

// On a phone the menu keeps what is done in the field: the lists of these
// entities, the pages marked phone below, and no administration (an
// administrator's desk work); the rest stays one desktop away.
export const PHONE_ENTITIES = ['hazards', 'inspections', 'care_households', 'care_visits'];
export const PHONE_PAGES = ['hazard-board', 'mobile-report', 'mobile-visits'];
const mobile = useMobile();

export const menu = computed(() => (mobile.value ? phoneMenu(fullMenu.value) : fullMenu.value));

function phoneMenu(groups) {
    const keep = new Set([...PHONE_ENTITIES.map((n) => `e-${n}`), ...PHONE_PAGES]);
    const out = [];
    for (const g of groups) {
        if (!g.children) out.push(g);
        else if (g.key === 'biz') {
            const children = g.children.filter((c) => keep.has(c.key));
            if (children.length) out.push({ ...g, children });
        }
    }
    return out;
}

const fullMenu = computed(() => {
    const groups = [{ key: 'home', title: '首页', icon: 'HomeFilled', path: '/' }];
    const biz = businessEntities.value.map((e) => ({
        key: `e-${e.name}`,
        title: e.label,
        path: `/e/${e.name}`,
        icon: 'Tickets',
    }));
    for (const p of BIZ_PAGES) if (can(p.perm) && (!p.show || p.show())) biz.push({ key: p.name, title: p.title, path: p.path, icon: p.icon });
    if (biz.length) groups.push({ key: 'biz', title: '业务管理', icon: 'Files', children: biz });
    const admin = ADMIN_PAGES.filter((p) => can(p.perm)).map((p) => ({
        key: p.name,
        title: p.title,
        path: p.path,
        icon: p.icon,
    }));
    if (admin.length) groups.push({ key: 'admin', title: '系统管理', icon: 'Setting', children: admin });
    return groups;
});
