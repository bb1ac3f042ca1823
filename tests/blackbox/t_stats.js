'use strict';
// Statistics and the year-end work summary: GET /api/v1/stats against direct
// counts in the database, the per-child breakdown against each child's own
// subtree, scope and permissions (a section per module's read permission),
// bad input, the Excel export, and the summary in its four formats (and the
// console's JSON), from the API and from `safecomm report`. Both backends.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const lib = require('./lib');
const { test, assert, assertStatus, assertError, sqlite, cli, cliRun, assertExit, unzip, xlsxText, xlsxCells, isXlsx } = lib;

const COUNTY = '511621000000';
const TOWN = '511621101000'; // 九龙镇
const OTHER_TOWN = '511621102000';
const VILLAGE = '511621101001';

async function token(db, username) {
    return (await cli(['token', 'create', '--db', db, '--username', username])).stdout.trim();
}

const num = async (db, sql) => Number((await sqlite(db, sql)).trim());

// The subtree of a code as SQL, the way the server scopes: a code range.
function within(code) {
    const lvl = code.endsWith('000000000') ? 3 : code.endsWith('000000') ? 6 : code.endsWith('000') ? 9 : 12;
    const prefix = code.slice(0, lvl);
    return `deleted_at IS NULL AND region LIKE '${prefix}%'`;
}

function pct(n, d) {
    if (!d) return '—';
    const pm = Math.floor((n * 1000 + Math.floor(d / 2)) / d);
    return `${Math.floor(pm / 10)}.${pm % 10}%`;
}

test('stats: every figure of a county and a township equals a direct count; children add up to their own subtrees', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    for (const region of [COUNTY, TOWN]) {
        const r = await s.admin('GET', `/api/v1/stats?region=${region}&year=2025`);
        assertStatus(r, 200, `stats of ${region}`);
        const st = r.json;
        assert.strictEqual(st.as_of, '2025-12-31', 'a past year is taken at its end');
        assert.deepStrictEqual([...st.sections].sort(), ['activities', 'campaign_funds', 'campaign_targets', 'campaigns', 'care', 'care_visits', 'dangerous_houses', 'disputes', 'donations', 'hazards', 'help_education', 'help_visits', 'incidents', 'injuries', 'inspections', 'letters', 'meetings', 'org_members', 'organisation', 'projects', 'supervision_findings', 'supervisions', 'surveys', 'units', 'volunteer_services', 'volunteer_teams', 'volunteers']);
        const w = within(region);
        const y = "BETWEEN '2025-01-01' AND '2025-12-31'";
        const h = st.hazards;
        assert.strictEqual(h.found, await num(c.db, `SELECT count(*) FROM hazards WHERE ${w} AND found_at ${y}`), 'found');
        assert.ok(h.found > 0, 'the demo has hazards in 2025');
        assert.strictEqual(h.found_prev, await num(c.db, `SELECT count(*) FROM hazards WHERE ${w} AND found_at BETWEEN '2024-01-01' AND '2024-12-31'`), 'found_prev');
        assert.strictEqual(h.closed, await num(c.db, `SELECT count(*) FROM hazards WHERE ${w} AND found_at ${y} AND state = 'closed' AND closed_on <= '2025-12-31'`), 'closed');
        assert.strictEqual(h.closed_on_time, await num(c.db, `SELECT count(*) FROM hazards WHERE ${w} AND found_at ${y} AND state = 'closed' AND closed_on <= '2025-12-31' AND closed_on <= deadline`), 'closed_on_time');
        assert.strictEqual(h.overdue_at_end, await num(c.db, `SELECT count(*) FROM hazards WHERE ${w} AND found_at <= '2025-12-31' AND (state <> 'closed' OR closed_on > '2025-12-31') AND state <> 'awaiting_acceptance' AND deadline < '2025-12-31'`), 'overdue_at_end');
        assert.strictEqual(h.major, await num(c.db, `SELECT count(*) FROM hazards WHERE ${w} AND found_at ${y} AND grade = 'major'`), 'major');
        assert.strictEqual(h.supervised, await num(c.db, `SELECT count(*) FROM hazards WHERE ${w} AND supervised_on ${y}`), 'supervised');
        assert.strictEqual(h.rectification_rate, Math.round((h.closed / h.found) * 10000) / 10000, 'rate from the counts');
        assert.strictEqual(h.by_month.reduce((a, b) => a + b, 0), h.found, 'months add up to found');
        assert.strictEqual(h.by_grade.reduce((a, b) => a + b.count, 0), h.found, 'grades add up to found');
        const fire = h.by_domain.find((d) => d.code === 'fire');
        assert.strictEqual(fire.label, '消防安全', 'a domain carries its dictionary label');
        assert.strictEqual(fire.count, await num(c.db, `SELECT count(*) FROM hazards WHERE ${w} AND found_at ${y} AND domain = 'fire'`), 'fire hazards');
        const a = st.activities;
        assert.strictEqual(a.count, await num(c.db, `SELECT count(*) FROM activities WHERE ${w} AND held_on ${y}`), 'activities');
        assert.strictEqual(a.participants, await num(c.db, `SELECT COALESCE(SUM(participants), 0) FROM activities WHERE ${w} AND held_on ${y}`), 'participants');
        assert.strictEqual(a.by_kind.reduce((x, k) => x + k.participants, 0), a.participants, 'kinds add up to participants');
        assert.strictEqual(st.inspections.count, await num(c.db, `SELECT count(*) FROM inspections WHERE ${w} AND held_on ${y}`), 'inspections');
        assert.strictEqual(st.volunteers.total, await num(c.db, `SELECT count(*) FROM volunteers WHERE ${w} AND (joined_on IS NULL OR joined_on <= '2025-12-31')`), 'volunteers');
        assert.strictEqual(st.volunteers.new, await num(c.db, `SELECT count(*) FROM volunteers WHERE ${w} AND joined_on ${y}`), 'new volunteers');
        assert.strictEqual(st.units.key, await num(c.db, `SELECT count(*) FROM units WHERE ${w} AND key_unit = 1`), 'key units');
        assert.strictEqual(st.care.total, await num(c.db, `SELECT count(*) FROM care_households WHERE ${w}`), 'care households');
        // Issue 14: teams are records; hours are the service records'; letters by their year.
        assert.strictEqual(st.volunteer_teams.total, await num(c.db, `SELECT count(*) FROM volunteer_teams WHERE ${w} AND (founded_on IS NULL OR founded_on <= '2025-12-31')`), 'teams');
        assert.strictEqual(Math.round(st.volunteer_services.hours * 10), await num(c.db, `SELECT CAST(ROUND(COALESCE(SUM(hours), 0) * 10) AS INTEGER) FROM volunteer_services WHERE ${w} AND served_on ${y}`), 'service hours');
        assert.strictEqual(st.letters.total, await num(c.db, `SELECT count(*) FROM responsibility_letters WHERE ${w} AND year = 2025`), 'letters');
        assert.strictEqual(st.letters.village, await num(c.db, `SELECT count(*) FROM responsibility_letters WHERE ${w} AND year = 2025 AND party = 'village'`), 'village letters');
        assert.strictEqual(st.letters.units_signed, await num(c.db, `SELECT count(DISTINCT unit_id) FROM responsibility_letters WHERE ${w} AND year = 2025 AND party = 'unit'`), 'units signed');
        assert.strictEqual(st.organisation.work_groups, await num(c.db, `SELECT count(*) FROM committees WHERE ${w} AND kind = 'work_group' AND (established_on IS NULL OR established_on <= '2025-12-31')`), 'working groups');
        assert.strictEqual(st.org_members.total, await num(c.db, `SELECT count(*) FROM committee_members WHERE ${w}`), 'members');
        assert.strictEqual(st.meetings.count, await num(c.db, `SELECT count(*) FROM meetings WHERE ${w} AND held_on ${y}`), 'meetings');
        assert.strictEqual(st.donations.count, await num(c.db, `SELECT count(*) FROM donations WHERE ${w} AND donated_on ${y}`), 'donations');
        assert.strictEqual(st.surveys.knowledge_sample, await num(c.db, `SELECT COALESCE(SUM(sample), 0) FROM surveys WHERE ${w} AND conducted_on ${y} AND kind = 'knowledge'`), 'survey sample');
        assert.strictEqual(st.activities.drug_free, await num(c.db, `SELECT count(*) FROM activities WHERE ${w} AND held_on ${y} AND for_drug_free = 1`), 'drug-free activities');
        const cp = st.campaigns;
        assert.strictEqual(cp.total, await num(c.db, `SELECT count(*) FROM campaigns WHERE ${w} AND started_on <= '2025-12-31'`), 'campaigns');
        assert.strictEqual(cp.named, await num(c.db, `SELECT count(*) FROM campaigns WHERE ${w} AND named_on <= '2025-12-31'`), 'campaigns named');
        assert.strictEqual(cp.filed, await num(c.db, `SELECT count(*) FROM campaigns WHERE ${w} AND filed_on <= '2025-12-31'`), 'campaigns filed');
        assert.strictEqual(cp.late, await num(c.db, `SELECT count(*) FROM campaigns c WHERE ${w.replace(/\bregion\b/g, 'c.region').replace(/\bdeleted_at\b/g, 'c.deleted_at')} AND c.started_on <= '2025-12-31' AND EXISTS (SELECT 1 FROM campaign_steps s WHERE s.campaign_id = c.id AND s.planned_on < '2025-12-31' AND (s.done_on IS NULL OR s.done_on > '2025-12-31'))`), 'campaigns late');
        assert.strictEqual(cp.safe_steps_done, await num(c.db, `SELECT count(*) FROM campaign_steps s JOIN campaigns c ON c.id = s.campaign_id WHERE ${w.replace(/\bregion\b/g, 'c.region').replace(/\bdeleted_at\b/g, 'c.deleted_at')} AND c.type = 'safe' AND c.started_on <= '2025-12-31' AND s.done_on <= '2025-12-31'`), 'safe steps done');
        assert.strictEqual(cp.by_type.reduce((x, k) => x + k.count, 0), cp.total, 'types add up to the campaigns');
        assert.strictEqual(st.campaign_funds.amount, await num(c.db, `SELECT COALESCE(SUM(amount), 0) FROM campaign_funds WHERE ${w} AND given_on ${y}`), 'funds');
        assert.strictEqual(st.supervisions.count, await num(c.db, `SELECT count(*) FROM supervisions WHERE ${w} AND held_on ${y}`), 'supervisions');
        assert.strictEqual(st.supervision_findings.closed, await num(c.db, `SELECT count(*) FROM supervision_findings WHERE ${w} AND found_on ${y} AND state = 'closed' AND closed_on <= '2025-12-31'`), 'findings closed');
        assert.strictEqual(st.projects.count, await num(c.db, `SELECT count(*) FROM projects WHERE ${w} AND year = 2025`), 'promotion projects');
        assert.strictEqual(st.projects.items.length, st.projects.count, 'one item per project');
        // Each child against its own subtree.
        const kids = await num(c.db, `SELECT count(*) FROM regions WHERE parent = '${region}'`);
        assert.strictEqual(st.children.length, kids, 'one row per child region');
        for (const ch of st.children.slice(0, 3)) {
            const cw = within(ch.code);
            assert.strictEqual(ch.hazards_found, await num(c.db, `SELECT count(*) FROM hazards WHERE ${cw} AND found_at ${y}`), `${ch.name}: hazards`);
            assert.strictEqual(ch.activities, await num(c.db, `SELECT count(*) FROM activities WHERE ${cw} AND held_on ${y}`), `${ch.name}: activities`);
            assert.strictEqual(ch.volunteers, await num(c.db, `SELECT count(*) FROM volunteers WHERE ${cw} AND (joined_on IS NULL OR joined_on <= '2025-12-31')`), `${ch.name}: volunteers`);
        }
    }
    // A new record moves its figures, through the real write path.
    const before = (await s.admin('GET', `/api/v1/stats?region=${TOWN}&year=2025`)).json;
    assertStatus(await s.admin('POST', '/api/v1/hazards', { body: { region: VILLAGE, title: '统计测试隐患', domain: 'gas', grade: 'major', found_at: '2025-03-05' } }), 201, 'POST hazard');
    assertStatus(await s.admin('POST', '/api/v1/activities', { body: { region: VILLAGE, title: '统计测试培训', kind: 'training', held_on: '2025-03-06', participants: 37 } }), 201, 'POST activity');
    const after = (await s.admin('GET', `/api/v1/stats?region=${TOWN}&year=2025`)).json;
    assert.strictEqual(after.hazards.found, before.hazards.found + 1, 'found +1');
    assert.strictEqual(after.hazards.major, before.hazards.major + 1, 'major +1');
    assert.strictEqual(after.hazards.by_month[2], before.hazards.by_month[2] + 1, 'March +1');
    assert.strictEqual(after.activities.participants, before.activities.participants + 37, 'participants +37');
    const v = after.children.find((x) => x.code === VILLAGE);
    assert.strictEqual(v.hazards_found, before.children.find((x) => x.code === VILLAGE).hazards_found + 1, 'the village row +1');
    // The year before and the year after.
    const y2024 = (await s.admin('GET', `/api/v1/stats?region=${TOWN}&year=2026`)).json;
    assert.strictEqual(y2024.hazards.found_prev, after.hazards.found, '2026 compares with 2025');
});

test('stats: scope, section permissions and bad input', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const town = await token(c.db, 'town');
    const village = await token(c.db, 'village');
    assertStatus(await s.api('GET', `/api/v1/stats?region=${TOWN}&year=2025`, { token: town }), 200, 'town: its township');
    const dflt = await s.api('GET', '/api/v1/stats?year=2025', { token: town });
    assertStatus(dflt, 200, 'town: default region');
    assert.strictEqual(dflt.json.region.code, TOWN, 'the default region is the caller\'s');
    assert.strictEqual(dflt.json.region.name, '九龙镇');
    assertStatus(await s.api('GET', `/api/v1/stats?region=${COUNTY}&year=2025`, { token: town }), 404, 'town: the county is outside');
    assertStatus(await s.api('GET', `/api/v1/stats?region=${OTHER_TOWN}&year=2025`, { token: town }), 404, 'town: another township');
    assertStatus(await s.api('GET', `/api/v1/reports/work-summary?region=${OTHER_TOWN}&year=2025&format=md`, { token: town }), 404, 'town: another township\'s summary');
    assertStatus(await s.api('GET', `/api/v1/stats/export.xlsx?region=${OTHER_TOWN}&year=2025`, { token: town }), 404, 'town: another township\'s export');
    const vr = await s.api('GET', `/api/v1/stats?region=${VILLAGE}&year=2025`, { token: village });
    assertStatus(vr, 200, 'village worker: own village');
    // A reviewer reads volunteers, activities and incidents, and the injuries' figures (never the
    // cases), never hazards or the care registry.
    const rev = await s.createUser('st-reviewer', 'reviewer', TOWN);
    const rr = await s.api('GET', `/api/v1/stats?region=${TOWN}&year=2025`, { token: rev });
    assertStatus(rr, 200, 'reviewer');
    assert.deepStrictEqual(rr.json.sections, ['activities', 'volunteers', 'volunteer_teams', 'volunteer_services', 'incidents', 'injuries', 'campaigns', 'campaign_targets', 'campaign_funds', 'supervisions', 'supervision_findings', 'projects', 'organisation', 'org_members', 'meetings', 'letters', 'donations', 'surveys'], 'reviewer sections');
    assert.ok(!('hazards' in rr.json) && !('care' in rr.json), 'no hazard or care figures for a reviewer');
    assert.ok(!('hazards_found' in rr.json.children[0]), 'no hazard column in the children either');
    const rmd = await s.api('GET', `/api/v1/reports/work-summary?region=${TOWN}&year=2025&format=md`, { token: rev });
    assertStatus(rmd, 200, 'reviewer: summary');
    assert.ok(!rmd.text.includes('隐患排查和整治') && !rmd.text.includes('关爱对象'), 'the reviewer\'s summary leaves out what the reviewer cannot read');
    assert.ok(rmd.text.includes('宣传教育培训'), 'and keeps what the reviewer can read');
    const police = await s.createUser('st-police', 'police', TOWN);
    assertStatus(await s.api('GET', `/api/v1/stats?region=${TOWN}&year=2025`, { token: police }), 403, 'police: no report:read');
    // Bad input names the parameter.
    assertError(await s.admin('GET', `/api/v1/stats?region=${TOWN}&year=abc`), 400, 'year', 'year=abc');
    assertError(await s.admin('GET', `/api/v1/stats?region=${TOWN}&year=1800`), 400, 'year', 'year=1800');
    assertError(await s.admin('GET', '/api/v1/stats?region=12345&year=2025'), 400, 'region', 'region=12345');
    assertError(await s.admin('GET', `/api/v1/reports/work-summary?region=${TOWN}&year=2025&format=exe`), 400, 'format', 'format=exe');
    const none = await s.admin('GET', '/api/v1/stats?region=511621199000&year=2025');
    assertStatus(none, 404, 'a region that does not exist');
    assert.match(none.json.error.message, /区域不存在/);
});

test('stats: ?sections= answers only the sections asked for, each the same as in the whole answer', { timeout: 60000 }, async (ctx) => {
    const s = await ctx.serverWith();
    const all = (await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025`)).json;
    const r = await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025&sections=hazards,volunteers`);
    assertStatus(r, 200, 'two sections');
    assert.deepStrictEqual(r.json.sections, all.sections.filter((x) => x === 'hazards' || x === 'volunteers'), 'only those');
    assert.deepStrictEqual(r.json.hazards, all.hazards, 'hazards as in the whole answer');
    assert.deepStrictEqual(r.json.volunteers, all.volunteers, 'volunteers as in the whole answer');
    assert.ok(!('activities' in r.json) && !('activities' in r.json.children[0]), 'nothing of the others, in the children either');
    assert.strictEqual(r.json.children[0].hazards_found, all.children[0].hazards_found, 'the children\'s columns of the asked sections');
    assertError(await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025&sections=hazards,nope`), 400, 'sections', 'an unknown section');
    assertError(await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025&sections=`), 400, 'sections', 'an empty list');
    // A section the caller may not read stays out, asked for or not.
    const rev = await s.createUser('st-sec-reviewer', 'reviewer', TOWN);
    const rr = await s.api('GET', `/api/v1/stats?region=${TOWN}&year=2025&sections=hazards,activities`, { token: rev });
    assertStatus(rr, 200, 'reviewer');
    assert.deepStrictEqual(rr.json.sections, ['activities'], 'the reviewer gets activities only');
});

test('stats: the Excel export lists the figures and the children', { timeout: 60000 }, async (ctx) => {
    const s = await ctx.serverWith();
    const st = (await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025`)).json;
    const x = await s.admin('GET', `/api/v1/stats/export.xlsx?region=${COUNTY}&year=2025`);
    assertStatus(x, 200, 'export.xlsx');
    assert.ok(isXlsx(x.bytes), 'an xlsx file');
    assert.match(x.headers['content-disposition'], /stats-511621000000-2025\.xlsx/);
    const text = xlsxText(x.bytes);
    for (const label of ['排查发现隐患', '整改率', '宣传培训活动', '下级区域', '九龙镇'])
        assert.ok(text.includes(label), `the export has ${label}`);
    assert.ok(text.includes(`>${st.hazards.found}<`), 'the export has the count of hazards found');
});

test('stats: one label per figure: the console\'s (GET /stats/figures), the Excel headings and the summary\'s', { timeout: 60000 }, async (ctx) => {
    const s = await ctx.serverWith();
    const f = await s.admin('GET', '/api/v1/stats/figures');
    assertStatus(f, 200, 'figures');
    const st = (await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025`)).json;
    const present = f.json.sections.filter((sec) => st.sections.includes(sec.key));
    assert.deepStrictEqual(present.map((sec) => sec.key), st.sections, 'the declared sections are the answer\'s, in order');
    const labels = new Map();
    for (const sec of f.json.sections)
        for (const fig of sec.figures) {
            assert.ok(fig.label && fig.unit, `${sec.key}.${fig.key} has a label and a unit`);
            assert.ok(!labels.has(fig.label), `one figure per label: ${fig.label} (${sec.key}.${fig.key})`);
            labels.set(fig.label, `${sec.key}.${fig.key}`);
            assert.ok(fig.key in st[sec.key] || !st.sections.includes(sec.key), `${sec.key}.${fig.key} is in the answer`);
            if (fig.yoy) assert.ok(fig.prev_key in st[sec.key], `${sec.key}.${fig.prev_key} is in the answer`);
        }
    // Excel: one row per figure (label, this year, last year, unit), then the children's table.
    const x = await s.admin('GET', `/api/v1/stats/export.xlsx?region=${COUNTY}&year=2025`);
    assertStatus(x, 200, 'export.xlsx');
    const rows = xlsxCells(x.bytes);
    const figs = present.flatMap((sec) => sec.figures.map((fig) => ({ sec: sec.key, ...fig })));
    assert.deepStrictEqual(rows[0].slice(0, 4), ['项目', '岳池县 2025 年', '2024 年（上年）', '单位'], 'the header');
    assert.deepStrictEqual(rows.slice(1, 1 + figs.length).map((r) => r[0]), figs.map((fig) => fig.label), 'the Excel headings are the console\'s labels');
    figs.forEach((fig, i) => {
        const r = rows[1 + i];
        assert.strictEqual(r[1], st[fig.sec][fig.key], `the value of ${fig.label}`);
        assert.strictEqual(r[2], fig.yoy ? st[fig.sec][fig.prev_key] : undefined, `last year's ${fig.label}`);
        assert.strictEqual(r[3], fig.unit, `the unit of ${fig.label}`);
    });
    const childHead = rows[2 + figs.length];
    const cols = f.json.columns.filter((c) => st.sections.includes(c.section));
    assert.deepStrictEqual(childHead, ['下级区域', ...cols.map((c) => c.label)], 'the children\'s headings are the declared columns');
    assert.ok(cols.every((c) => labels.get(c.label) === `${c.section}.${c.key}`), 'a column is labelled as its figure');
    const jl = st.children.find((c) => c.name === '九龙镇');
    const jlRow = rows.find((r) => r[0] === '九龙镇');
    assert.deepStrictEqual(jlRow.slice(1), cols.map((c) => jl[c.child_key]), 'the children\'s values');
    // The summary names the figures with the same words.
    const md = (await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&format=md`)).text;
    // The children's tables (a few columns each, to fit the page) carry the declared columns in order.
    const heads = md.split('\n').filter((l) => l.startsWith('| 名称 |')).flatMap((l) => l.split('|').map((x) => x.trim()).filter((x) => x && x !== '名称'));
    assert.deepStrictEqual(heads, cols.map((c) => c.label), 'the summary\'s children tables have the declared columns');
    const label = (sec, key) => f.json.sections.find((x) => x.key === sec).figures.find((y) => y.key === key).label;
    const h = st.hazards;
    if (h.supervised || h.listed)
        assert.ok(md.includes(`${label('hazards', 'supervised')}${h.supervised}项，${label('hazards', 'listed')}${h.listed}项`), 'supervision and listing are named as on the page');
    assert.ok(md.includes(`${label('hazards', 'closed')}${h.closed}项，${label('hazards', 'rectification_rate')}${pct(h.closed, h.found)}`), 'closed and the rate, as on the page');
    assert.ok(md.includes(`登记${label('volunteers', 'total')}${st.volunteers.total}人`), 'volunteers, as on the page');
    // Labels are not data: any logged-in user reads them, nobody else.
    const vw = await s.createUser('fig-village', 'village_worker', VILLAGE);
    const vf = await s.api('GET', '/api/v1/stats/figures', { token: vw });
    assertStatus(vf, 200, 'a village worker reads the labels');
    assert.deepStrictEqual(vf.json, f.json, 'the same labels for everyone');
    assertStatus(await s.api('GET', '/api/v1/stats/figures'), 401, 'not logged in');
});

test('work summary: the figures of the statistics in md, html, pdf, docx and json; the CLI writes the same', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const st = (await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025`)).json;
    const q = `/api/v1/reports/work-summary?region=${COUNTY}&year=2025`;
    const md = await s.admin('GET', `${q}&format=md`);
    assertStatus(md, 200, 'md');
    assert.match(md.headers['content-type'], /^text\/markdown/);
    const h = st.hazards;
    for (const want of [
        '# 岳池县2025年安全社区创建工作总结',
        `全年排查发现各类安全隐患${h.found}项`,
        `已整改销号${h.closed}项，整改率${pct(h.closed, h.found)}`,
        `共开展宣传、培训、应急演练等活动${st.activities.count}场`,
        `登记志愿者${st.volunteers.total}人`,
        '## 一、',
        '## 一、明确创建目标，有序推进创建工作',
        '## 四、加强安全隐患排查和整治',
        '存在的主要问题',
        '2026年工作打算',
        '| 九龙镇 |',
    ])
        assert.ok(md.text.includes(want), `the summary says: ${want}`);
    if (h.overdue_at_end > 0) assert.ok(md.text.includes(`逾期未整改${h.overdue_at_end}项`), 'overdue hazards are a problem named with their number');
    const html = await s.admin('GET', `${q}&format=html`);
    assertStatus(html, 200, 'html');
    assert.match(html.text, /^<!doctype html>/i);
    assert.ok(html.text.includes('岳池县2025年安全社区创建工作总结') && html.text.includes('<table'), 'html has the title and tables');
    assert.ok(!/<script/i.test(html.text), 'no script in the html');
    const docx = await s.admin('GET', `${q}&format=docx`);
    assertStatus(docx, 200, 'docx');
    assert.match(docx.headers['content-disposition'], /work-summary-511621000000-2025\.docx/);
    const parts = unzip(docx.bytes);
    for (const p of ['[Content_Types].xml', '_rels/.rels', 'word/document.xml']) assert.ok(parts[p], `docx has ${p}`);
    const xml = parts['word/document.xml'].toString('utf8');
    assert.ok(xml.includes('岳池县2025年安全社区创建工作总结') && xml.includes(`${h.found}项`), 'document.xml has the title and the figures');
    const again = await s.admin('GET', `${q}&format=docx`);
    assert.ok(Buffer.compare(again.bytes, docx.bytes) === 0, 'the same records give the same docx bytes');
    const pdf = await s.admin('GET', `${q}&format=pdf`);
    assertStatus(pdf, 200, 'pdf');
    assert.strictEqual(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
    const pf = path.join(ctx.tmpDir(), 'summary.pdf');
    fs.writeFileSync(pf, pdf.bytes);
    const ptext = execFileSync('pdftotext', ['-layout', pf, '-']).toString('utf8').replace(/\s+/g, '');
    assert.ok(ptext.includes('岳池县2025年安全社区创建工作总结') && ptext.includes(`${h.found}项`), 'the PDF text has the title and the figures');
    const js = await s.admin('GET', q);
    assertStatus(js, 200, 'json');
    assert.strictEqual(js.json.title, '岳池县2025年安全社区创建工作总结');
    assert.strictEqual(js.json.blocks[0].kind, 'title');
    assert.ok(js.json.blocks.some((b) => b.kind === 'table' && b.rows[0][0] === '名称'), 'the children table');
    // The command line writes the same summary (the admin token holds every permission).
    for (const fmt of ['md', 'html']) {
        const out = path.join(ctx.tmpDir(), `ws.${fmt}`);
        const r = await cliRun(['report', '--db', c.db, 'work-summary', '--region', COUNTY, '--year', '2025', '-o', out]);
        assertExit(r, 0, `report ${fmt}`);
        const web = fmt === 'md' ? md.text : html.text;
        assert.strictEqual(fs.readFileSync(out, 'utf8'), web, `the CLI's ${fmt} equals the API's`);
    }
    const dx = path.join(ctx.tmpDir(), 'ws.bin');
    assertExit(await cliRun(['report', '--db', c.db, 'work-summary', '--region', COUNTY, '--year', '2025', '--format', 'docx', '-o', dx]), 0, 'report --format docx');
    assert.ok(Buffer.compare(fs.readFileSync(dx), docx.bytes) === 0, 'the CLI docx equals the API docx');
    assertExit(await cliRun(['report', '--db', c.db, 'work-summary', '--region', COUNTY, '--year', 'x', '-o', dx]), 2, 'a bad year', { oneLine: false });
    assertExit(await cliRun(['report', '--db', c.db, 'work-summary', '--region', COUNTY, '--year', '2025', '-o', path.join(ctx.tmpDir(), 'x.exe')]), 2, 'an unknown format', { oneLine: false });
    assertExit(await cliRun(['report', '--db', c.db, 'work-summary', '--region', '511621199000', '--year', '2025', '-o', path.join(ctx.tmpDir(), 'none.md')]), 1, 'a region that does not exist', { oneLine: true, stderr: /区域不存在/ });
});
