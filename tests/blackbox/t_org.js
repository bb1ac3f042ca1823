'use strict';
// Organisation (issue 14): the coverage report of the responsibility letters
// lists exactly the villages and units of a region without the year's letter
// (acceptance 2); volunteer hours per team and year in the statistics equal
// the sum of the service records (acceptance 6); teams are records, counted
// as such; a member's phone is sealed; the letters' own rules. Both backends.
const lib = require('./lib');
const { test, assert, assertStatus, assertError, isXlsx, xlsxText } = lib;

const COUNTY = '511621000000';
const TOWN = '511621101000'; // 九龙镇

async function make(s, entity, body, what) {
    const r = await s.admin('POST', `/api/v1/${entity}`, { body });
    assertStatus(r, 201, what || `POST ${entity}`);
    return r.json;
}

// A village of its own under the demo township, so that the report's lists
// are exactly what the test made.
async function freshVillage(s, n) {
    const code = `51162110109${n}`;
    await make(s, 'regions', { code, name: `测试村${n}` }, 'POST region');
    return code;
}

test('letters: the coverage report lists exactly the units and villages without the year\'s letter', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const village = await freshVillage(s, 1);
    const units = [];
    for (const name of ['甲', '乙', '丙', '丁'])
        units.push(await make(s, 'units', { region: village, name: `测试单位${name}`, type: 'shop' }, `POST unit ${name}`));
    const [a, b, c, d] = units;
    const cover = async (region, year) => {
        const r = await s.admin('GET', `/api/v1/responsibility_letters/coverage?region=${region}&year=${year}`);
        assertStatus(r, 200, `coverage ${region} ${year}`);
        return r.json;
    };
    let r = await cover(village, 2025);
    assert.deepStrictEqual(r.units.map((u) => u.id), units.map((u) => u.id), 'before any letter: every unit');
    assert.deepStrictEqual(r.villages.map((v) => v.code), [village], 'before any letter: the village');
    assert.strictEqual(r.units_total, 4);
    assert.strictEqual(r.villages_total, 1);

    // The township signs with the village; the village with A (2025), B
    // (2024 only), C (2025, then deleted); D has a household letter beside it.
    const letter = (body) => make(s, 'responsibility_letters', Object.assign({ issuer: '九龙镇人民政府' }, body));
    const lv = await letter({ party: 'village', region: village, year: 2025, signed_on: '2025-02-01' });
    assert.strictEqual(lv.signer, '测试村1', 'the signer defaults to the region\'s name');
    const la = await letter({ party: 'unit', region: village, unit_id: a.id, year: 2025, domain: 'production', issuer: '测试村1村民委员会' });
    assert.strictEqual(la.signer, a.name, 'the signer defaults to the unit\'s name');
    assert.strictEqual(la.unit_name, a.name);
    await letter({ party: 'unit', region: village, unit_id: b.id, year: 2024, issuer: '测试村1村民委员会' });
    const lc = await letter({ party: 'unit', region: village, unit_id: c.id, year: 2025, issuer: '测试村1村民委员会' });
    await letter({ party: 'household', region: village, signer: '王大户', year: 2025, issuer: '测试村1村民委员会' });
    assert.strictEqual((await s.admin('DELETE', `/api/v1/responsibility_letters/${lc.id}`)).status, 204);

    r = await cover(village, 2025);
    assert.deepStrictEqual(r.units.map((u) => u.id), [b.id, c.id, d.id], '2025: B (last year\'s only), C (deleted), D');
    assert.strictEqual(r.units_missing, 3);
    assert.deepStrictEqual(r.villages, [], '2025: the village signed');
    r = await cover(village, 2024);
    assert.deepStrictEqual(r.units.map((u) => u.id), [a.id, c.id, d.id], '2024: all but B');
    assert.deepStrictEqual(r.villages.map((v) => v.code), [village], '2024: the village did not sign');

    // The township's report holds the village's units among its own.
    r = await cover(TOWN, 2025);
    const ids = r.units.map((u) => u.id);
    for (const u of [b, c, d]) assert.ok(ids.includes(u.id), `township report: unit ${u.name} missing`);
    assert.ok(!ids.includes(a.id), 'township report lists a signed unit');
    assert.ok(!r.villages.some((v) => v.code === village), 'township report lists a signed village');
    for (const u of r.units) assert.ok(u.region.startsWith('511621101'), `unit ${u.id} outside the township`);

    // The Excel export has the same rows.
    const x = await s.admin('GET', `/api/v1/responsibility_letters/coverage.xlsx?region=${village}&year=2025`);
    assertStatus(x, 200, 'coverage.xlsx');
    assert.ok(isXlsx(x.bytes), 'not an xlsx');
    const text = xlsxText(x.bytes);
    for (const u of [b, c, d]) assert.ok(text.includes(u.name), `xlsx lacks ${u.name}`);
    assert.ok(!text.includes(a.name), 'xlsx lists a signed unit');
    const audit = await s.admin('GET', '/api/v1/audit?entity=responsibility_letters&action=export&page_size=5');
    assertStatus(audit, 200, 'audit');
    assert.ok(audit.json.items.some((e) => e.region === village && e.changes.rows === 3), `the export is not audited: ${JSON.stringify(audit.json.items)}`);

    // Bad input names the field; the scope holds.
    assertError(await s.admin('POST', '/api/v1/responsibility_letters', { body: { party: 'unit', region: village, issuer: 'x', year: 2025 } }), 422, 'unit_id');
    assertError(await s.admin('POST', '/api/v1/responsibility_letters', { body: { party: 'village', region: TOWN, issuer: 'x', year: 2025 } }), 422, 'region');
    assertError(await s.admin('POST', '/api/v1/responsibility_letters', { body: { party: 'unit', region: TOWN, unit_id: a.id, issuer: 'x', year: 2025 } }), 422, 'region');
    assertError(await s.admin('POST', '/api/v1/responsibility_letters', { body: { party: 'household', region: village, issuer: 'x', year: 2025 } }), 422, 'signer');
    assertError(await s.admin('GET', '/api/v1/responsibility_letters/coverage?region=511621101001&year=20x5'), 400, null);
    const vt = await s.createUser('org_village', 'village_worker', '511621101001');
    const other = await s.api('GET', `/api/v1/responsibility_letters/coverage?region=${village}&year=2025`, { token: vt });
    assert.ok(other.status === 404 || other.status === 403, `another village's report: ${other.status}`);
    const own = await s.api('GET', '/api/v1/responsibility_letters/coverage?region=511621101001&year=2025', { token: vt });
    assertStatus(own, 200, 'own village report');
});

test('volunteers: hours per team and year in the statistics equal the sum of the service records', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const village = await freshVillage(s, 2);
    const t1 = await make(s, 'volunteer_teams', { region: village, name: '测试巡逻队' });
    const t2 = await make(s, 'volunteer_teams', { region: village, name: '测试宣传队' });
    const v1 = await make(s, 'volunteers', { region: village, name: '测试甲', team_id: t1.id });
    const v2 = await make(s, 'volunteers', { region: village, name: '测试乙', team_id: t2.id });
    assert.strictEqual(v1.team_name, '测试巡逻队');
    // A volunteer of a team of another township is refused.
    const far = await make(s, 'volunteer_teams', { region: '511621102000', name: '外镇队' });
    assertError(await s.admin('POST', '/api/v1/volunteers', { body: { region: village, name: '测试丙', team_id: far.id } }), 422, 'team_id');
    const serve = (v, on, hours, extra) => make(s, 'volunteer_services', Object.assign({ region: village, volunteer_id: v.id, served_on: on, hours }, extra || {}));
    const s1 = await serve(v1, '2025-03-01', 2.5);
    assert.strictEqual(s1.team_id, t1.id, 'a service counts for the volunteer\'s team');
    await serve(v1, '2025-07-01', 3);
    await serve(v1, '2024-12-31', 1.5);
    await serve(v1, '2025-08-01', 2, { team_id: t2.id }); // serving with the other team
    await serve(v2, '2025-05-05', 4);
    const gone = await serve(v2, '2025-06-06', 7);
    assert.strictEqual((await s.admin('DELETE', `/api/v1/volunteer_services/${gone.id}`)).status, 204);
    assertError(await s.admin('POST', '/api/v1/volunteer_services', { body: { region: village, volunteer_id: v1.id, served_on: '2025-01-01', hours: 30 } }), 422, 'hours');

    const stats = async (region, year) => {
        const r = await s.admin('GET', `/api/v1/stats?region=${region}&year=${year}`);
        assertStatus(r, 200, `stats ${region} ${year}`);
        return r.json;
    };
    let st = await stats(village, 2025);
    const by = (team) => st.volunteer_services.by_team.find((it) => it.code === String(team.id));
    assert.deepStrictEqual([by(t1).label, by(t1).count, by(t1).count_prev], ['测试巡逻队', 5.5, 1.5]);
    assert.deepStrictEqual([by(t2).label, by(t2).count, by(t2).count_prev], ['测试宣传队', 6, 0]);
    assert.strictEqual(st.volunteer_services.hours, 11.5);
    assert.strictEqual(st.volunteer_services.hours_prev, 1.5);
    assert.strictEqual(st.volunteer_services.count, 4);
    assert.strictEqual(st.volunteer_teams.total, 2);

    // The demo township: every team's figure is the sum of its records as
    // the list API gives them.
    const sumOf = async (teamId, year) => {
        let total = 0;
        for (let page = 1; ; page++) {
            const l = await s.admin('GET', `/api/v1/volunteer_services?region=${TOWN}&team_id=${teamId}&served_on_from=${year}-01-01&served_on_to=${year}-12-31&page_size=500&page=${page}`);
            assertStatus(l, 200, 'list services');
            for (const it of l.json.items) total += Math.round(it.hours * 10);
            if (page * 500 >= l.json.total) break;
        }
        return total / 10;
    };
    st = await stats(TOWN, 2025);
    const items = st.volunteer_services.by_team;
    assert.ok(items.length >= 3, `the demo township has ${items.length} teams with hours`);
    let all = 0;
    for (const it of items) {
        assert.strictEqual(it.count, await sumOf(it.code, 2025), `team ${it.label} 2025`);
        assert.strictEqual(it.count_prev, await sumOf(it.code, 2024), `team ${it.label} 2024`);
        all += Math.round(it.count * 10);
    }
    assert.strictEqual(Math.round(st.volunteer_services.hours * 10), all, 'the teams add up to the township');
});

test('volunteers: the county counts its team records (72 in the demo), and the summary says so', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const teams = await s.admin('GET', `/api/v1/volunteer_teams?region=${COUNTY}&page_size=1`);
    assertStatus(teams, 200, 'teams');
    assert.strictEqual(teams.json.total, 72);
    const st = await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025`);
    assert.strictEqual(st.json.volunteer_teams.total, 72);
    const md = await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&format=md`);
    assertStatus(md, 200, 'summary');
    assert.ok(md.text.includes('组成志愿者队伍72支'), 'the summary does not count the team records');
    assert.ok(/建立健全了.+等\d+个专项工作组/.test(md.text), 'the working groups are not named');
    assert.ok(/逐级签订安全责任书\d+份/.test(md.text), 'the letters are not counted');
    const civ = await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&campaign=civilized&format=md`);
    assert.ok(/开展募捐捐赠活动\d+次/.test(civ.text), 'the civilized summary lacks the donations');
    const drug = await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&campaign=drug_free&format=md`);
    assert.ok(/开展禁毒宣传教育活动\d+场/.test(drug.text), 'the drug-free summary lacks the tagged activities');
    assert.strictEqual(st.json.activities.drug_free > 0, true, 'no activity tagged drug_free');
});

test('organisation: a member\'s phone is sealed; a working group names its domain', async (ctx) => {
    const s = await ctx.server();
    const g = await make(s, 'committees', { region: TOWN, kind: 'work_group', name: '测试消防工作组', work_group: 'fire', leader: '赵组长', duties: '负责消防安全' });
    assertError(await s.admin('POST', '/api/v1/committees', { body: { region: TOWN, kind: 'work_group', name: '无领域工作组' } }), 422, 'work_group');
    const m = await make(s, 'committee_members', { region: TOWN, committee_id: g.id, name: '钱成员', unit: '镇安办', post: '主任', role: 'member', phone: '13912345678' });
    assert.notStrictEqual(m.phone, '13912345678', 'the phone is returned in clear');
    const l = await s.admin('GET', `/api/v1/committee_members?committee_id=${g.id}`);
    assertStatus(l, 200, 'members');
    assert.strictEqual(l.json.items.length, 1);
    assert.ok(!JSON.stringify(l.json).includes('13912345678'), 'the list shows the phone in clear');
    assert.strictEqual(l.json.items[0].committee_name, '测试消防工作组');
    const mt = await make(s, 'meetings', { region: TOWN, committee_id: g.id, title: '禁毒工作会', held_on: '2025-04-01', attendance: 12, minutes: '部署禁毒宣传', for_drug_free: true });
    assert.strictEqual(mt.for_drug_free, true);
    const sv = await make(s, 'surveys', { region: TOWN, title: '知晓率调查', kind: 'knowledge', conducted_on: '2025-09-01', sample: 200, positive: 180 });
    assert.strictEqual(sv.rate, 90);
    assertError(await s.admin('POST', '/api/v1/surveys', { body: { region: TOWN, title: 'x', kind: 'knowledge', conducted_on: '2025-09-01', sample: 10, positive: 11 } }), 422, 'positive');
    assertError(await s.admin('POST', '/api/v1/donations', { body: { region: TOWN, title: 'x', kind: 'raise', donated_on: '2025-09-01' } }), 422, 'amount');
});
