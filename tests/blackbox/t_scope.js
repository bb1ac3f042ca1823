'use strict';
// Acceptance: data scope. A county administrator of county A (511621000000)
// must not see or touch county B (511622000000): its regions and its rows are
// 404 (never 403, which would reveal they exist), lists and exports filtered
// to B are empty, and the system administrator still sees everything.
const { test, assert, assertError, assertStatus, brief, demoRegions, isXlsx, RUN_TAG, COUNTY, CITY, PROVINCE } = require('./lib');

const B = '511622000000';
const B_TOWN = '511622100000';
const B_VILLAGE = '511622100001';
const B_GRID = '511622100001-01';

// Sets up county B with rows, and user "ca" (county_admin of county A).
async function setup(s) {
    const reg = await demoRegions(s);
    for (const [code, name] of [[B, '测试乙县'], [B_TOWN, '乙县城关镇'], [B_VILLAGE, '乙县东街社区'], [B_GRID, '乙县东街一网格']]) {
        const r = await s.admin('POST', '/api/v1/regions', { body: { code, name } });
        assertStatus(r, 201, `admin POST region ${code}`);
        assert.strictEqual(r.json.code, code);
    }
    const bAct = await s.admin('POST', '/api/v1/activities', {
        body: { title: `乙县消防演练${RUN_TAG}`, kind: 'drill', held_on: '2025-06-01', region: B_VILLAGE, place: '乙县广场' },
    });
    assertStatus(bAct, 201, 'admin POST activity in B');
    const bVol = await s.admin('POST', '/api/v1/volunteers', { body: { name: `乙县志愿者${RUN_TAG}`, gender: '2', region: B_VILLAGE } });
    assertStatus(bVol, 201, 'admin POST volunteer in B');
    const aAct = await s.admin('POST', '/api/v1/activities', {
        body: { title: `甲县消防演练${RUN_TAG}`, kind: 'drill', held_on: '2025-06-01', region: reg.village },
    });
    assertStatus(aAct, 201, 'admin POST activity in A');
    const ca = await s.createUser('ca', 'county_admin', COUNTY);
    return { reg, bAct: bAct.json, bVol: bVol.json, aAct: aAct.json, ca };
}

test('county_admin of A: county B regions are 404 for GET, PATCH, DELETE', async (ctx) => {
    const s = await ctx.server();
    const { reg, ca } = await setup(s);
    // ca works in its own county.
    assertStatus(await s.api('GET', `/api/v1/regions/${COUNTY}`, { token: ca }), 200, 'ca GET own county');
    assertStatus(await s.api('GET', `/api/v1/regions/${reg.village}`, { token: ca }), 200, 'ca GET own village');
    for (const code of [B, B_TOWN, B_VILLAGE, B_GRID]) {
        assertError(await s.api('GET', `/api/v1/regions/${code}`, { token: ca }), 404, null, `ca GET region ${code}`);
        assertError(await s.api('PATCH', `/api/v1/regions/${code}`, { token: ca, body: { name: '改名' } }), 404, null, `ca PATCH region ${code}`);
        assertError(await s.api('DELETE', `/api/v1/regions/${code}`, { token: ca }), 404, null, `ca DELETE region ${code}`);
    }
    // The region list in scope holds nothing of B.
    for (const qs of ['', `?parent=${CITY}`, `?parent=${B}`, `?parent=${B_TOWN}`, '?level=county']) {
        const l = await s.api('GET', `/api/v1/regions${qs}`, { token: ca });
        if (l.status !== 200) {
            assertError(l, [400, 404], null, `ca GET /regions${qs}`);
            continue;
        }
        const codes = (l.json.items || []).map((x) => x.code);
        assert.ok(!codes.some((c) => c.startsWith('511622')), `ca GET /regions${qs} lists county B: ${codes.filter((c) => c.startsWith('511622'))}`);
    }
    // The admin still sees B, unchanged.
    for (const code of [B, B_TOWN, B_VILLAGE, B_GRID]) {
        const g = await s.admin('GET', `/api/v1/regions/${code}`);
        assertStatus(g, 200, `admin GET region ${code}`);
        assert.ok(g.json.name !== '改名', `ca renamed ${code}`);
    }
    const kids = await s.admin('GET', `/api/v1/regions?parent=${B}`);
    assertStatus(kids, 200, 'admin GET regions?parent=B');
    assert.ok(kids.json.items.some((x) => x.code === B_TOWN), 'admin does not see B_TOWN');
});

test('county_admin of A cannot create regions outside A nor edit its ancestors', async (ctx) => {
    const s = await ctx.server();
    const { ca } = await setup(s);
    const failures = [];
    const soft = async (what, fn) => {
        try {
            await fn();
        } catch (e) {
            failures.push(`${what}: ${e.message}`);
        }
    };
    for (const code of [CITY, PROVINCE]) {
        await soft(`PATCH ${code}`, async () => assertError(await s.api('PATCH', `/api/v1/regions/${code}`, { token: ca, body: { name: '改名' } }), [403, 404], null));
        await soft(`DELETE ${code}`, async () => assertError(await s.api('DELETE', `/api/v1/regions/${code}`, { token: ca }), [403, 404], null));
    }
    const attempts = [
        ['a village under county B', '511622100002'],
        ['a township under county B', '511622101000'],
        ['a grid under county B', `${B_VILLAGE}-02`],
        ['a county beside A', '511623000000'],
        ['a city', '511700000000'],
    ];
    for (const [what, code] of attempts) {
        await soft(`ca POST ${what} (${code})`, async () => {
            assertError(await s.api('POST', '/api/v1/regions', { token: ca, body: { code, name: '越权区域' } }), [403, 404, 422], null);
            const g = await s.admin('GET', `/api/v1/regions/${code}`);
            assert.strictEqual(g.status, 404, `${code} exists afterwards`);
        });
    }
    // Inside A it may.
    await soft('ca POST a village inside A', async () =>
        assertStatus(await s.api('POST', '/api/v1/regions', { token: ca, body: { code: '511621101990', name: '新建村' } }), 201));
    if (failures.length) throw new Error(failures.join('\n'));
});

test('county_admin of A: county B rows are 404; lists and exports filtered to B are empty', async (ctx) => {
    const s = await ctx.server();
    const { reg, bAct, bVol, aAct, ca } = await setup(s);
    const rows = [['activities', bAct, 'title'], ['volunteers', bVol, 'name']];
    for (const [entity, row, key] of rows) {
        const p = `/api/v1/${entity}/${row.id}`;
        assertError(await s.api('GET', p, { token: ca }), 404, null, `ca GET ${entity} in B`);
        assertError(await s.api('PATCH', p, { token: ca, body: { [key]: '被改了' } }), 404, null, `ca PATCH ${entity} in B`);
        assertError(await s.api('DELETE', p, { token: ca }), 404, null, `ca DELETE ${entity} in B`);
        // A search for the row's own text finds nothing for ca, one row for admin.
        const term = encodeURIComponent(row[key]);
        const lc = await s.api('GET', `/api/v1/${entity}?q=${term}`, { token: ca });
        assertStatus(lc, 200, `ca GET ${entity}?q=`);
        assert.strictEqual(lc.json.total, 0, `ca finds B's ${entity} by q`);
        const la = await s.admin('GET', `/api/v1/${entity}?q=${term}`);
        assert.strictEqual(la.json.total, 1, `admin does not find B's ${entity} by q`);
        // Filtered to B: nothing (or 404).
        for (const region of [B, B_VILLAGE, B_GRID]) {
            const f = await s.api('GET', `/api/v1/${entity}?region=${encodeURIComponent(region)}`, { token: ca });
            if (f.status === 200) assert.strictEqual(f.json.total, 0, `ca ${entity}?region=${region}: total ${f.json.total}`);
            else assertError(f, [400, 403, 404], null, `ca ${entity}?region=${region}`);
        }
        // Filtered to the parent city: only A's rows.
        const city = await s.api('GET', `/api/v1/${entity}?region=${CITY}&page_size=500`, { token: ca });
        if (city.status === 200) {
            for (const o of city.json.items) assert.ok(String(o.region).startsWith('511621'), `ca ${entity}?region=${CITY} returned ${o.region}`);
        } else {
            assertError(city, [400, 403, 404], null, `ca ${entity}?region=CITY`);
        }
        // The unfiltered list holds no B rows.
        const all = await s.api('GET', `/api/v1/${entity}?page_size=500&sort=-created_at`, { token: ca });
        assertStatus(all, 200, `ca GET ${entity}`);
        assert.ok(all.json.total > 0, `ca sees no ${entity} at all`);
        for (const o of all.json.items) assert.ok(String(o.region).startsWith('511621'), `ca's ${entity} list has ${o.region}`);
        // The admin still sees and can read it, unchanged.
        const g = await s.admin('GET', `/api/v1/${entity}/${row.id}`);
        assertStatus(g, 200, `admin GET ${entity} in B`);
        assert.strictEqual(g.json[key], row[key], `ca changed B's ${entity}`);
        const fa = await s.admin('GET', `/api/v1/${entity}?region=${B}`);
        assert.ok(fa.json.total >= 1, `admin ${entity}?region=B: total ${fa.json.total}`);
    }
    // ca reads and edits its own county's rows.
    assertStatus(await s.api('GET', `/api/v1/activities/${aAct.id}`, { token: ca }), 200, 'ca GET own activity');
    assertStatus(await s.api('PATCH', `/api/v1/activities/${aAct.id}`, { token: ca, body: { participants: 5 } }), 200, 'ca PATCH own activity');
    // ca cannot create rows in B, nor move an A row into B.
    const cb = await s.api('POST', '/api/v1/activities', { token: ca, body: { title: `越权${RUN_TAG}`, kind: 'drill', held_on: '2025-06-02', region: B_VILLAGE } });
    assertError(cb, [403, 404, 422], null, 'ca POST activity in B');
    const mv = await s.api('PATCH', `/api/v1/activities/${aAct.id}`, { token: ca, body: { region: B_VILLAGE } });
    assertError(mv, [403, 404, 422], null, 'ca moves an A row into B');
    const still = await s.admin('GET', `/api/v1/activities/${aAct.id}`);
    assert.strictEqual(still.json.region, reg.village, 'the row moved to B');
    const none = await s.admin('GET', `/api/v1/activities?q=${encodeURIComponent('越权' + RUN_TAG)}`);
    assert.strictEqual(none.json.total, 0, 'ca created a row in B');

    // Exports: B-only for ca is an empty sheet, smaller than A's, and smaller than the admin's B export.
    const exp = async (token, region) => {
        const r = await s.api('GET', `/api/v1/activities/export.xlsx?region=${region}`, { token });
        return r;
    };
    const caB = await exp(ca, B);
    const caA = await exp(ca, COUNTY);
    const adB = await exp(s.token, B);
    assertStatus(caA, 200, 'ca export region=A');
    assert.ok(isXlsx(caA.bytes), 'ca export A is not an xlsx');
    assertStatus(adB, 200, 'admin export region=B');
    assert.ok(isXlsx(adB.bytes), 'admin export B is not an xlsx');
    if (caB.status === 200) {
        assert.ok(isXlsx(caB.bytes), 'ca export B is not an xlsx');
        assert.ok(caB.bytes.length < caA.bytes.length, `ca export B (${caB.bytes.length} B) not smaller than A (${caA.bytes.length} B)`);
        assert.ok(caB.bytes.length < adB.bytes.length, `ca export B (${caB.bytes.length} B) not smaller than admin's export B (${adB.bytes.length} B)`);
        assert.ok(!caB.bytes.includes(Buffer.from(RUN_TAG)), 'ca export B contains the B row (uncompressed)');
    } else {
        assertError(caB, [400, 403, 404], null, 'ca export region=B');
    }
    // Unfiltered export by ca vs the admin's: the admin's holds B as well.
    const caAll = await s.api('GET', '/api/v1/volunteers/export.xlsx', { token: ca });
    assertStatus(caAll, 200, 'ca export volunteers');
    assert.ok(isXlsx(caAll.bytes), 'ca volunteers export is not an xlsx');
});

test('county_admin of A cannot read B through other doors (ids, q, users)', async (ctx) => {
    const s = await ctx.server();
    const { bAct, ca } = await setup(s);
    // A township admin of B, created by the admin, is invisible to ca.
    await s.createUser('tb', 'township_admin', B_TOWN);
    const users = await s.api('GET', '/api/v1/users?page_size=500', { token: ca });
    if (users.status === 200) {
        const names = (users.json.items || []).map((u) => u.username);
        assert.ok(!names.includes('tb'), 'ca lists a user of county B');
        assert.ok(!names.includes('admin'), 'ca lists the system administrator (home region outside its county)');
    } else {
        assert.ok(users.status === 404 || users.status === 403, `ca GET /users: ${brief(users)}`);
    }
    // A B user sees its own rows but not county A's.
    const tb = (await s.cli(['token', 'create', '--db', s.db, '--username', 'tb'])).stdout.trim();
    assertStatus(await s.api('GET', `/api/v1/activities/${bAct.id}`, { token: tb }), 200, 'tb GET B activity');
    const l = await s.api('GET', '/api/v1/activities?page_size=500', { token: tb });
    assertStatus(l, 200, 'tb list');
    for (const o of l.json.items) assert.ok(String(o.region).startsWith('511622100'), `tb sees ${o.region}`);
    assertError(await s.api('GET', `/api/v1/regions/${COUNTY}`, { token: tb }), 404, null, 'tb GET county A');
    // Ids near B's are no oracle: a missing id and B's id answer alike for ca.
    const a = await s.api('GET', `/api/v1/activities/${bAct.id}`, { token: ca });
    const m = await s.api('GET', '/api/v1/activities/987654321', { token: ca });
    assert.strictEqual(a.status, m.status, 'B row and missing row answer differently');
    assert.strictEqual(a.json && a.json.error && a.json.error.code, m.json && m.json.error && m.json.error.code, 'B row and missing row have different error codes');
});
