'use strict';
// Acceptance: browser sessions. The login cookie (HttpOnly, SameSite=Strict),
// CSRF tokens on unsafe methods, Bearer tokens without them, idle and absolute
// expiry, logout of one or all sessions, password change (voluntary and
// forced), and the client address behind a trusted proxy only.
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

const VILLAGE = '511621101001';
const NEW_PASSWORD = 'Changed-pass-2025#';

function vol(name) {
    return { name, region: VILLAGE };
}

async function mustLogin(s, username, password, what) {
    const l = await login(s, username, password);
    assertStatus(l.res, 200, `${what || 'login ' + username}`);
    assert.ok(l.cookie, `${what || 'login ' + username}: no sc_session cookie set: ${l.setCookie}`);
    assert.ok(l.csrf, `${what || 'login ' + username}: no csrf_token in ${brief(l.res)}`);
    return l;
}

async function countByName(s, name) {
    const r = await s.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent(name)}&page_size=10`);
    assertStatus(r, 200, `admin q=${name}`);
    return r.json.total;
}

test('login sets an HttpOnly SameSite=Strict cookie; unsafe methods need the CSRF token; Bearer tokens do not', async (ctx) => {
    const s = await ctx.server();
    // Wrong credentials: 401 invalid_credentials and no cookie.
    const bad = await login(s, 'village', 'wrong-Password-1');
    const e = assertError(bad.res, 401, null, 'login with a wrong password');
    assert.strictEqual(e.code, 'invalid_credentials');
    assert.strictEqual(bad.cookie, null, `a failed login set a cookie: ${bad.setCookie}`);

    const l = await mustLogin(s, 'village', ADMIN_PASSWORD);
    assert.match(l.setCookie, /;\s*HttpOnly/i, `cookie not HttpOnly: ${l.setCookie}`);
    assert.match(l.setCookie, /;\s*SameSite=Strict/i, `cookie not SameSite=Strict: ${l.setCookie}`);
    assert.match(l.setCookie, /;\s*Path=\//i, `cookie without Path=/: ${l.setCookie}`);
    assert.doesNotMatch(l.setCookie, /;\s*Secure/i, `Secure cookie over plain HTTP without --cookie-secure: ${l.setCookie}`);
    assert.match(l.csrf, /^[0-9a-f]{32,}$/i, `csrf_token ${l.csrf}`);
    assert.strictEqual(l.json.user.username, 'village');
    assert.strictEqual(l.json.user.role, 'village_worker');
    assert.strictEqual(l.json.user.region, VILLAGE);
    assert.ok(Array.isArray(l.json.user.permissions), 'user.permissions');
    assert.strictEqual(l.json.user.must_change_password, false);

    // GET /session with the cookie; 401 without.
    const who = await withCookie(s, 'GET', '/api/v1/session', l.cookie);
    assertStatus(who, 200, 'GET /session with the cookie');
    assert.strictEqual(who.json.user.username, 'village');
    assert.strictEqual(who.json.csrf_token, l.csrf, 'GET /session returns the same csrf_token');
    assertError(await s.api('GET', '/api/v1/session'), 401, null, 'GET /session without a cookie');
    assertError(await withCookie(s, 'GET', '/api/v1/session', 'sc_session=not-a-session'), 401, null, 'GET /session with a made-up cookie');

    // Safe methods need no token.
    assertStatus(await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', l.cookie), 200, 'GET with the cookie');

    // Unsafe methods: no token, a wrong token, another session's token → 403 csrf_failed.
    const other = await mustLogin(s, 'town', ADMIN_PASSWORD);
    const name1 = `CSRF测试${RUN_TAG}a`;
    for (const [what, csrf] of [
        ['no X-CSRF-Token', undefined],
        ['an empty X-CSRF-Token', ''],
        ['a wrong X-CSRF-Token', '0'.repeat(l.csrf.length)],
        ["another session's X-CSRF-Token", other.csrf],
    ]) {
        const headers = csrf === '' ? { 'X-CSRF-Token': '' } : {};
        const r = await withCookie(s, 'POST', '/api/v1/volunteers', l.cookie, { csrf: csrf || undefined, body: vol(name1), headers });
        const er = assertError(r, 403, null, `POST with the cookie and ${what}`);
        assert.strictEqual(er.code, 'csrf_failed', `POST with ${what}: error.code`);
    }
    assert.strictEqual(await countByName(s, name1), 0, 'a POST refused for CSRF stored its row');

    // With the token: accepted.
    const ok = await withCookie(s, 'POST', '/api/v1/volunteers', l.cookie, { csrf: l.csrf, body: vol(name1) });
    assertStatus(ok, 201, 'POST with the cookie and the right X-CSRF-Token');
    assert.strictEqual(ok.json.created_by, 'village');
    const id = ok.json.id;

    // PATCH and DELETE likewise.
    assertError(await withCookie(s, 'PATCH', `/api/v1/volunteers/${id}`, l.cookie, { body: { hours: 3 } }), 403, null, 'PATCH without the token');
    assertError(await withCookie(s, 'DELETE', `/api/v1/volunteers/${id}`, l.cookie), 403, null, 'DELETE without the token');
    assertError(await withCookie(s, 'DELETE', '/api/v1/sessions', l.cookie), 403, null, 'DELETE /sessions without the token');
    assertStatus(await withCookie(s, 'GET', `/api/v1/volunteers/${id}`, l.cookie), 200, 'the row survived the refused DELETE');
    const p = await withCookie(s, 'PATCH', `/api/v1/volunteers/${id}`, l.cookie, { csrf: l.csrf, body: { hours: 3 } });
    assertStatus(p, 200, 'PATCH with the token');
    assert.strictEqual(p.json.hours, 3);
    assertStatus(await withCookie(s, 'DELETE', `/api/v1/volunteers/${id}`, l.cookie, { csrf: l.csrf }), 204, 'DELETE with the token');

    // A Bearer token needs no CSRF header.
    const tok = (await s.cli(['token', 'create', '--db', s.db, '--username', 'village'])).stdout.trim();
    const name2 = `CSRF测试${RUN_TAG}b`;
    const b = await s.api('POST', '/api/v1/volunteers', { token: tok, body: vol(name2) });
    assertStatus(b, 201, 'POST with a Bearer token and no X-CSRF-Token');
    assertStatus(await s.api('DELETE', `/api/v1/volunteers/${b.json.id}`, { token: tok }), 204, 'DELETE with a Bearer token');
});

test('logout revokes the cookie; DELETE /sessions logs out all my sessions', async (ctx) => {
    const s = await ctx.server();
    const a = await mustLogin(s, 'village', ADMIN_PASSWORD, 'login A');
    const out = await withCookie(s, 'DELETE', '/api/v1/session', a.cookie, { csrf: a.csrf });
    assertStatus(out, 204, 'DELETE /session');
    assert.match(out.headers['set-cookie'] || '', /sc_session=;|Max-Age=0|expires=Thu, 01 Jan 1970/i, `logout does not clear the cookie: ${out.headers['set-cookie']}`);
    assertError(await withCookie(s, 'GET', '/api/v1/session', a.cookie), 401, null, 'the logged-out cookie');
    assertError(await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', a.cookie), 401, null, 'the logged-out cookie on the API');

    const b = await mustLogin(s, 'village', ADMIN_PASSWORD, 'login B');
    const c = await mustLogin(s, 'village', ADMIN_PASSWORD, 'login C');
    const d = await mustLogin(s, 'town', ADMIN_PASSWORD, 'login D (another user)');
    for (const [n, x] of [['B', b], ['C', c], ['D', d]]) assertStatus(await withCookie(s, 'GET', '/api/v1/session', x.cookie), 200, `session ${n} before`);
    assertStatus(await withCookie(s, 'DELETE', '/api/v1/sessions', b.cookie, { csrf: b.csrf }), 204, 'DELETE /sessions with B');
    assertError(await withCookie(s, 'GET', '/api/v1/session', b.cookie), 401, null, 'session B after DELETE /sessions');
    assertError(await withCookie(s, 'GET', '/api/v1/session', c.cookie), 401, null, 'session C (same user) after DELETE /sessions');
    assertStatus(await withCookie(s, 'GET', '/api/v1/session', d.cookie), 200, "another user's session D after DELETE /sessions");
    // A new login works again.
    const e = await mustLogin(s, 'village', ADMIN_PASSWORD, 'login after DELETE /sessions');

    // Logout is an unsafe method too: with the cookie of a live session it
    // needs the token (else a cross-site request could log the user out).
    const forced = await withCookie(s, 'DELETE', '/api/v1/session', e.cookie);
    const stillIn = await withCookie(s, 'GET', '/api/v1/session', e.cookie);
    assert.ok(
        forced.status === 403 && forced.json && forced.json.error && forced.json.error.code === 'csrf_failed' && stillIn.status === 200,
        `DELETE /session with the cookie but no X-CSRF-Token must be 403 csrf_failed and leave the session alone; got ${brief(forced)}, then GET /session ${stillIn.status}`
    );
});

test('idle expiry: --session-idle 4, ~5 s without a request → 401; a session in use stays alive', async (ctx) => {
    // 4 s, not less: on a loaded machine a login's password hash alone can
    // take two seconds, and the first request must come within the limit.
    const s = await ctx.serverWith({ args: ['--session-idle', '4'] });
    const [idle, busy] = await Promise.all([mustLogin(s, 'village', ADMIN_PASSWORD, 'login (idle)'), mustLogin(s, 'town', ADMIN_PASSWORD, 'login (busy)')]);
    assertStatus(await withCookie(s, 'GET', '/api/v1/session', idle.cookie), 200, 'at once');
    const t0 = Date.now();
    // Meanwhile the busy session sends a request every 0.7 s: never 4 s without one.
    const seen = [];
    const pinger = (async () => {
        while (Date.now() - t0 < 5600) {
            const r = await withCookie(s, 'GET', '/api/v1/session', busy.cookie);
            seen.push(`${((Date.now() - t0) / 1000).toFixed(1)}s:${r.status}`);
            await sleep(700);
        }
    })();
    await sleep(5300);
    const r = await withCookie(s, 'GET', '/api/v1/session', idle.cookie);
    const w = await withCookie(s, 'POST', '/api/v1/volunteers', idle.cookie, { csrf: idle.csrf, body: vol(`过期${RUN_TAG}`) });
    await pinger;
    const problems = [];
    if (r.status !== 401) problems.push(`an idle session after 5.3 s: expected 401, got ${brief(r)}`);
    if (w.status !== 401) problems.push(`a write with the idle-expired session: expected 401, got ${brief(w)}`);
    if (!seen.every((x) => x.endsWith(':200'))) problems.push(`a session used every 0.7 s was refused although it never sat idle for 4 s: ${seen.join(' ')}`);
    assert.strictEqual(problems.length, 0, problems.join('\n'));
    // Tokens are not sessions: unaffected.
    assertStatus(await s.admin('GET', '/api/v1/session'), 200, 'a Bearer token after the idle limit');
    // A fresh login works.
    await mustLogin(s, 'village', ADMIN_PASSWORD, 'login again');
});

test('absolute limit: --session-max 3 ends a session in use after 3 s', async (ctx) => {
    const s = await ctx.serverWith({ args: ['--session-max', '3'] });
    // The session is created somewhere inside the login request, which a
    // loaded machine can stretch over a second or more: "not before 3 s" is
    // measured from the request's start, "not late" from its answer.
    const tStart = Date.now();
    const l = await mustLogin(s, 'village', ADMIN_PASSWORD);
    const t0 = Date.now();
    const early = (t0 - tStart) / 1000;
    const seen = [`login ${early.toFixed(1)}s`];
    let expiredAt = null;
    while (Date.now() - t0 < 7000) {
        const r = await withCookie(s, 'GET', '/api/v1/session', l.cookie);
        const t = (Date.now() - t0) / 1000;
        seen.push(`${t.toFixed(1)}s:${r.status}`);
        if (r.status === 401) {
            expiredAt = t;
            break;
        }
        assertStatus(r, 200, `at ${t.toFixed(1)} s`);
        await sleep(400);
    }
    assert.ok(expiredAt !== null, `the session outlived --session-max 3: ${seen.join(' ')}`);
    assert.ok(expiredAt + early >= 3, `the session ended before 3 s: ${seen.join(' ')}`);
    assert.ok(expiredAt < 5.5, `the session ended late: ${seen.join(' ')}`);
    assertError(await withCookie(s, 'GET', '/api/v1/session', l.cookie), 401, null, 'and stays ended');
});

test('password change: wrong old 422, weak new 422, success 204, the old password no longer logs in', async (ctx) => {
    const s = await ctx.server();
    await s.createUser(`pw${RUN_TAG}`, 'village_worker', VILLAGE);
    const user = `pw${RUN_TAG}`;
    const a = await mustLogin(s, user, USER_PASSWORD, 'login A');
    const b = await mustLogin(s, user, USER_PASSWORD, 'login B');
    const change = (body, csrf = a.csrf) => withCookie(s, 'POST', '/api/v1/session/password', a.cookie, { csrf, body });

    assertError(await change({ old_password: USER_PASSWORD, new_password: NEW_PASSWORD }, null), 403, null, 'without the CSRF token');
    let e = assertError(await change({ old_password: 'Not-the-old-1', new_password: NEW_PASSWORD }), 422, 'old_password', 'a wrong old password');
    assert.strictEqual(e.code, 'validation_failed');
    for (const weak of ['short1A', 'alllowercaseletters', '1234567890', 'abcdefghij1']) {
        assertError(await change({ old_password: USER_PASSWORD, new_password: weak }), 422, 'new_password', `weak new password ${weak}`);
    }
    assertError(await change({ old_password: USER_PASSWORD, new_password: USER_PASSWORD }), 422, 'new_password', 'the same password again');
    assertError(await change({ old_password: USER_PASSWORD }), 422, 'new_password', 'no new password');
    // Nothing changed so far.
    assertStatus((await login(s, user, USER_PASSWORD)).res, 200, 'the old password still works before the change');

    assertStatus(await change({ old_password: USER_PASSWORD, new_password: NEW_PASSWORD }), 204, 'a good change');
    assertStatus(await withCookie(s, 'GET', '/api/v1/session', a.cookie), 200, 'the session that changed the password continues');
    assertError(await withCookie(s, 'GET', '/api/v1/session', b.cookie), 401, null, 'another session of the user ends');
    const old = await login(s, user, USER_PASSWORD);
    e = assertError(old.res, 401, null, 'the old password after the change');
    assert.strictEqual(e.code, 'invalid_credentials');
    await mustLogin(s, user, NEW_PASSWORD, 'the new password');
});

test('forced change: a user created through the API must change the password first; API tokens are never blocked', async (ctx) => {
    const s = await ctx.server();
    const user = `new${RUN_TAG}`;
    const c = await s.admin('POST', '/api/v1/users', {
        body: { username: user, display_name: '新用户', role: 'village_worker', region: VILLAGE, password: USER_PASSWORD },
    });
    assertStatus(c, 201, 'admin POST /users');
    assert.strictEqual(c.json.must_change_password, true, `a user created through the API: must_change_password ${c.json.must_change_password}`);
    const tok = (await s.cli(['token', 'create', '--db', s.db, '--username', user])).stdout.trim();

    const l = await mustLogin(s, user, USER_PASSWORD);
    assert.strictEqual(l.json.user.must_change_password, true, 'login reply: must_change_password');
    const blocked = [
        ['GET /volunteers', await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', l.cookie)],
        ['GET /regions', await withCookie(s, 'GET', `/api/v1/regions/${VILLAGE}`, l.cookie)],
        ['POST /volunteers', await withCookie(s, 'POST', '/api/v1/volunteers', l.cookie, { csrf: l.csrf, body: vol(`强制改密${RUN_TAG}`) })],
        ['GET /meta/entities', await withCookie(s, 'GET', '/api/v1/meta/entities', l.cookie)],
    ];
    for (const [what, r] of blocked) {
        const e = assertError(r, 403, null, `${what} before the change`);
        assert.strictEqual(e.code, 'password_change_required', `${what}: error.code`);
    }
    // What stays open: GET /session, the token's API calls, DELETE /sessions.
    const who = await withCookie(s, 'GET', '/api/v1/session', l.cookie);
    assertStatus(who, 200, 'GET /session before the change');
    assert.strictEqual(who.json.user.must_change_password, true);
    assertStatus(await s.api('GET', '/api/v1/volunteers?page_size=1', { token: tok }), 200, 'the API token before the change');
    const tw = await s.api('POST', '/api/v1/volunteers', { token: tok, body: vol(`令牌写入${RUN_TAG}`) });
    assertStatus(tw, 201, 'a write with the API token before the change');
    const x = await mustLogin(s, user, USER_PASSWORD, 'a second session');
    assertStatus(await withCookie(s, 'DELETE', '/api/v1/sessions', x.cookie, { csrf: x.csrf }), 204, 'DELETE /sessions while a change is pending');
    // "Log out everywhere" revokes the API tokens too (issue 12).
    assertError(await s.api('GET', '/api/v1/volunteers?page_size=1', { token: tok }), 401, null, 'the API token after DELETE /sessions');
    const tok2 = (await s.cli(['token', 'create', '--db', s.db, '--username', user])).stdout.trim();

    const l2 = await mustLogin(s, user, USER_PASSWORD, 'login again');
    assertStatus(
        await withCookie(s, 'POST', '/api/v1/session/password', l2.cookie, { csrf: l2.csrf, body: { old_password: USER_PASSWORD, new_password: NEW_PASSWORD } }),
        204,
        'POST /session/password'
    );
    assertStatus(await withCookie(s, 'GET', '/api/v1/volunteers?page_size=1', l2.cookie), 200, 'GET /volunteers after the change');
    const who2 = await withCookie(s, 'GET', '/api/v1/session', l2.cookie);
    assert.strictEqual(who2.json.user.must_change_password, false, 'must_change_password after the change');
    // The own password change revokes every token as well (issue 12).
    assertError(await s.api('GET', '/api/v1/volunteers?page_size=1', { token: tok2 }), 401, null, 'the API token after the change');
});

async function lastLoginIp(s, username) {
    const r = await s.admin('GET', `/api/v1/login-log?username=${encodeURIComponent(username)}&page_size=5`);
    assertStatus(r, 200, 'GET /login-log');
    assert.ok(r.json.items.length > 0, `no login-log entry for ${username}`);
    return r.json.items[0].ip;
}

async function lastAuditIp(s, entity, id) {
    const r = await s.admin('GET', `/api/v1/audit?entity=${entity}&entity_id=${id}`);
    assertStatus(r, 200, 'GET /audit');
    assert.ok(r.json.items.length > 0, `no audit entry for ${entity} ${id}`);
    return r.json.items[0].ip;
}

test('X-Forwarded-For counts only from a --trusted-proxy peer', async (ctx) => {
    const XFF = { 'X-Forwarded-For': '203.0.113.9' };
    // No trusted proxy: the peer's address, whatever the header says.
    const s = await ctx.server();
    assertStatus((await login(s, 'village', ADMIN_PASSWORD, { headers: XFF })).res, 200, 'login with X-Forwarded-For');
    assert.strictEqual(await lastLoginIp(s, 'village'), '127.0.0.1', 'login log ip without --trusted-proxy');
    assertError((await login(s, 'town', 'Wrong-pass-2025', { headers: XFF })).res, 401, null, 'failed login with X-Forwarded-For');
    assert.strictEqual(await lastLoginIp(s, 'town'), '127.0.0.1', 'login log ip of a failure without --trusted-proxy');
    const v = await s.admin('POST', '/api/v1/volunteers', { body: vol(`代理${RUN_TAG}a`), headers: XFF });
    assertStatus(v, 201, 'POST with X-Forwarded-For');
    assert.strictEqual(await lastAuditIp(s, 'volunteers', v.json.id), '127.0.0.1', 'audit ip without --trusted-proxy');

    // Behind a trusted proxy (and with --cookie-secure 1).
    const t = await ctx.serverWith({ args: ['--trusted-proxy', '127.0.0.1/32', '--cookie-secure', '1'] });
    const l = await login(t, 'village', ADMIN_PASSWORD, { headers: XFF });
    assertStatus(l.res, 200, 'login through the trusted proxy');
    assert.match(l.setCookie, /;\s*Secure/i, `--cookie-secure 1: cookie not Secure: ${l.setCookie}`);
    assert.strictEqual(await lastLoginIp(t, 'village'), '203.0.113.9', 'login log ip with --trusted-proxy 127.0.0.1/32');
    // The right-most address not itself a trusted proxy; garbage is ignored.
    assertStatus((await login(t, 'town', ADMIN_PASSWORD, { headers: { 'X-Forwarded-For': '198.51.100.1, 203.0.113.10' } })).res, 200, 'login with two addresses');
    assert.strictEqual(await lastLoginIp(t, 'town'), '203.0.113.10', 'login log ip with a two-address X-Forwarded-For');
    assertStatus((await login(t, 'county', ADMIN_PASSWORD, { headers: { 'X-Forwarded-For': 'not-an-address' } })).res, 200, 'login with a garbage X-Forwarded-For');
    assert.strictEqual(await lastLoginIp(t, 'county'), '127.0.0.1', 'login log ip with a garbage X-Forwarded-For');
    const w = await t.admin('POST', '/api/v1/volunteers', { body: vol(`代理${RUN_TAG}b`), headers: XFF });
    assertStatus(w, 201, 'POST through the trusted proxy');
    assert.strictEqual(await lastAuditIp(t, 'volunteers', w.json.id), '203.0.113.9', 'audit ip with --trusted-proxy');
});
