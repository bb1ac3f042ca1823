'use strict';
// Acceptance: account hardening (issue 12, "Hardening", findings 8, 9, 10
// and 14).
// - API tokens expire, are listed and revoked one by one (CLI, API), and die
//   with a password reset, a password change and "log out everywhere".
// - An administrator manages only the users strictly below them: no peer of
//   the same rank in the same region.
// - Usernames are unique without regard to case and width; login takes the
//   exact username.
// - GET /roles and /permissions need role:admin; the user administration
//   asks GET /roles/assignable.
const {
    test,
    assert,
    assertError,
    assertStatus,
    brief,
    login,
    withCookie,
    cliRun,
    assertExit,
    textLines,
    sqlite,
    RUN_TAG,
    ADMIN_PASSWORD,
    USER_PASSWORD,
} = require('./lib');

const TOWN = '511621101000';
const VILLAGE = '511621101001';
const NEW_PASSWORD = 'Harden-new-2025!';

async function token(s, username, extra = []) {
    const r = await cliRun(['token', 'create', '--db', s.db, '--username', username, ...extra]);
    assertExit(r, 0, `token create for ${username}`);
    assert.match(r.stdout, /^\S+\n$/, `token create printed more than one line: ${JSON.stringify(r.stdout)}`);
    return r.stdout.trim();
}

async function userId(s, username) {
    const r = await s.admin('GET', `/api/v1/users?q=${encodeURIComponent(username)}&page_size=50`);
    assertStatus(r, 200, `admin GET /users?q=${username}`);
    const u = r.json.items.find((x) => x.username === username);
    assert.ok(u, `user ${username} not listed: ${brief(r)}`);
    return u.id;
}

const ok = (s, t) => s.api('GET', '/api/v1/volunteers?page_size=1', { token: t });

test('finding 8: token list shows id, user, name, created, expires and last use, never the token; revoke by id or user answers 401 at once', async (ctx) => {
    const s = await ctx.server();
    const a = await token(s, 'town', ['--name', `ci${RUN_TAG}`, '--days', '7']);
    const b = await token(s, 'town');
    const v = await token(s, 'village');
    // Used (and cached by the server) before the revocation.
    for (const t of [a, b, v]) assertStatus(await ok(s, t), 200, 'a fresh token');

    const list = await cliRun(['token', 'list', '--db', s.db, '--username', 'town']);
    assertExit(list, 0, 'token list --username town');
    const lines = textLines(list.stdout);
    assert.match(lines[0], /id.*user.*name.*created.*expires.*last/i, `no header: ${list.stdout}`);
    const row = lines.find((l) => l.includes(`ci${RUN_TAG}`));
    assert.ok(row, `the named token is not listed: ${list.stdout}`);
    assert.ok(!list.stdout.includes(a) && !list.stdout.includes(b), 'token list prints a token');
    assert.ok(!lines.some((l) => /\tvillage\t/.test(l)), `--username town lists village's token: ${list.stdout}`);
    const cols = row.split('\t');
    const id = cols[0];
    assert.match(id, /^\d+$/, `no id first: ${row}`);
    assert.strictEqual(cols[1], 'town');
    // --days 7: expires 7 days after it was created.
    const days = (Date.parse(cols[4]) - Date.parse(cols[3])) / 86400000;
    assert.ok(Math.abs(days - 7) < 0.01, `--days 7 gave ${days} days: ${row}`);
    assert.notStrictEqual(cols[5], '-', `last use not recorded: ${row}`);
    // The default lifetime: 90 days.
    const all = textLines((await cliRun(['token', 'list', '--db', s.db])).stdout);
    const other = all.find((l) => l.split('\t')[1] === 'village');
    assert.ok(other, `token list without --username lacks village: ${all.join('\n')}`);
    const d2 = (Date.parse(other.split('\t')[4]) - Date.parse(other.split('\t')[3])) / 86400000;
    assert.ok(Math.abs(d2 - 90) < 0.01, `the default lifetime is ${d2} days, not 90`);

    assertExit(await cliRun(['token', 'revoke', '--db', s.db, '--id', id]), 0, 'token revoke --id');
    assertError(await ok(s, a), 401, null, 'the token revoked by id, at once');
    assertStatus(await ok(s, b), 200, "town's other token survives a revocation by id");
    assertExit(await cliRun(['token', 'revoke', '--db', s.db, '--id', id]), 1, 'revoking it again');
    assertExit(await cliRun(['token', 'revoke', '--db', s.db]), 2, 'token revoke without --id or --username');
    assertExit(await cliRun(['token', 'revoke', '--db', s.db, '--username', 'town']), 0, 'token revoke --username');
    assertError(await ok(s, b), 401, null, "town's tokens after revoke --username");
    assertStatus(await ok(s, v), 200, "village's token survives town's revocation");
    assertExit(await cliRun(['token', 'create', '--db', s.db, '--username', 'town', '--days', '0']), 2, 'token create --days 0');
    assertExit(await cliRun(['token', 'create', '--db', s.db, '--username', 'town', '--days', '36500']), 2, 'token create --days 36500');
    const audit = await s.admin('GET', '/api/v1/audit?entity=api_tokens&page_size=50');
    assertStatus(audit, 200, 'GET /audit?entity=api_tokens');
    assert.ok(audit.json.items.some((e) => e.action === 'revoke'), `revocations are not audited: ${brief(audit)}`);
});

test('finding 8: an expired token answers 401', async (ctx) => {
    const s = await ctx.server();
    const t = await token(s, 'village', ['--days', '1']);
    assertStatus(await ok(s, t), 200, 'a one-day token');
    await sqlite(s.db, "UPDATE api_tokens SET expires_epoch = 1000 WHERE name = 'cli' AND user_id = (SELECT id FROM users WHERE username = 'village')");
    assertError(await ok(s, t), 401, null, 'the token past its expiry');
});

test('finding 8: a password reset, the own password change and DELETE /sessions revoke the user\'s tokens', async (ctx) => {
    const s = await ctx.server();
    // An administrator's reset.
    const v = await token(s, 'village');
    assertStatus(await ok(s, v), 200, 'before the reset');
    const villageId = await userId(s, 'village');
    assertStatus(await s.admin('POST', `/api/v1/users/${villageId}/reset-password`, { body: { password: NEW_PASSWORD } }), 204, 'admin resets village');
    assertError(await ok(s, v), 401, null, "village's token after the reset");

    // The CLI's reset (user passwd).
    const u1 = `hp${RUN_TAG}`;
    const t1 = await s.createUser(u1, 'village_worker', VILLAGE);
    assertStatus(await ok(s, t1), 200, 'before user passwd');
    assertExit(await cliRun(['user', 'passwd', '--db', s.db, '--username', u1], { input: NEW_PASSWORD + '\n' }), 0, 'user passwd');
    assertError(await ok(s, t1), 401, null, 'the token after user passwd');

    // The user's own change.
    const u2 = `hc${RUN_TAG}`;
    const t2 = await s.createUser(u2, 'village_worker', VILLAGE);
    const l2 = await login(s, u2, USER_PASSWORD);
    assertStatus(l2.res, 200, `${u2} logs in`);
    assertStatus(await ok(s, t2), 200, 'before the own change');
    assertStatus(await withCookie(s, 'POST', '/api/v1/session/password', l2.cookie, { csrf: l2.csrf, body: { old_password: USER_PASSWORD, new_password: NEW_PASSWORD } }), 204, 'the own password change');
    assertError(await ok(s, t2), 401, null, 'the token after the own password change');
    assertStatus(await withCookie(s, 'GET', '/api/v1/session', l2.cookie), 200, 'the session that changed it lives on');

    // Log out everywhere.
    const u3 = `hl${RUN_TAG}`;
    const t3 = await s.createUser(u3, 'village_worker', VILLAGE);
    const l3 = await login(s, u3, USER_PASSWORD);
    assertStatus(await ok(s, t3), 200, 'before DELETE /sessions');
    assertStatus(await withCookie(s, 'DELETE', '/api/v1/sessions', l3.cookie, { csrf: l3.csrf }), 204, 'DELETE /sessions');
    assertError(await ok(s, t3), 401, null, 'the token after DELETE /sessions');
});

test('finding 8: /api/v1/tokens: own tokens from the console; administrators list and revoke those of users below them only', async (ctx) => {
    const s = await ctx.server();
    const l = await login(s, 'village', ADMIN_PASSWORD);
    assertStatus(l.res, 200, 'village logs in');
    const c = await withCookie(s, 'POST', '/api/v1/tokens', l.cookie, { csrf: l.csrf, body: { name: '数据上报', days: 30 } });
    assertStatus(c, 201, 'POST /tokens');
    assert.match(c.json.token, /^\S{20,}$/, `no token in ${brief(c)}`);
    assert.strictEqual(c.json.name, '数据上报');
    const days = (Date.parse(c.json.expires_at) - Date.parse(c.json.created_at)) / 86400000;
    assert.ok(Math.abs(days - 30) < 0.01, `days 30 gave ${days}`);
    assertStatus(await ok(s, c.json.token), 200, 'the new token works');
    assertError(await withCookie(s, 'POST', '/api/v1/tokens', l.cookie, { csrf: l.csrf, body: { name: 'x', days: 1000 } }), 422, 'days', 'days 1000');
    // A token cannot mint its successor.
    assertError(await s.api('POST', '/api/v1/tokens', { token: c.json.token, body: { name: 'x' } }), 403, null, 'POST /tokens with a token');

    const mine = await withCookie(s, 'GET', '/api/v1/tokens', l.cookie);
    assertStatus(mine, 200, 'GET /tokens');
    const item = mine.json.items.find((t) => t.id === c.json.id);
    assert.ok(item && item.username === 'village' && item.expires_at && !('token' in item) && !('token_hash' in item), `GET /tokens: ${brief(mine)}`);
    assert.ok(!mine.text.includes(c.json.token), 'GET /tokens shows the token');

    // A peer township administrator (same township) cannot see or revoke
    // town's tokens; town can see and revoke village's.
    const peer = await s.createUser(`tp${RUN_TAG}`, 'township_admin', TOWN);
    const town = await token(s, 'town');
    const villageId = await userId(s, 'village');
    const townId = await userId(s, 'town');
    assertError(await s.api('GET', `/api/v1/tokens?user_id=${townId}`, { token: peer }), 403, null, 'a peer lists town\'s tokens');
    const townTok = (await s.api('GET', '/api/v1/tokens', { token: town })).json.items[0];
    assertError(await s.api('DELETE', `/api/v1/tokens/${townTok.id}`, { token: peer }), 404, null, "a peer revokes town's token");
    assertStatus(await ok(s, town), 200, "town's token after the peer's attempt");
    const vt = await s.api('GET', `/api/v1/tokens?user_id=${villageId}`, { token: town });
    assertStatus(vt, 200, "town lists village's tokens");
    assert.ok(vt.json.items.some((t) => t.id === c.json.id), `town does not see village's token: ${brief(vt)}`);
    assertStatus(await s.api('DELETE', `/api/v1/tokens/${c.json.id}`, { token: town }), 204, "town revokes village's token");
    assertError(await ok(s, c.json.token), 401, null, 'the token revoked through the API');
    assertError(await s.api('GET', `/api/v1/tokens?user_id=${townId}`, { token: await token(s, 'village') }), 403, null, 'a village worker lists town\'s tokens');
    // Revoke all of one's own.
    const d = await s.api('DELETE', '/api/v1/tokens', { token: town });
    assertStatus(d, 200, 'DELETE /tokens');
    assertError(await ok(s, town), 401, null, 'town after revoking all its own tokens');
});

test('finding 9: a township administrator cannot create, edit or reset a peer of the same township; a county administrator can', async (ctx) => {
    const s = await ctx.server();
    const town = await token(s, 'town');
    const county = await token(s, 'county');
    const peerName = `pe${RUN_TAG}`;
    const body = { username: peerName, display_name: '同级', role: 'township_admin', region: TOWN, password: USER_PASSWORD };
    const peerRefused = await s.api('POST', '/api/v1/users', { token: town, body });
    assertError(peerRefused, 422, 'role', 'township_admin creates a township_admin in its own township');
    assert.ok(peerRefused.json.error.message.startsWith('数据校验失败：角色 '), `the message names the field by its label: ${peerRefused.json.error.message}`);
    assertError(await s.api('POST', '/api/v1/users', { token: town, body: Object.assign({}, body, { role: 'county_admin' }) }), 422, 'role', 'township_admin creates a county_admin in its own township');
    const made = await s.api('POST', '/api/v1/users', { token: county, body });
    assertStatus(made, 201, 'county_admin creates a township_admin');
    const peerId = made.json.id;

    // The existing peer: visible, but not to be changed.
    assertStatus(await s.api('GET', `/api/v1/users/${peerId}`, { token: town }), 200, 'township_admin reads its peer');
    assertError(await s.api('POST', `/api/v1/users/${peerId}/reset-password`, { token: town, body: { password: 'Taken-over-2025!' } }), 403, null, 'township_admin resets its peer');
    assertError(await s.api('PATCH', `/api/v1/users/${peerId}`, { token: town, body: { disabled: true } }), 403, null, 'township_admin disables its peer');
    assertError(await s.api('PATCH', `/api/v1/users/${peerId}`, { token: town, body: { display_name: '改了' } }), 403, null, 'township_admin renames its peer');
    // Nor promote a user below to its own level in its own region.
    const vw = await s.api('POST', '/api/v1/users', { token: town, body: Object.assign({}, body, { username: `pv${RUN_TAG}`, role: 'village_worker' }) });
    assertStatus(vw, 201, 'township_admin creates a village_worker in its township');
    assertError(await s.api('PATCH', `/api/v1/users/${vw.json.id}`, { token: town, body: { role: 'township_admin' } }), 422, 'role', 'township_admin promotes a user to its own rank');
    assertStatus(await s.api('POST', `/api/v1/users/${vw.json.id}/reset-password`, { token: town, body: { password: 'Reset-pass-2025!' } }), 204, 'township_admin resets a village worker');
    // Its own record: not through the administration's reset.
    assertError(await s.api('POST', `/api/v1/users/${await userId(s, 'town')}/reset-password`, { token: town, body: { password: 'Reset-pass-2025!' } }), 403, null, 'township_admin resets itself');
    // A village below the township is below it: a village-level administrator is fine.
    assertStatus(await s.api('POST', '/api/v1/users', { token: town, body: Object.assign({}, body, { username: `pw${RUN_TAG}`, region: VILLAGE }) }), 201, 'township_admin creates a township_admin role holder in a village below');
    // The list says which users the caller may change, so the console offers only that.
    const listed = await s.api('GET', `/api/v1/users?region=${TOWN}&page_size=500`, { token: town });
    assertStatus(listed, 200, 'township_admin lists its users');
    const flag = (name) => (listed.json.items.find((u) => u.username === name) || {}).manageable;
    assert.strictEqual(flag(peerName), false, 'the peer is not manageable');
    assert.strictEqual(flag('town'), false, 'nor is oneself');
    assert.strictEqual(flag(`pv${RUN_TAG}`), true, 'the village worker is');
    assertStatus((await login(s, peerName, USER_PASSWORD)).res, 200, "the peer's password is unchanged");
    assertStatus(await s.api('POST', `/api/v1/users/${peerId}/reset-password`, { token: county, body: { password: 'Reset-pass-2025!' } }), 204, 'county_admin resets the township_admin');
});

test('finding 10: usernames differing only in case or width cannot be created; login takes the exact username', async (ctx) => {
    const s = await ctx.server();
    const body = (username) => ({ username, display_name: '形似', role: 'village_worker', region: VILLAGE, password: USER_PASSWORD });
    for (const name of ['Admin', 'ADMIN', 'TOWN', 'Town', 'Village'])
        assertError(await s.admin('POST', '/api/v1/users', { body: body(name) }), 422, 'username', `POST /users ${name}`);
    for (const name of ['Admin', 'TOWN', 'ａｄｍｉｎ']) {
        const r = await cliRun(['user', 'add', '--db', s.db, '--username', name, '--role', 'village_worker', '--region', VILLAGE], { input: USER_PASSWORD + '\n' });
        assertExit(r, 1, `user add ${name}`);
    }
    const n = await sqlite(s.db, "SELECT count(*) FROM users WHERE lower(username) IN ('admin', 'town', 'village')");
    assert.strictEqual(Number(n), 3, `look-alikes were stored: ${n} users`);
    // A fresh name in two cases: the first wins, the second is refused.
    const fresh = `Mixed${RUN_TAG}`;
    assertStatus(await s.admin('POST', '/api/v1/users', { body: body(fresh) }), 201, `POST /users ${fresh}`);
    assertError(await s.admin('POST', '/api/v1/users', { body: body(fresh.toLowerCase()) }), 422, 'username', 'its lower-case twin');
    // Exact username at login.
    assertError((await login(s, 'ADMIN', ADMIN_PASSWORD)).res, 401, null, 'login as ADMIN');
    assertStatus((await login(s, 'admin', ADMIN_PASSWORD)).res, 200, 'login as admin');
});

test('finding 14: GET /roles and /permissions need role:admin; /roles/assignable gives a township administrator only what it may assign', async (ctx) => {
    const s = await ctx.server();
    const town = await token(s, 'town');
    const county = await token(s, 'county');
    for (const [who, t] of [['township_admin', town], ['county_admin', county]]) {
        assertError(await s.api('GET', '/api/v1/roles', { token: t }), 403, null, `${who} GET /roles`);
        assertError(await s.api('GET', '/api/v1/permissions', { token: t }), 403, null, `${who} GET /permissions`);
    }
    assertStatus(await s.admin('GET', '/api/v1/roles'), 200, 'admin GET /roles');
    const a = await s.api('GET', '/api/v1/roles/assignable', { token: town });
    assertStatus(a, 200, 'township_admin GET /roles/assignable');
    const names = a.json.items.map((r) => r.name);
    assert.ok(names.includes('village_worker') && names.includes('reviewer'), `assignable lacks village_worker or reviewer: ${names}`);
    assert.ok(!names.includes('sysadmin'), 'assignable offers sysadmin to a township administrator');
    for (const r of a.json.items) assert.ok(!('permissions' in r) && r.label, `assignable shows permissions or no label: ${JSON.stringify(r)}`);
    const own = a.json.items.find((r) => r.name === 'township_admin');
    assert.ok(own && own.home_region === false, `township_admin should be assignable only below the township: ${JSON.stringify(own)}`);
    assert.ok(a.json.items.find((r) => r.name === 'village_worker').home_region === true, 'village_worker is assignable in the township itself');
    assertError(await s.api('GET', '/api/v1/roles/assignable', { token: await token(s, 'village') }), 403, null, 'village_worker GET /roles/assignable');
});
