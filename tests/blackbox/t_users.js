'use strict';
// Acceptance: user and role administration. Administrators manage only the
// users below their own region and never grant more than they hold; resets
// force a password change; disabling a user ends their sessions and tokens;
// roles are data that only the system administrator edits; the audit log
// cannot be changed through the API.
const {
    test,
    assert,
    assertError,
    assertStatus,
    brief,
    sleep,
    login,
    withCookie,
    RUN_TAG,
    ADMIN_PASSWORD,
    USER_PASSWORD,
} = require('./lib');

const COUNTY = '511621000000';
const TOWN = '511621101000';
const VILLAGE = '511621101001';
const OTHER_TOWN_VILLAGE = '511621102001';
const RESET_PASSWORD = 'Reset-pass-2025!';
const CHANGED_PASSWORD = 'Changed-pass-2025#';

async function token(s, username) {
    const r = await s.cli(['token', 'create', '--db', s.db, '--username', username]);
    return r.stdout.trim();
}

async function userId(s, username) {
    const r = await s.admin('GET', `/api/v1/users?q=${encodeURIComponent(username)}&page_size=50`);
    assertStatus(r, 200, `admin GET /users?q=${username}`);
    const u = r.json.items.find((x) => x.username === username);
    assert.ok(u, `user ${username} not listed: ${brief(r)}`);
    return u.id;
}

test('a township administrator: no sysadmin role, no region outside the township, no county user; a village worker in the township is fine', async (ctx) => {
    const s = await ctx.server();
    const town = await token(s, 'town');
    const countyId = await userId(s, 'county');
    const adminId = await userId(s, 'admin');
    const villageId = await userId(s, 'village');
    const body = (o) => Object.assign({ username: `tw${RUN_TAG}`, display_name: '镇里建的', role: 'village_worker', region: VILLAGE, password: USER_PASSWORD }, o);

    let e = assertError(await s.api('POST', '/api/v1/users', { token: town, body: body({ role: 'sysadmin' }) }), 422, 'role', 'township_admin creates a sysadmin');
    assert.strictEqual(e.code, 'validation_failed');
    assertError(await s.api('POST', '/api/v1/users', { token: town, body: body({ role: 'no_such_role' }) }), 422, 'role', 'an unknown role');
    for (const region of [OTHER_TOWN_VILLAGE, COUNTY, '511622000000', '510000000000']) {
        e = assertError(await s.api('POST', '/api/v1/users', { token: town, body: body({ region }) }), 422, 'region', `township_admin creates a user at ${region}`);
    }
    // Nothing was created by the refused requests.
    const none = await s.admin('GET', `/api/v1/users?q=tw${RUN_TAG}`);
    assert.strictEqual(none.json.total, 0, `refused creations stored a user: ${brief(none)}`);

    // County and system users are out of reach: 404, as if absent.
    for (const [who, id] of [['the county user', countyId], ['admin', adminId]]) {
        assertError(await s.api('GET', `/api/v1/users/${id}`, { token: town }), 404, null, `township_admin GET ${who}`);
        assertError(await s.api('PATCH', `/api/v1/users/${id}`, { token: town, body: { display_name: '改了' } }), 404, null, `township_admin PATCH ${who}`);
        assertError(await s.api('PATCH', `/api/v1/users/${id}`, { token: town, body: { disabled: true } }), 404, null, `township_admin disables ${who}`);
        assertError(await s.api('POST', `/api/v1/users/${id}/reset-password`, { token: town, body: { password: RESET_PASSWORD } }), 404, null, `township_admin resets ${who}`);
    }
    const c = await s.admin('GET', `/api/v1/users/${countyId}`);
    assert.notStrictEqual(c.json.display_name, '改了', 'the county user was renamed');
    assert.strictEqual(c.json.disabled, false, 'the county user was disabled');
    assertStatus((await login(s, 'county', ADMIN_PASSWORD)).res, 200, "the county user's password was not reset");

    // The list holds only the township's users.
    const list = await s.api('GET', '/api/v1/users?page_size=500', { token: town });
    assertStatus(list, 200, 'township_admin GET /users');
    for (const u of list.json.items) assert.ok(u.region.startsWith('511621101'), `township_admin lists ${u.username} at ${u.region}`);
    assert.ok(list.json.items.some((u) => u.username === 'village'), 'township_admin does not list its village worker');

    // Inside the township, a village worker: 201, with a forced password change.
    const ok = await s.api('POST', '/api/v1/users', { token: town, body: body({}) });
    assertStatus(ok, 201, 'township_admin creates a village_worker in its township');
    assert.strictEqual(ok.json.username, `tw${RUN_TAG}`);
    assert.strictEqual(ok.json.role, 'village_worker');
    assert.strictEqual(ok.json.region, VILLAGE);
    assert.strictEqual(ok.json.must_change_password, true, 'must_change_password of a created user');
    assert.ok(!('password' in ok.json) && !('password_hash' in ok.json), `the reply carries a password: ${brief(ok)}`);
    assertError(await s.api('POST', '/api/v1/users', { token: town, body: body({}) }), 422, 'username', 'the same username again');
    // It cannot lift its own village worker to sysadmin either.
    assertError(await s.api('PATCH', `/api/v1/users/${villageId}`, { token: town, body: { role: 'sysadmin' } }), 422, 'role', 'township_admin makes a village worker sysadmin');
    assertError(await s.api('PATCH', `/api/v1/users/${villageId}`, { token: town, body: { region: OTHER_TOWN_VILLAGE } }), 422, 'region', 'township_admin moves a user out of the township');
    // A village worker administers nobody.
    const vtok = await token(s, 'village');
    assertError(await s.api('GET', '/api/v1/users', { token: vtok }), 403, null, 'village_worker GET /users');
    assertError(await s.api('POST', '/api/v1/users', { token: vtok, body: body({ username: `vw${RUN_TAG}` }) }), 403, null, 'village_worker POST /users');
});

test("a county administrator resets a township user's password; that user must change it", async (ctx) => {
    const s = await ctx.server();
    const name = `t2${RUN_TAG}`;
    await s.createUser(name, 'township_admin', TOWN);
    const county = await token(s, 'county');
    const town = await token(s, 'town');
    const id = await userId(s, name);
    const before = await login(s, name, USER_PASSWORD);
    assertStatus(before.res, 200, 'login before the reset');
    assert.strictEqual(before.json.user.must_change_password, false);

    assertError(await s.api('POST', `/api/v1/users/${id}/reset-password`, { token: county, body: { password: 'weak' } }), 422, 'password', 'reset to a weak password');
    assertStatus(await s.api('POST', `/api/v1/users/${id}/reset-password`, { token: county, body: { password: RESET_PASSWORD } }), 204, 'county_admin resets');
    // Their sessions end; the old password is gone.
    assertError(await withCookie(s, 'GET', '/api/v1/session', before.cookie), 401, null, 'the session from before the reset');
    assertError((await login(s, name, USER_PASSWORD)).res, 401, null, 'the old password after the reset');
    const l = await login(s, name, RESET_PASSWORD);
    assertStatus(l.res, 200, 'login with the reset password');
    assert.strictEqual(l.json.user.must_change_password, true, 'must_change_password after a reset');
    const blocked = await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', l.cookie);
    assert.strictEqual(assertError(blocked, 403, null, 'the API before the change').code, 'password_change_required');
    const u = await s.api('GET', `/api/v1/users/${id}`, { token: county });
    assert.strictEqual(u.json.must_change_password, true, 'GET /users/{id}: must_change_password');
    assertStatus(
        await withCookie(s, 'POST', '/api/v1/session/password', l.cookie, { csrf: l.csrf, body: { old_password: RESET_PASSWORD, new_password: CHANGED_PASSWORD } }),
        204,
        'the change'
    );
    assertStatus(await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', l.cookie), 200, 'the API after the change');
    // The other way round is out of scope.
    const countyId = await userId(s, 'county');
    assertError(await s.api('POST', `/api/v1/users/${countyId}/reset-password`, { token: town, body: { password: RESET_PASSWORD } }), 404, null, 'township_admin resets the county user');
});

test('disabling a user ends their sessions and tokens (API at once; CLI within the 5 s token cache)', async (ctx) => {
    const s = await ctx.server();
    const a = `da${RUN_TAG}`;
    const b = `db${RUN_TAG}`;
    const [ta, tb] = await Promise.all([s.createUser(a, 'village_worker', VILLAGE), s.createUser(b, 'village_worker', VILLAGE)]);
    const [la, lb] = await Promise.all([login(s, a, USER_PASSWORD), login(s, b, USER_PASSWORD)]);
    for (const [n, l, t] of [[a, la, ta], [b, lb, tb]]) {
        assertStatus(l.res, 200, `login ${n}`);
        assertStatus(await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', l.cookie), 200, `${n}'s session before`);
        assertStatus(await s.api('GET', '/api/v1/volunteers?page_size=1', { token: t }), 200, `${n}'s token before`);
    }
    // Through the API.
    const ida = await userId(s, a);
    const p = await s.admin('PATCH', `/api/v1/users/${ida}`, { body: { disabled: true } });
    assertStatus(p, 200, 'admin disables a user');
    assert.strictEqual(p.json.disabled, true);
    assertError(await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', la.cookie), 401, null, "the disabled user's session");
    const pollToken = async (t, what) => {
        const t0 = Date.now();
        for (;;) {
            const r = await s.api('GET', '/api/v1/volunteers?page_size=1', { token: t });
            if (r.status === 401) return Date.now() - t0;
            assertStatus(r, 200, `${what} while it lasts`);
            if (Date.now() - t0 > 8000) throw new Error(`${what} still works ${Date.now() - t0} ms after the user was disabled`);
            await sleep(250);
        }
    };
    await pollToken(ta, "the disabled user's token (API)");
    const relog = await login(s, a, USER_PASSWORD);
    assert.ok(relog.status === 401 || relog.status === 403, `a disabled user logs in: ${brief(relog.res)}`);
    assert.strictEqual(relog.cookie, null, 'a disabled user got a cookie');

    // Through the CLI while the server runs (another process: the token cache
    // holds for up to 5 s).
    assertStatus(await s.api('GET', '/api/v1/volunteers?page_size=1', { token: tb }), 200, `${b}'s token just before`);
    await s.cli(['user', 'disable', '--db', s.db, '--username', b]);
    assertError(await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', lb.cookie), 401, null, "the CLI-disabled user's session");
    const ms = await pollToken(tb, "the CLI-disabled user's token");
    ctx.note(`a CLI-disabled user's token was refused after ${ms} ms`);
    assert.ok(ms <= 6500, `the token was refused only after ${ms} ms (cache TTL 5 s)`);
});

test('roles: only the system administrator edits them; GET /permissions lists every permission', async (ctx) => {
    const s = await ctx.server();
    const [county, town, village] = await Promise.all([token(s, 'county'), token(s, 'town'), token(s, 'village')]);
    const rev = await s.createUser(`rv${RUN_TAG}`, 'reviewer', VILLAGE);
    const roles = await s.admin('GET', '/api/v1/roles');
    assertStatus(roles, 200, 'admin GET /roles');
    const reviewer = roles.json.items.find((r) => r.name === 'reviewer');
    assert.ok(reviewer && Array.isArray(reviewer.permissions), `no reviewer role: ${brief(roles)}`);
    for (const name of ['sysadmin', 'county_admin', 'township_admin', 'village_worker', 'unit_officer', 'police', 'mediator', 'reviewer'])
        assert.ok(roles.json.items.some((r) => r.name === name && r.builtin === true && r.label), `default role ${name} missing or not builtin`);

    assertError(await s.api('GET', '/api/v1/care_households?page_size=1', { token: rev }), 403, null, 'reviewer reads care households before');
    const perms = reviewer.permissions.concat(['care:read']);
    // Others may not.
    for (const [who, t] of [['county_admin', county], ['township_admin', town], ['village_worker', village], ['reviewer', rev]]) {
        assertError(await s.api('PUT', '/api/v1/roles/reviewer', { token: t, body: { permissions: perms } }), 403, null, `${who} PUT /roles/reviewer`);
        assertError(await s.api('POST', '/api/v1/roles', { token: t, body: { name: `r${RUN_TAG}`, label: '新角色', permissions: ['volunteer:read'] } }), 403, null, `${who} POST /roles`);
    }
    assertError(await s.api('GET', '/api/v1/permissions', { token: village }), 403, null, 'village_worker GET /permissions');
    assertError(await s.api('GET', '/api/v1/roles', { token: village }), 403, null, 'village_worker GET /roles');

    // The system administrator may, and it takes effect.
    assertError(await s.admin('PUT', '/api/v1/roles/reviewer', { body: { permissions: ['Not A Permission'] } }), 422, 'permissions', 'an invalid permission');
    assertError(await s.admin('PUT', '/api/v1/roles/no_such_role', { body: { permissions: ['volunteer:read'] } }), 404, null, 'PUT an unknown role');
    const put = await s.admin('PUT', '/api/v1/roles/reviewer', { body: { permissions: perms } });
    assertStatus(put, 200, 'admin PUT /roles/reviewer');
    assert.deepStrictEqual(put.json.permissions.slice().sort(), perms.slice().sort(), 'the saved permissions');
    assertStatus(await s.api('GET', '/api/v1/care_households?page_size=1', { token: rev }), 200, 'reviewer reads care households after the change');
    const audit = await s.admin('GET', '/api/v1/audit?entity=roles&entity_id=reviewer');
    assertStatus(audit, 200, 'GET /audit for the role');
    assert.ok(audit.json.items.some((x) => x.action === 'update' && x.username === 'admin'), `the role change is not audited: ${brief(audit)}`);

    // A wildcard action never grants reveal; spelled out, it does.
    const hh = await s.api('POST', '/api/v1/care_households', { token: village, body: { region: VILLAGE, name: `通配${RUN_TAG}`, kind: 'other', phone: '13900002222' } });
    assertStatus(hh, 201, 'a household to reveal');
    const reveal = () => s.api('POST', `/api/v1/care_households/${hh.json.id}/reveal`, { token: rev, body: { reason: '通配权限测试' } });
    assertStatus(await s.admin('PUT', '/api/v1/roles/reviewer', { body: { permissions: ['region:read', 'care:*', '*:*', '*:read'] } }), 200, 'PUT reviewer with wildcards');
    assertStatus(await s.api('GET', `/api/v1/care_households/${hh.json.id}`, { token: rev }), 200, 'reviewer reads with care:*');
    assertError(await reveal(), 403, null, 'reviewer reveals with care:*, *:* and *:read only');
    assertStatus(await s.admin('PUT', '/api/v1/roles/reviewer', { body: { permissions: ['region:read', 'care:read', 'care:reveal'] } }), 200, 'PUT reviewer with care:reveal');
    const rv = await reveal();
    assertStatus(rv, 200, 'reviewer reveals with care:reveal');
    assert.strictEqual(rv.json.fields.phone, '13900002222');

    // GET /permissions: every entity's read and write, care:reveal, the fixed ones, with labels.
    const p = await s.admin('GET', '/api/v1/permissions');
    assertStatus(p, 200, 'admin GET /permissions');
    const have = new Map(p.json.items.map((x) => [x.permission, x.label]));
    const ents = (await s.admin('GET', '/api/v1/meta/entities')).json.items;
    const want = ['care:reveal', 'user:admin', 'role:admin', 'audit:read', 'dict:read', '*'];
    for (const e of ents) want.push(`${e.permission}:read`, `${e.permission}:write`);
    for (const w of want) assert.ok(have.has(w) && typeof have.get(w) === 'string' && have.get(w), `GET /permissions lacks ${w} (or its label)`);
    assert.ok(!have.has('volunteer:reveal'), 'GET /permissions lists a reveal permission for an entity without sensitive fields');
});

test('nobody can change or delete audit entries through the API', async (ctx) => {
    const s = await ctx.server();
    const county = await token(s, 'county');
    const v = await s.admin('POST', '/api/v1/volunteers', { body: { name: `审计${RUN_TAG}`, region: VILLAGE } });
    assertStatus(v, 201, 'a write to audit');
    const before = await s.admin('GET', '/api/v1/audit?page_size=5');
    assertStatus(before, 200, 'GET /audit');
    const last = before.json.items[0];
    const paths = ['/api/v1/audit', `/api/v1/audit/${last.id}`, '/api/v1/audit/1', `/api/v1/audit?id=${last.id}`, '/api/v1/audit_log', `/api/v1/audit_log/${last.id}`, '/api/v1/login-log', '/api/v1/login-log/1'];
    const problems = [];
    for (const t of [s.token, county]) {
        for (const p of paths) {
            for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
                const r = await s.api(m, p, { token: t, body: { reason: '篡改', changes: {}, action: 'delete' } });
                if (r.status !== 404 && r.status !== 405) problems.push(`${m} ${p}: ${brief(r)}`);
            }
        }
    }
    assert.strictEqual(problems.length, 0, `audit entries are writable through the API:\n${problems.join('\n')}`);
    const after = await s.admin('GET', `/api/v1/audit?page_size=5`);
    assert.strictEqual(after.json.total, before.json.total, 'the audit log changed size');
    assert.deepStrictEqual(after.json.items, before.json.items, 'the latest audit entries changed');
    // And check still finds the chain whole.
    await s.stop();
    const chk = await s.cli(['check', '--db', s.db], { check: false });
    assert.strictEqual(chk.code, 0, `safecomm check: ${chk.stdout}${chk.stderr}`);
});

test('users: unit_id ties a user to a unit of their own region; null clears it; a unit officer then sees that unit\'s hazards only', async (ctx) => {
    const s = await ctx.server();
    const mkUnit = async (region, name) => {
        const r = await s.admin('POST', '/api/v1/units', { body: { region, name: `${name}${RUN_TAG}`, type: 'shop' } });
        assertStatus(r, 201, `POST unit ${name}`);
        return r.json.id;
    };
    const unitA = await mkUnit(VILLAGE, '单位甲');
    const unitB = await mkUnit(OTHER_TOWN_VILLAGE, '单位乙');
    const gone = await mkUnit(VILLAGE, '已删单位');
    assertStatus(await s.admin('DELETE', `/api/v1/units/${gone}`), 204, 'delete a unit');
    const base = { role: 'unit_officer', region: VILLAGE, password: USER_PASSWORD };
    const bad = [
        [unitB, 'a unit of another township'],
        [gone, 'a deleted unit'],
        [99999999, 'a unit that does not exist'],
        ['abc', 'not a number'],
        [0, 'zero'],
    ];
    for (const [unit_id, what] of bad) {
        const r = await s.admin('POST', '/api/v1/users', { body: Object.assign({ username: `uo-bad-${RUN_TAG}`, unit_id }, base) });
        assertError(r, 422, 'unit_id', `POST /users with ${what}`);
    }
    let r = await s.admin('POST', '/api/v1/users', { body: Object.assign({ username: `uo-${RUN_TAG}`, unit_id: unitA }, base) });
    assertStatus(r, 201, 'POST /users with a unit');
    assert.strictEqual(r.json.unit_id, unitA);
    const id = r.json.id;
    const l = await s.admin('GET', `/api/v1/users?q=uo-${RUN_TAG}`);
    assert.strictEqual(l.json.items.find((u) => u.id === id).unit_id, unitA, 'GET /users returns unit_id');
    r = await s.admin('POST', '/api/v1/users', { body: { username: `nounit-${RUN_TAG}`, role: 'village_worker', region: VILLAGE, password: USER_PASSWORD } });
    assertStatus(r, 201, 'POST /users without a unit');
    assert.strictEqual(r.json.unit_id, null);

    // The unit scopes what the officer sees.
    const mine = await s.admin('POST', '/api/v1/hazards', { body: { region: VILLAGE, title: '甲的隐患', domain: 'fire', grade: 'general', found_at: '2025-09-20', unit_id: unitA } });
    assertStatus(mine, 201, 'hazard of unit A');
    const officer = await token(s, `uo-${RUN_TAG}`);
    let h = await s.api('GET', '/api/v1/hazards?page_size=500', { token: officer });
    assertStatus(h, 200, 'the officer lists hazards');
    assert.deepStrictEqual(h.json.items.map((x) => x.id), [mine.json.id], 'only its unit\'s hazards');

    // PATCH: another township's unit is refused; moving the user away from the unit's area is refused too.
    assertError(await s.admin('PATCH', `/api/v1/users/${id}`, { body: { unit_id: unitB } }), 422, 'unit_id', 'PATCH to another township\'s unit');
    assertError(await s.admin('PATCH', `/api/v1/users/${id}`, { body: { region: OTHER_TOWN_VILLAGE } }), 422, 'unit_id', 'PATCH the region away from the unit');
    r = await s.admin('PATCH', `/api/v1/users/${id}`, { body: { region: OTHER_TOWN_VILLAGE, unit_id: unitB } });
    assertStatus(r, 200, 'PATCH region and unit together');
    assert.deepStrictEqual([r.json.region, r.json.unit_id], [OTHER_TOWN_VILLAGE, unitB]);
    r = await s.admin('PATCH', `/api/v1/users/${id}`, { body: { unit_id: null } });
    assertStatus(r, 200, 'PATCH unit_id null');
    assert.strictEqual(r.json.unit_id, null);
    assert.strictEqual((await s.admin('GET', `/api/v1/users/${id}`)).json.unit_id, null, 'GET after clearing');
    const a = await s.admin('GET', `/api/v1/audit?entity=users&entity_id=${id}&page_size=5`);
    assert.deepStrictEqual(a.json.items[0].changes.unit_id, [unitB, null], 'the change is audited');
    // A township administrator cannot reach a unit outside their township.
    const town = await token(s, 'town');
    assertError(await s.api('PATCH', `/api/v1/users/${id}`, { token: town, body: { unit_id: unitA } }), 404, null, 'a user outside the township');
    assertError(await s.api('POST', '/api/v1/users', { token: town, body: Object.assign({ username: `uo-t-${RUN_TAG}`, unit_id: unitB }, base) }), 422, 'unit_id', 'township admin: a unit outside the township');
    r = await s.api('POST', '/api/v1/users', { token: town, body: Object.assign({ username: `uo-t-${RUN_TAG}`, unit_id: unitA }, base) });
    assertStatus(r, 201, 'township admin: a unit of the township');
    assert.strictEqual(r.json.unit_id, unitA);
});
