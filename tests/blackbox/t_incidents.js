'use strict';
// Accidents and injuries (issue 13): incidents with their derived grade,
// injury cases with the report card's cross-field checks (API and import,
// all-or-nothing), the statistics read from the aggregate tables (year on
// year, change and per cent change, rates per 100 000 of each year's
// population), the summary's results paragraph, the scope of a township's
// figures, and `safecomm check` after writes. Both backends: the figures are
// the same on SQLite and PostgreSQL.
const lib = require('./lib');
const { test, assert, assertStatus, assertError, sqlite, cli, multipart, COUNTY } = lib;

const TOWN = '511621101000'; // 九龙镇, the demo user town's
const VILLAGE = '511621101001';
// Regions of our own, empty until a test fills them.
const T1 = '511621180000';
const T1V = '511621180001';
const T2 = '511621181000';
const T2V = '511621181001';

async function region(s, code, name) {
    assertStatus(await s.admin('POST', '/api/v1/regions', { body: { code, name } }), 201, `region ${code}`);
}

function injury(regionCode, day, age, extra = {}) {
    return Object.assign({ region: regionCode, injured_on: day, sex: '1', age, cause: '3', place: '1', intent: '1' }, extra);
}

async function add(s, entity, body, token) {
    const r = token ? await s.api('POST', `/api/v1/${entity}`, { token, body }) : await s.admin('POST', `/api/v1/${entity}`, { body });
    assertStatus(r, 201, `${entity} ${JSON.stringify(body)}`);
    return r.json;
}

async function stats(s, regionCode, year = 2025, token) {
    const p = `/api/v1/stats?region=${regionCode}&year=${year}`;
    const r = token ? await s.api('GET', p, { token }) : await s.admin('GET', p);
    assertStatus(r, 200, `stats of ${regionCode}`);
    return r.json;
}

async function summary(s, regionCode, year = 2025) {
    const r = await s.admin('GET', `/api/v1/reports/work-summary?region=${regionCode}&year=${year}&format=md`);
    assertStatus(r, 200, `summary of ${regionCode}`);
    return r.text;
}

test('incidents: 60 vulnerable injuries in 2024 and 25 in 2025 give -35 and -58.3 %, 从60件下降至25件; none before gives 新增, 无基数; rates use each year\'s population', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    await region(s, T1, '测甲镇');
    await region(s, T1V, '测甲村');
    await region(s, T2, '测乙镇');
    await region(s, T2V, '测乙村');
    // 60 in 2024: elderly, children and the disabled; 25 in 2025; and cases
    // outside the groups, which count in the total only.
    for (let i = 0; i < 60; i++) {
        const kind = i % 3;
        await add(s, 'injury_cases', injury(T1V, `2024-${String(1 + (i % 12)).padStart(2, '0')}-10`, kind === 0 ? 70 : kind === 1 ? 8 : 35, kind === 2 ? { disabled: true } : {}));
    }
    for (let i = 0; i < 25; i++) await add(s, 'injury_cases', injury(T1V, '2025-03-05', i % 2 ? 65 : 10));
    for (let i = 0; i < 5; i++) await add(s, 'injury_cases', injury(T1V, '2025-04-05', 30));
    await sqlite(c.db, `INSERT INTO region_populations (region, year, population) VALUES ('${T1}', 2024, 200000), ('${T1}', 2025, 250000)`);
    const st = await stats(s, T1);
    const ij = st.injuries;
    assert.strictEqual(ij.vulnerable, 25, 'vulnerable 2025');
    assert.strictEqual(ij.vulnerable_prev, 60, 'vulnerable 2024');
    assert.strictEqual(ij.vulnerable_change, -35, 'change');
    assert.strictEqual(ij.vulnerable_change_pct, -58.3, 'per cent change');
    assert.strictEqual(ij.total, 30, 'total 2025');
    assert.strictEqual(ij.total_prev, 60, 'total 2024');
    assert.strictEqual(ij.elderly + ij.child, 25, 'elderly and children');
    assert.strictEqual(ij.rate, 12, '30 per 250 000 is 12 per 100 000');
    assert.strictEqual(ij.rate_prev, 30, '60 per 200 000 is 30 per 100 000');
    assert.deepStrictEqual(st.region.populations, { 2025: 250000, 2024: 200000 }, 'the populations used');
    const group = Object.fromEntries(ij.by_group.map((g) => [g.code, g]));
    assert.strictEqual(group.elderly.count + group.child.count, 25, 'by_group');
    assert.strictEqual(group.disabled.count_prev, 20, 'by_group last year');
    assert.strictEqual(group.disabled.change_pct, -100, 'none left');
    const shares = ij.by_age_band.reduce((a, b) => a + b.share, 0);
    assert.ok(Math.abs(shares - 1) < 0.001, `shares add up to 1: ${shares}`);
    assert.deepStrictEqual(ij.by_month.slice(2, 4), [25, 5], 'the monthly trend');
    assert.strictEqual(ij.by_month_prev.reduce((a, b) => a + b, 0), 60, 'last year\'s months');
    // The township's row in the county's children.
    const cst = await stats(s, COUNTY);
    const row = cst.children.find((ch) => ch.code === T1);
    assert.strictEqual(row.injuries_vulnerable, 25, 'child row');
    assert.strictEqual(row.injuries_vulnerable_prev, 60, 'child row last year');
    assert.strictEqual(row.injury_rate, 12, 'child rate of its own population');
    const md = await summary(s, T1);
    assert.ok(md.includes('从60件下降至25件'), `the summary says 从60件下降至25件:\n${md}`);
    assert.ok(md.includes('同比下降58.3%'), 'and the per cent');

    // 0 road accidents in 2024, 5 in 2025.
    for (let i = 0; i < 5; i++) await add(s, 'incidents', { region: T2V, kind: 'road_traffic', occurred_on: '2025-06-01', injured: 1 });
    const st2 = await stats(s, T2);
    assert.strictEqual(st2.incidents.road_traffic, 5);
    assert.strictEqual(st2.incidents.road_traffic_prev, 0);
    assert.strictEqual(st2.incidents.road_traffic_change, 5);
    assert.strictEqual(st2.incidents.road_traffic_change_pct, null, 'no base: no per cent');
    const kind = st2.incidents.by_kind.find((k) => k.code === 'road_traffic');
    assert.strictEqual(kind.change_pct, null, 'by_kind: no per cent either');
    assert.strictEqual(st2.incidents.rate, null, 'no population: no rate');
    const md2 = await summary(s, T2);
    assert.ok(md2.includes('道路交通事故5起，新增, 无基数'), `新增, 无基数:\n${md2}`);
    assert.ok(md2.includes('无水上交通、火灾'), 'the kinds with none');
    assert.ok(!md2.includes('Infinity') && !md2.includes('NaN'), 'no division by zero');
});

test('incidents: the grade is derived, never typed; one 较大 incident removes "未发生一起较大及以上事故"', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const before = await summary(s, COUNTY);
    assert.ok(before.includes('未发生一起较大及以上事故'), 'the demo has no 较大 accident in 2025');
    const st0 = await stats(s, COUNTY);
    assertError(await s.admin('POST', '/api/v1/incidents', { body: { region: VILLAGE, kind: 'fire', occurred_on: '2025-05-01', grade: 'general' } }), 422, 'grade', 'grade is read-only');
    const g = await add(s, 'incidents', { region: VILLAGE, kind: 'fire', occurred_on: '2025-05-01', deaths: 2, injured: 12, seriously_injured: 9, loss: 9999999 });
    assert.strictEqual(g.grade, 'general', 'below every threshold');
    const big = await add(s, 'incidents', { region: VILLAGE, kind: 'fire', occurred_on: '2025-05-02', deaths: 3 });
    assert.strictEqual(big.grade, 'larger', '3 deaths');
    const byLoss = await s.admin('PATCH', `/api/v1/incidents/${g.id}`, { body: { loss: 50000000 } });
    assertStatus(byLoss, 200, 'patch');
    assert.strictEqual(byLoss.json.grade, 'major', '5000万元 is 重大');
    assertError(await s.admin('POST', '/api/v1/incidents', { body: { region: VILLAGE, kind: 'fire', occurred_on: '2025-05-01', injured: 1, seriously_injured: 2 } }), 422, 'seriously_injured', 'more seriously injured than injured');
    const st = await stats(s, COUNTY);
    assert.strictEqual(st.incidents.larger, st0.incidents.larger + 2, 'larger counts 较大 and 重大');
    assert.strictEqual(st.incidents.fire, st0.incidents.fire + 2, 'fires');
    const after = await summary(s, COUNTY);
    assert.ok(!after.includes('未发生一起较大及以上事故'), 'the sentence is gone');
    assert.ok(/较大及以上事故2起/.test(after), `it says how many:\n${after.slice(after.indexOf('事故伤害情况'), after.indexOf('事故伤害情况') + 600)}`);
    // A soft delete takes it out again; the aggregates stay exact.
    assertStatus(await s.admin('DELETE', `/api/v1/incidents/${big.id}`), 204, 'delete');
    assertStatus(await s.admin('DELETE', `/api/v1/incidents/${g.id}`), 204, 'delete');
    assert.ok((await summary(s, COUNTY)).includes('未发生一起较大及以上事故'), 'back to none');
    const chk = await cli(['check', '--db', c.db]);
    assert.match(chk.stdout, /ok {3}the aggregate incidents_by_month equals the raw rows/);
    // The figures' table (a column per kind), kept from incidents_by_month
    // through the inserts, the grade's change and the deletes above.
    assert.match(chk.stdout, /ok {3}the aggregate incidents_by_region_month equals the raw rows/);
    assert.match(chk.stdout, /ok {3}the aggregate injury_cases_by_code equals the raw rows/);
});

test('incidents: injury card checks on entry, and an import whose row 12 is a traffic cause at home is refused whole', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const bad = await s.admin('POST', '/api/v1/injury_cases', { body: injury(VILLAGE, '2025-03-01', 40, { cause: '1', place: '1' }) });
    const e = assertError(bad, 422, 'place', 'traffic cause at home');
    assert.ok(e.fields.cause, 'the cause is named too');
    assertError(await s.admin('POST', '/api/v1/injury_cases', { body: injury(VILLAGE, '2025-03-05', 40, { visited_on: '2025-03-04' }) }), 422, 'visited_on', 'visited before injured');
    assertError(await s.admin('POST', '/api/v1/injury_cases', { body: injury(VILLAGE, '2025-03-05', 40, { visited_on: '2025-03-06', reported_on: '2025-03-05' }) }), 422, 'reported_on', 'reported before visited');
    assertError(await s.admin('POST', '/api/v1/injury_cases', { body: injury(VILLAGE, '2025-03-05', 40, { cause: '9', body_part: '1' }) }), 422, 'body_part', 'drowning is the whole body');
    assertError(await s.admin('POST', '/api/v1/injury_cases', { body: injury(VILLAGE, '2025-03-05', 40, { cause: '7', nature: '1' }) }), 422, 'nature', 'a burn is a burn');
    await add(s, 'injury_cases', injury(VILLAGE, '2025-03-05', 40, { cause: '1', place: '5', activity: '7' }));

    const meta = (await s.admin('GET', '/api/v1/meta/entities')).json.items.find((x) => x.name === 'injury_cases');
    const label = (n) => meta.fields.find((f) => f.name === n).label;
    const head = ['区域代码', label('injured_on'), label('sex'), label('age'), label('cause'), label('place'), label('intent')].join(',');
    const rows = [];
    for (let row = 2; row <= 15; row++) rows.push([VILLAGE, '2025-02-01', '1', String(20 + row), row === 12 ? '1' : '3', '1', '1'].join(','));
    const csv = [head, ...rows].join('\n') + '\n';
    const count = async () => (await s.admin('GET', `/api/v1/injury_cases?region=${VILLAGE}&page_size=1`)).json.total;
    const n0 = await count();
    const m = multipart('file', 'cards.csv', 'text/csv', Buffer.from(csv, 'utf8'));
    const r = await s.admin('POST', '/api/v1/injury_cases/import', { raw: m.body, headers: { 'Content-Type': m.contentType } });
    assertStatus(r, 422, 'the import is refused');
    assert.strictEqual(r.json.accepted, 0, 'nothing accepted');
    assert.strictEqual(r.json.rows.length, 1, `one bad row: ${JSON.stringify(r.json.rows)}`);
    assert.strictEqual(r.json.rows[0].row, 12, 'row 12');
    assert.ok(r.json.rows[0].fields.place && r.json.rows[0].fields.cause, `the fields named: ${JSON.stringify(r.json.rows[0])}`);
    assert.ok(r.json.rows[0].fields.place.includes('“公路/街道”') && !/代码/.test(r.json.rows[0].fields.place), `the place allowed is named by its label: ${r.json.rows[0].fields.place}`);
    assert.strictEqual(await count(), n0, 'nothing stored');
});

test('incidents: a township admin\'s figures and lists stay inside the township; injury cases are not for police or reviewers', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const town = (await cli(['token', 'create', '--db', c.db, '--username', 'town'])).stdout.trim();
    assertStatus(await s.api('GET', `/api/v1/stats?region=${COUNTY}&year=2025`, { token: town }), 404, 'the county is outside');
    assertStatus(await s.api('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&format=md`, { token: town }), 404, 'the county summary too');
    const st = await stats(s, TOWN, 2025, town);
    const num = async (sql) => Number((await sqlite(c.db, sql)).trim());
    const w = `deleted_at IS NULL AND region LIKE '511621101%'`;
    assert.strictEqual(st.incidents.total, await num(`SELECT count(*) FROM incidents WHERE ${w} AND occurred_on BETWEEN '2025-01-01' AND '2025-12-31'`), 'incidents');
    assert.strictEqual(st.incidents.total_prev, await num(`SELECT count(*) FROM incidents WHERE ${w} AND occurred_on BETWEEN '2024-01-01' AND '2024-12-31'`), 'incidents last year');
    assert.strictEqual(st.incidents.deaths, await num(`SELECT COALESCE(SUM(deaths), 0) FROM incidents WHERE ${w} AND occurred_on BETWEEN '2025-01-01' AND '2025-12-31'`), 'deaths');
    assert.strictEqual(st.injuries.total, await num(`SELECT count(*) FROM injury_cases WHERE ${w} AND injured_on BETWEEN '2025-01-01' AND '2025-12-31'`), 'injuries');
    assert.strictEqual(st.injuries.vulnerable, await num(`SELECT count(*) FROM injury_cases WHERE ${w} AND injured_on BETWEEN '2025-01-01' AND '2025-12-31' AND (age >= 60 OR age < 14 OR disabled = 1)`), 'vulnerable');
    assert.strictEqual(st.incidents.by_kind.reduce((a, k) => a + k.count, 0), st.incidents.total, 'kinds add up');
    assert.ok(st.children.every((ch) => ch.code.startsWith('511621101')), 'children are the township\'s villages');
    const list = await s.api('GET', `/api/v1/injury_cases?page_size=500&region=${COUNTY}`, { token: town });
    assert.ok(list.status === 404 || list.json.items.every((x) => x.region.startsWith('511621101')), 'a county filter shows nothing outside');
    const mine = await s.api('GET', '/api/v1/injury_cases?page_size=1', { token: town });
    assertStatus(mine, 200, 'town lists injury cases');
    assert.strictEqual(mine.json.total, await num(`SELECT count(*) FROM injury_cases WHERE ${w}`), 'only the township\'s');
    // Health data: police and reviewers do not read cases; reviewers read the figures.
    const police = await s.createUser('inc-police', 'police', TOWN);
    assertStatus(await s.api('GET', '/api/v1/injury_cases', { token: police }), 403, 'police: no injury cases');
    assertStatus(await s.api('GET', '/api/v1/incidents?page_size=1', { token: police }), 200, 'police: incidents');
    const rev = await s.createUser('inc-reviewer', 'reviewer', TOWN);
    assertStatus(await s.api('GET', '/api/v1/injury_cases', { token: rev }), 403, 'reviewer: no injury cases');
    const rst = await stats(s, TOWN, 2025, rev);
    assert.strictEqual(rst.injuries.total, st.injuries.total, 'reviewer: the figures');
});
