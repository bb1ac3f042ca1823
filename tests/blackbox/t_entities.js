'use strict';
// The declared entities (volunteers, activities) through the generic API:
// create / get / patch / list (paging, sort, filters, q search) / soft delete;
// plus entity metadata, dictionaries and the working-day calendar.
const { test, assert, assertError, assertStatus, brief, demoRegions, xlsxCells, RUN_TAG, COUNTY } = require('./lib');

const TIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/;

function assertCommon(o, what) {
    assert.ok(o && typeof o === 'object', `${what}: not an object`);
    for (const k of ['id', 'region', 'region_name', 'created_at', 'updated_at', 'created_by'])
        assert.ok(o[k] !== undefined && o[k] !== null && o[k] !== '', `${what}: "${k}" missing in ${JSON.stringify(o)}`);
    assert.match(o.created_at, TIME_RE, `${what}: created_at`);
    assert.match(o.updated_at, TIME_RE, `${what}: updated_at`);
    assert.ok(typeof o.region_name === 'string', `${what}: region_name`);
}

async function create(s, entity, body, what) {
    const r = await s.admin('POST', `/api/v1/${entity}`, { body });
    assertStatus(r, 201, what || `POST /api/v1/${entity}`);
    assert.ok(r.json && r.json.id !== undefined, `POST ${entity}: no id in ${brief(r)}`);
    return r.json;
}

async function list(s, entity, query, token) {
    const r = await s.api('GET', `/api/v1/${entity}${query ? '?' + query : ''}`, { token: token || s.token });
    assertStatus(r, 200, `GET /api/v1/${entity}?${query || ''}`);
    const j = r.json;
    assert.ok(j && Array.isArray(j.items), `list without items: ${brief(r)}`);
    assert.ok(Number.isInteger(j.total), `list without total: ${brief(r)}`);
    assert.ok(Number.isInteger(j.page) && Number.isInteger(j.page_size), `list without page/page_size: ${brief(r)}`);
    return j;
}

function q(term) {
    return encodeURIComponent(term);
}

function containsIn(o, fields, term) {
    return fields.some((f) => typeof o[f] === 'string' && o[f].includes(term));
}

test('volunteers: create, get, patch, soft delete', async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const team = await create(s, 'volunteer_teams', { name: `城关志愿服务队${RUN_TAG}`, region: reg.township });
    const team2 = await create(s, 'volunteer_teams', { name: `新队伍${RUN_TAG}`, region: reg.township });
    const body = {
        name: `张三${RUN_TAG}`,
        gender: '1',
        phone: '13800138000',
        birth_date: '1980-05-06',
        team_id: team.id,
        skills: '急救,消防',
        joined_on: '2024-03-01',
        hours: 12.5,
        note: '测试备注',
        region: reg.village,
    };
    const c = await create(s, 'volunteers', body);
    assertCommon(c, 'created volunteer');
    for (const k of Object.keys(body)) assert.deepStrictEqual(c[k], body[k], `created volunteer: ${k}`);
    assert.strictEqual(c.gender_label, '男', 'gender_label');
    assert.strictEqual(c.team_name, team.name, 'team_name');
    assert.ok(c.region_name.length > 0, 'region_name empty');

    const g = await s.admin('GET', `/api/v1/volunteers/${c.id}`);
    assertStatus(g, 200, 'GET volunteer');
    assertCommon(g.json, 'read volunteer');
    for (const k of Object.keys(body)) assert.deepStrictEqual(g.json[k], body[k], `read volunteer: ${k}`);
    assert.strictEqual(g.json.gender_label, '男');
    assert.strictEqual(g.json.created_at, c.created_at);

    const p = await s.admin('PATCH', `/api/v1/volunteers/${c.id}`, { body: { hours: 20, team_id: team2.id, gender: '2' } });
    assertStatus(p, 200, 'PATCH volunteer');
    assert.strictEqual(p.json.hours, 20);
    assert.strictEqual(p.json.team_id, team2.id);
    assert.strictEqual(p.json.team_name, team2.name);
    assert.strictEqual(p.json.gender, '2');
    assert.strictEqual(p.json.gender_label, '女');
    assert.strictEqual(p.json.name, body.name, 'PATCH changed an untouched field');
    assert.strictEqual(p.json.phone, body.phone, 'PATCH changed an untouched field');
    assert.strictEqual(p.json.created_at, c.created_at, 'created_at changed');
    assert.ok(p.json.updated_at >= c.updated_at, 'updated_at went back');
    const g2 = await s.admin('GET', `/api/v1/volunteers/${c.id}`);
    assert.strictEqual(g2.json.hours, 20, 'PATCH not stored');

    // Clearing an optional field with null.
    const pn = await s.admin('PATCH', `/api/v1/volunteers/${c.id}`, { body: { note: null } });
    assertStatus(pn, 200, 'PATCH note:null');
    assert.ok(pn.json.note === null || pn.json.note === undefined || pn.json.note === '', `note not cleared: ${JSON.stringify(pn.json.note)}`);

    const d = await s.admin('DELETE', `/api/v1/volunteers/${c.id}`);
    assert.strictEqual(d.status, 204, `DELETE: ${brief(d)}`);
    assert.strictEqual(d.bytes.length, 0, '204 with a body');
    assertError(await s.admin('GET', `/api/v1/volunteers/${c.id}`), 404, null, 'GET after delete');
    assertError(await s.admin('PATCH', `/api/v1/volunteers/${c.id}`, { body: { hours: 1 } }), 404, null, 'PATCH after delete');
    assertError(await s.admin('DELETE', `/api/v1/volunteers/${c.id}`), 404, null, 'DELETE after delete');
    const l = await list(s, 'volunteers', `q=${q(body.name)}`);
    assert.strictEqual(l.total, 0, 'deleted volunteer still listed');
});

test('activities: create, get, patch, soft delete', async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const body = {
        title: `安全生产培训${RUN_TAG}`,
        kind: 'training',
        held_on: '2025-06-18',
        place: '镇政府三楼会议室',
        participants: 45,
        organizer: '县安办',
        content: '讲解安全生产法及典型案例',
        region: reg.township,
    };
    const c = await create(s, 'activities', body);
    assertCommon(c, 'created activity');
    for (const k of Object.keys(body)) assert.deepStrictEqual(c[k], body[k], `created activity: ${k}`);
    assert.strictEqual(c.kind_label, '培训', 'kind_label');

    const g = await s.admin('GET', `/api/v1/activities/${c.id}`);
    assertStatus(g, 200, 'GET activity');
    assertCommon(g.json, 'read activity');
    assert.strictEqual(g.json.kind_label, '培训');

    const p = await s.admin('PATCH', `/api/v1/activities/${c.id}`, { body: { kind: 'drill', participants: 60, region: reg.village } });
    assertStatus(p, 200, 'PATCH activity');
    assert.strictEqual(p.json.kind, 'drill');
    assert.strictEqual(p.json.kind_label, '应急演练');
    assert.strictEqual(p.json.participants, 60);
    assert.strictEqual(p.json.region, reg.village, 'region not moved');
    assert.strictEqual(p.json.title, body.title);

    const d = await s.admin('DELETE', `/api/v1/activities/${c.id}`);
    assert.strictEqual(d.status, 204, `DELETE: ${brief(d)}`);
    assertError(await s.admin('GET', `/api/v1/activities/${c.id}`), 404, null, 'GET after delete');
    const l = await list(s, 'activities', `q=${q(body.title)}`);
    assert.strictEqual(l.total, 0, 'deleted activity still listed');
});

test('lists: envelope, default page size, paging without overlap', async (ctx) => {
    const s = await ctx.server();
    for (const entity of ['volunteers', 'activities']) {
        const all = await list(s, entity, '');
        assert.strictEqual(all.page, 1);
        assert.strictEqual(all.page_size, 20, `${entity}: default page_size`);
        assert.ok(all.items.length <= 20);
        assert.ok(all.total > 0, `${entity}: the demo has none`);
        if (all.total >= 20) assert.strictEqual(all.items.length, 20);
        for (const o of all.items.slice(0, 5)) assertCommon(o, `${entity} list item`);

        const seen = new Set();
        for (let page = 1; page <= 3; page++) {
            const l = await list(s, entity, `page=${page}&page_size=3&sort=created_at`);
            assert.strictEqual(l.page, page);
            assert.strictEqual(l.page_size, 3);
            assert.strictEqual(l.total, all.total, `${entity}: total differs between pages`);
            for (const o of l.items) {
                assert.ok(!seen.has(o.id), `${entity}: id ${o.id} on two pages (unstable sort?)`);
                seen.add(o.id);
            }
        }
        const big = await list(s, entity, 'page_size=500');
        assert.strictEqual(big.items.length, Math.min(500, all.total));
        const beyond = await list(s, entity, `page=${Math.ceil(all.total / 20) + 10}`);
        assert.strictEqual(beyond.items.length, 0, 'a page beyond the end has items');
        assert.strictEqual(beyond.total, all.total);
    }
});

function assertOrdered(items, key, desc, what) {
    for (let i = 1; i < items.length; i++) {
        const a = items[i - 1][key];
        const b = items[i][key];
        assert.ok(desc ? a >= b : a <= b, `${what}: ${key} out of order at ${i}: ${a} then ${b}`);
    }
}

test('lists: sort by created_at and held_on, both directions', async (ctx) => {
    const s = await ctx.server();
    // The default order is the one each entity declares (meta default_sort).
    const meta = (await s.admin('GET', '/api/v1/meta/entities')).json.items;
    for (const entity of ['volunteers', 'activities']) {
        const spec = meta.find((m) => m.name === entity).default_sort;
        const def = await list(s, entity, 'page_size=100');
        assertOrdered(def.items, spec.replace(/^-/, ''), spec.startsWith('-'), `${entity} default sort (${spec})`);
        assertOrdered((await list(s, entity, 'page_size=100&sort=created_at')).items, 'created_at', false, `${entity} sort=created_at`);
        assertOrdered((await list(s, entity, 'page_size=100&sort=-created_at')).items, 'created_at', true, `${entity} sort=-created_at`);
    }
    const asc = await list(s, 'activities', 'page_size=200&sort=held_on');
    assertOrdered(asc.items, 'held_on', false, 'activities sort=held_on');
    const desc = await list(s, 'activities', 'page_size=200&sort=-held_on');
    assertOrdered(desc.items, 'held_on', true, 'activities sort=-held_on');
    assert.ok(asc.items[0].held_on < desc.items[0].held_on, 'sort=held_on and -held_on give the same first row');
});

test('lists: exact, region-subtree and date-range filters', async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const tag = `筛选${RUN_TAG}`;
    const mk = (title, held_on, extra) =>
        create(s, 'activities', Object.assign({ title: `${tag}${title}`, kind: 'publicity', held_on, region: reg.village }, extra || {}));
    const a1 = await mk('一', '2025-03-01', { participants: 7777 });
    const a2 = await mk('二', '2025-03-31');
    const a3 = await mk('三', '2025-04-01', { region: reg.village2 });
    await create(s, 'volunteers', { name: `女志愿者${RUN_TAG}`, gender: '2', region: reg.village });

    const all = await list(s, 'activities', 'page_size=1');
    const tr = await list(s, 'activities', 'kind=training&page_size=200');
    assert.ok(tr.total > 0, 'demo has no training activities');
    assert.ok(tr.total < all.total, 'kind=training did not filter');
    for (const o of tr.items) {
        assert.strictEqual(o.kind, 'training', `kind filter returned ${o.kind}`);
        assert.strictEqual(o.kind_label, '培训');
    }
    const fem = await list(s, 'volunteers', 'gender=2&page_size=200');
    assert.ok(fem.total > 0);
    for (const o of fem.items) assert.strictEqual(o.gender, '2', 'gender filter');

    // region = the region and its subtree.
    const twn = await list(s, 'activities', `region=${reg.township}&page_size=500`);
    assert.ok(twn.total > 0, 'nothing in the township');
    assert.ok(twn.total < all.total, 'region filter did not filter');
    const prefix = reg.township.slice(0, 9);
    for (const o of twn.items) assert.ok(String(o.region).startsWith(prefix), `region=${reg.township} returned ${o.region}`);
    const vil = await list(s, 'activities', `region=${reg.village}&q=${q(tag)}`);
    assert.deepStrictEqual(vil.items.map((o) => o.id).sort(), [a1.id, a2.id].sort(), 'region=village with q');
    const cty = await list(s, 'activities', `region=${COUNTY}&page_size=1`);
    assert.ok(cty.total > 0 && cty.total <= all.total, 'region=county');
    const byTown = await list(s, 'activities', `region=${reg.township}&q=${q(tag)}`);
    assert.strictEqual(byTown.total, 2, 'a village row is not found from its township');

    // held_on_from / held_on_to, inclusive.
    const rng = await list(s, 'activities', `held_on_from=2025-03-01&held_on_to=2025-03-31&page_size=500`);
    for (const o of rng.items) assert.ok(o.held_on >= '2025-03-01' && o.held_on <= '2025-03-31', `range returned ${o.held_on}`);
    const mine = await list(s, 'activities', `held_on_from=2025-03-01&held_on_to=2025-03-31&q=${q(tag)}`);
    assert.deepStrictEqual(mine.items.map((o) => o.id).sort(), [a1.id, a2.id].sort(), 'range bounds are inclusive, 04-01 excluded');
    const from = await list(s, 'activities', `held_on_from=2025-03-31&q=${q(tag)}`);
    assert.deepStrictEqual(from.items.map((o) => o.id).sort(), [a2.id, a3.id].sort(), 'held_on_from alone');

    // Combined filters are ANDed.
    const none = await list(s, 'activities', `kind=training&q=${q(tag)}`);
    assert.strictEqual(none.total, 0, 'kind=training AND q=tag');
    const both = await list(s, 'activities', `kind=publicity&region=${reg.village2}&q=${q(tag)}`);
    assert.deepStrictEqual(both.items.map((o) => o.id), [a3.id], 'kind AND region AND q');
    // An int field is an exact filter too (the brief: dict/bool/int fields).
    const pc = await list(s, 'activities', `participants=7777&q=${q(tag)}`);
    assert.deepStrictEqual(pc.items.map((o) => o.id), [a1.id], 'participants=7777');
});

test('q search: two-character and one-character Chinese terms', async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const fire = await create(s, 'activities', { title: '火灾应急疏散演练', kind: 'drill', held_on: '2025-05-12', region: reg.village, place: '中心小学' });
    const flood = await create(s, 'activities', { title: '防汛知识培训', kind: 'training', held_on: '2025-05-13', region: reg.village, place: '村委会' });
    const patrol = await create(s, 'volunteer_teams', { name: '平安巡逻队', region: reg.township });
    const zs = await create(s, 'volunteers', { name: '张三', gender: '1', region: reg.village, team_id: patrol.id, skills: '夜间巡逻' });
    const ls = await create(s, 'volunteers', { name: '李四', gender: '1', region: reg.village, team_id: patrol.id, skills: '治安巡逻' });
    const A = ['title', 'place', 'content'];
    const V = ['name', 'skills'];

    const check = async (entity, term, fields, mustHave, mustNot) => {
        const l = await list(s, entity, `q=${q(term)}&sort=-created_at&page_size=500`);
        const ids = l.items.map((o) => o.id);
        for (const id of mustHave) assert.ok(ids.includes(id), `${entity} q=${term}: id ${id} not found (total ${l.total})`);
        for (const id of mustNot) assert.ok(!ids.includes(id), `${entity} q=${term}: id ${id} found but does not contain the term`);
        for (const o of l.items) assert.ok(containsIn(o, fields, term), `${entity} q=${term} returned a row without it: ${JSON.stringify(o).slice(0, 200)}`);
        if (l.total <= 500) assert.strictEqual(l.total, l.items.length, `${entity} q=${term}: total`);
        return l;
    };
    await check('activities', '火灾', A, [fire.id], [flood.id]); // 2 characters
    await check('activities', '疏散', A, [fire.id], [flood.id]); // 2 characters mid-title
    await check('activities', '火', A, [fire.id], [flood.id]); // 1 character
    await check('activities', '应急疏散演练', A, [fire.id], [flood.id]); // longer
    await check('activities', '防汛', A, [flood.id], [fire.id]);
    await check('activities', '中心小学', A, [fire.id], [flood.id]); // another searchable field
    await check('volunteers', '张', V, [zs.id], [ls.id]);
    await check('volunteers', '张三', V, [zs.id], [ls.id]);
    await check('volunteers', '李四', V, [ls.id], [zs.id]);
    await check('volunteers', '巡逻', V, [zs.id, ls.id], []); // another searchable field
    const none = await list(s, 'activities', `q=${q('不存在的词语' + RUN_TAG)}`);
    assert.strictEqual(none.total, 0, 'q for a missing term');
    // An edit is searchable at once, and the old text no longer is.
    assertStatus(await s.admin('PATCH', `/api/v1/activities/${flood.id}`, { body: { title: '防溺水宣传' } }), 200, 'PATCH title');
    await check('activities', '溺水', A, [flood.id], [fire.id]);
    const old = await list(s, 'activities', `q=${q('防汛知识培训')}`);
    assert.ok(!old.items.some((o) => o.id === flood.id), 'the old title is still found');
});

test('q search is a substring match, punctuation included', async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const t = `T${RUN_TAG}`;
    const one = await create(s, 'volunteers', { name: `${t}-1号`, region: reg.village });
    const two = await create(s, 'volunteers', { name: `${t}-21号`, region: reg.village });
    const three = await create(s, 'volunteers', { name: `${t} 1号`, region: reg.village });
    const ids = async (term) => (await list(s, 'volunteers', `q=${q(term)}&page_size=500`)).items.map((o) => o.id).sort();
    assert.deepStrictEqual(await ids(`${t}-1号`), [one.id], `q=${t}-1号`);
    assert.deepStrictEqual(await ids(`${t}-2`), [two.id], `q=${t}-2`);
    assert.deepStrictEqual(await ids(`${t} 1号`), [three.id], `q="${t} 1号"`);
    assert.deepStrictEqual(await ids(`-21号`), [two.id], 'q=-21号');
    // Punctuation alone is a literal too (LIKE wildcards included), not "match everything".
    const all = await list(s, 'volunteers', 'page_size=1');
    for (const term of ['-', '%', '_', "'", '"', '*', '（']) {
        const l = await list(s, 'volunteers', `q=${q(term)}&page_size=500`);
        assert.ok(l.total < all.total, `q=${term} matches every row`);
        for (const o of l.items) assert.ok(containsIn(o, ['name', 'skills'], term), `q=${term} returned ${o.name}`);
    }
});

test('meta/entities describes volunteers and activities', async (ctx) => {
    const s = await ctx.server();
    const r = await s.admin('GET', '/api/v1/meta/entities');
    assertStatus(r, 200, 'GET /api/v1/meta/entities');
    assert.ok(r.json && Array.isArray(r.json.items), `no items: ${brief(r)}`);
    const by = Object.fromEntries(r.json.items.map((e) => [e.name, e]));
    const want = {
        volunteers: ['志愿者', ['name', 'gender', 'phone', 'birth_date', 'team_id', 'skills', 'joined_on', 'hours', 'note']],
        activities: ['宣传培训活动', ['title', 'kind', 'held_on', 'place', 'participants', 'organizer', 'content']],
    };
    for (const [name, [label, fields]] of Object.entries(want)) {
        const e = by[name];
        assert.ok(e, `entity ${name} missing`);
        assert.strictEqual(e.label, label, `${name} label`);
        assert.ok(Array.isArray(e.fields), `${name}: no fields`);
        const names = e.fields.map((f) => f.name);
        for (const f of fields) assert.ok(names.includes(f), `${name}: field ${f} missing (${names.join(',')})`);
        for (const f of e.fields) assert.ok(typeof f.label === 'string' && f.label, `${name}.${f.name}: no label`);
    }
    const gender = by.volunteers.fields.find((f) => f.name === 'gender');
    assert.ok(JSON.stringify(gender).includes('sex'), `volunteers.gender does not name its dict: ${JSON.stringify(gender)}`);
    const kind = by.activities.fields.find((f) => f.name === 'kind');
    assert.ok(JSON.stringify(kind).includes('activity_kind'), `activities.kind does not name its dict: ${JSON.stringify(kind)}`);
});

// Issue 17: a read carries "<field>_text", what a reader is shown for a code
// or an id, and the labels say no Latin (a time is 时:分).
test('reads show names, not codes or ids: region level and parent, template, unit, person', async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const county = (await s.admin('GET', `/api/v1/regions/${COUNTY}`)).json;
    const town = await s.admin('GET', `/api/v1/regions/${reg.township}`);
    assertStatus(town, 200, 'GET a township');
    assert.strictEqual(town.json.level, 'township', 'level keeps its code');
    assert.strictEqual(town.json.level_text, '乡镇（街道）', 'level_text');
    assert.strictEqual(town.json.parent, COUNTY, 'parent keeps its code');
    assert.strictEqual(town.json.parent_text, county.name, 'parent_text is the county\'s name');
    const villages = await list(s, 'regions', `parent=${reg.township}&level=village`);
    assert.ok(villages.items.length > 0, 'no village in the list');
    for (const v of villages.items) {
        assert.strictEqual(v.level_text, '村（社区）', `${v.code}: level_text in a list`);
        assert.strictEqual(v.parent_text, town.json.name, `${v.code}: parent_text in a list`);
    }
    // The export says the level as the page does (no import reads it back).
    const x = await s.admin('GET', `/api/v1/regions/export.xlsx?parent=${reg.township}&level=village`);
    assertStatus(x, 200, 'regions export.xlsx');
    const cells = xlsxCells(x.bytes);
    const lv = cells[0].indexOf('级别');
    assert.ok(lv >= 0, `no 级别 column: ${cells[0]}`);
    assert.strictEqual(cells.length - 1, villages.total, 'every village exported');
    for (const r of cells.slice(1)) assert.strictEqual(r[lv], '村（社区）', `exported level ${r[lv]}`);

    const tpl = await create(s, 'checklist_templates', { region: COUNTY, code: `9${RUN_TAG}`.slice(0, 40), name: `燃气安全检查表${RUN_TAG}`, items: '软管未老化' });
    const insp = await create(s, 'inspections', { region: reg.village, held_on: '2025-04-01', kind: 'routine', template: tpl.code });
    assert.strictEqual(insp.template, tpl.code, 'template keeps its code');
    assert.strictEqual(insp.template_text, tpl.name, 'template_text is the template\'s name');
    const insp2 = (await s.admin('GET', `/api/v1/inspections/${insp.id}`)).json;
    assert.strictEqual(insp2.template_text, tpl.name, 'template_text in a read');
    // The demo's own template has a numeric code (no Latin on the page).
    const demoTpl = await list(s, 'checklist_templates', 'page_size=100');
    for (const t of demoTpl.items.filter((x) => x.created_by !== 'admin')) assert.match(t.code, /^\d+$/, `demo template code ${t.code}`);

    const unit = await create(s, 'units', { region: reg.village, name: `城关加油站${RUN_TAG}`, type: (await s.admin('GET', '/api/v1/dicts/unit_type')).json.items[0].code });
    const inc = await create(s, 'incidents', { region: reg.village, kind: 'fire', occurred_on: '2025-05-01', occurred_time: '09:30', unit_id: unit.id });
    assert.strictEqual(inc.unit_id, unit.id, 'unit_id keeps the id');
    assert.strictEqual(inc.unit_id_text, unit.name, 'unit_id_text is the unit\'s name');
    const bad = await s.admin('POST', '/api/v1/incidents', { body: { region: reg.village, kind: 'fire', occurred_on: '2025-05-01', occurred_time: '9点半' } });
    assertError(bad, 422, 'occurred_time', 'a time that is no time');
    assert.ok(!/[A-Za-z]/.test(bad.json.error.fields.occurred_time), `the time's message: ${bad.json.error.fields.occurred_time}`);

    const person = await create(s, 'persons', { region: reg.village, name: `赵六${RUN_TAG}` });
    const sub = await create(s, 'help_subjects', { region: reg.village, person_id: person.id, kind: 'released_prisoner', start_date: '2025-01-01' });
    assert.strictEqual(sub.person_id_text, person.name, 'person_id_text is the person\'s name');

    const meta = (await s.admin('GET', '/api/v1/meta/entities')).json.items;
    const label = (e, f) => meta.find((x) => x.name === e).fields.find((x) => x.name === f).label;
    assert.strictEqual(label('incidents', 'occurred_time'), '发生时间（时:分）');
    assert.strictEqual(label('injury_cases', 'injured_time'), '受伤时间（时:分）');
});

test('dicts: sex and activity_kind, list, unknown', async (ctx) => {
    const s = await ctx.server();
    const sex = await s.admin('GET', '/api/v1/dicts/sex');
    assertStatus(sex, 200, 'GET /api/v1/dicts/sex');
    assert.strictEqual(sex.json.name, 'sex');
    assert.strictEqual(sex.json.label, '性别');
    assert.ok(Number.isInteger(sex.json.version) && sex.json.version >= 1, 'version');
    const pairs = sex.json.items.map((i) => `${i.code}=${i.label}`);
    assert.ok(pairs.includes('1=男') && pairs.includes('2=女'), `sex items: ${pairs}`);
    const ak = await s.admin('GET', '/api/v1/dicts/activity_kind');
    assertStatus(ak, 200, 'GET /api/v1/dicts/activity_kind');
    const codes = ak.json.items.map((i) => i.code);
    for (const c of ['training', 'publicity', 'drill']) assert.ok(codes.includes(c), `activity_kind lacks ${c}`);
    const all = await s.admin('GET', '/api/v1/dicts');
    assertStatus(all, 200, 'GET /api/v1/dicts');
    const items = Array.isArray(all.json) ? all.json : all.json.items;
    assert.ok(Array.isArray(items), `dict list: ${brief(all)}`);
    const names = items.map((d) => d.name);
    for (const n of ['sex', 'activity_kind']) assert.ok(names.includes(n), `dict list lacks ${n}`);
    assertError(await s.admin('GET', '/api/v1/dicts/no_such_dict'), 404, null, 'unknown dict');
});

// The reference: the N-th working day after date (the date not counted).
function addWorkdays(date, n, holidays, workdays) {
    let t = Date.parse(date + 'T00:00:00Z');
    let left = n;
    let d;
    while (left > 0) {
        t += 86400000;
        d = new Date(t).toISOString().slice(0, 10);
        const dow = new Date(t).getUTCDay();
        const working = workdays.has(d) || (!holidays.has(d) && dow !== 0 && dow !== 6);
        if (working) left--;
    }
    return d;
}

async function calAdd(s, date, days) {
    const r = await s.admin('GET', `/api/v1/calendar/add?date=${date}&days=${days}`);
    assertStatus(r, 200, `calendar/add ${date}+${days}`);
    return r.json.date;
}

test('calendar: 2025 is seeded; 2025-09-26 + 5 working days = 2025-10-10', async (ctx) => {
    const s = await ctx.server();
    assert.strictEqual(await calAdd(s, '2025-09-26', 5), '2025-10-10');
    const y = await s.admin('GET', '/api/v1/calendar/2025');
    assertStatus(y, 200, 'GET /api/v1/calendar/2025');
    assert.strictEqual(y.json.year, 2025);
    assert.ok(y.json.holidays.includes('2025-10-01'), '2025-10-01 is not a holiday');
    assert.ok(y.json.workdays.includes('2025-09-28'), '2025-09-28 is not a make-up workday');
    const H = new Set(y.json.holidays);
    const W = new Set(y.json.workdays);
    for (const [d, n] of [['2025-09-26', 1], ['2025-09-30', 1], ['2025-09-30', 2], ['2025-01-24', 3], ['2025-04-30', 1], ['2025-12-31', 1]])
        assert.strictEqual(await calAdd(s, d, n), addWorkdays(d, n, H, W), `calendar/add ${d}+${n}`);
});

test('calendar: PUT 2030, then add across its holidays and make-up days', async (ctx) => {
    const s = await ctx.server();
    const none = new Set();
    // Before: 2030 has nothing entered, Monday to Friday count.
    assert.strictEqual(await calAdd(s, '2030-09-27', 3), addWorkdays('2030-09-27', 3, none, none));
    assert.strictEqual(await calAdd(s, '2030-09-27', 3), '2030-10-02');
    const holidays = ['2030-01-01', '2030-10-01', '2030-10-02', '2030-10-03', '2030-10-04', '2030-10-07', '2030-10-05', '2030-10-06'];
    const workdays = ['2030-09-29', '2030-10-12'];
    const put = await s.admin('PUT', '/api/v1/calendar/2030', { body: { year: 2030, holidays, workdays } });
    assertStatus(put, [200, 204], 'PUT /api/v1/calendar/2030');
    const g = await s.admin('GET', '/api/v1/calendar/2030');
    assertStatus(g, 200, 'GET /api/v1/calendar/2030');
    assert.deepStrictEqual([...g.json.holidays].sort(), [...holidays].sort(), 'holidays read back');
    assert.deepStrictEqual([...g.json.workdays].sort(), [...workdays].sort(), 'workdays read back');
    const H = new Set(holidays);
    const W = new Set(workdays);
    const cases = [
        ['2030-09-27', 1, '2030-09-29'], // Sunday make-up day
        ['2030-09-27', 3, '2030-10-08'], // across the National Day week
        ['2030-10-09', 3, '2030-10-12'], // Saturday make-up day
        ['2029-12-31', 1, '2030-01-02'], // from an unentered year into 2030
        ['2030-12-30', 3, '2031-01-02'], // from 2030 into an unentered year
    ];
    for (const [d, n, want] of cases) {
        assert.strictEqual(addWorkdays(d, n, H, W), want, 'the test reference itself');
        assert.strictEqual(await calAdd(s, d, n), want, `calendar/add ${d}+${n} after PUT`);
    }
    // A second PUT replaces the year.
    assertStatus(await s.admin('PUT', '/api/v1/calendar/2030', { body: { year: 2030, holidays: [], workdays: [] } }), [200, 204], 'PUT empty 2030');
    assert.strictEqual(await calAdd(s, '2030-09-27', 3), '2030-10-02', 'after clearing 2030');
});

// A reference is read with the referenced record's name beside its id
// (<field>_text, the field's shown_sql), in a single read and in a list, so
// that no page shows a bare id under 所属队伍, 签订单位 or 评分表.
test('references are read with the name of the record they point to', async (ctx) => {
    const s = await ctx.server();
    const refs = [
        ['volunteers', 'team_id', 'volunteer_teams', 'name'],
        ['volunteer_services', 'volunteer_id', 'volunteers', 'name'],
        ['care_visits', 'household_id', 'care_households', 'name'],
        ['committee_members', 'committee_id', 'committees', 'name'],
        ['responsibility_letters?party=unit', 'unit_id', 'units', 'name'],
        ['unit_contacts', 'unit_id', 'units', 'name'],
        ['hazards', 'unit_id', 'units', 'name'],
        ['disputes', 'committee_id', 'mediation_committees', 'name'],
        ['campaign_funds', 'campaign_id', 'campaigns', 'name'],
        ['supervisions', 'campaign_id', 'campaigns', 'name'],
        ['project_records', 'project_id', 'projects', 'title'],
        ['evaluations', 'checklist_id', 'checklists', 'name'],
    ];
    const missing = [];
    for (const [path, f, ref, name] of refs) {
        const [e, filter] = path.split('?');
        const list = await s.admin('GET', `/api/v1/${e}?page_size=200${filter ? '&' + filter : ''}`);
        assertStatus(list, 200, `${e} list`);
        const row = list.json.items.find((o) => o[f]);
        if (!row) {
            missing.push(`${e}.${f}`);
            continue;
        }
        const target = await s.admin('GET', `/api/v1/${ref}/${row[f]}`);
        assertStatus(target, 200, `${ref}/${row[f]}`);
        assert.ok(target.json[name], `${ref}/${row[f]} has no ${name}`);
        assert.strictEqual(row[`${f}_text`], target.json[name], `${e}.${f}_text in the list`);
        const one = await s.admin('GET', `/api/v1/${e}/${row.id}`);
        assert.strictEqual(one.json[`${f}_text`], target.json[name], `${e}.${f}_text in a read`);
    }
    assert.deepStrictEqual(missing, [], 'the demo has a record with each reference set');
});
