'use strict';
// Acceptance: login lockout. Five wrong passwords lock the account (the sixth
// attempt and even the right password get 429 until the lock ends), an
// unknown username behaves exactly the same, the login log shows every
// attempt, and an address that fails for several usernames is locked too.
const { test, assert, assertError, assertStatus, brief, sleep, login, ADMIN_PASSWORD } = require('./lib');

// The results of the login log for a filter, oldest first.
async function logResults(s, query) {
    const r = await s.admin('GET', `/api/v1/login-log?${query}&page_size=100`);
    assertStatus(r, 200, `GET /login-log?${query}`);
    return r.json.items.slice().reverse().map((x) => x.result);
}

function assertLocked(res, what, maxWait) {
    const e = assertError(res, 429, null, what);
    assert.strictEqual(e.code, 'rate_limited', `${what}: error.code`);
    assert.ok(Number.isInteger(e.retry_after) && e.retry_after >= 1 && e.retry_after <= maxWait, `${what}: error.retry_after ${e.retry_after}, expected 1..${maxWait}`);
    const h = res.headers['retry-after'];
    assert.ok(h !== undefined && /^\d+$/.test(h), `${what}: Retry-After header ${h}`);
    assert.strictEqual(Number(h), e.retry_after, `${what}: Retry-After header and retry_after differ`);
    return e;
}

test('six wrong passwords: 401 ×5 then 429; the right one waits for the lock; an unknown username is no different', async (ctx) => {
    // 10 s: on a loaded machine the two sequences' password hashes alone
    // have taken longer than a 3 s lock, which then ended before it was tried.
    const s = await ctx.serverWith({ args: ['--lock-duration', '10'] });
    const ghost = 'nosuchuser-lock';
    // The same sequence for a real account and for a name that does not exist,
    // run side by side.
    const sequence = async (username) => {
        const out = [];
        for (let i = 1; i <= 5; i++) out.push(await login(s, username, `Wrong-pass-${i}x`));
        out.push(await login(s, username, 'Wrong-pass-6x'));
        return out;
    };
    const [real, fake] = await Promise.all([sequence('village'), sequence(ghost)]);
    for (const [who, seq] of [['village', real], [ghost, fake]]) {
        for (let i = 0; i < 5; i++) {
            const e = assertError(seq[i].res, 401, null, `${who}: wrong password #${i + 1}`);
            assert.strictEqual(e.code, 'invalid_credentials', `${who}: wrong password #${i + 1}: error.code`);
            assert.strictEqual(seq[i].cookie, null, `${who}: a failed login set a cookie`);
        }
        assertLocked(seq[5].res, `${who}: wrong password #6`, 10);
    }
    // Indistinguishable replies.
    for (let i = 0; i < 6; i++) {
        const a = real[i].json.error, b = fake[i].json.error;
        assert.deepStrictEqual(
            [real[i].status, a.code, a.message, Object.keys(a).sort()],
            [fake[i].status, b.code, b.message, Object.keys(b).sort()],
            `attempt #${i + 1}: an unknown username answers differently from a real one:\n  real: ${brief(real[i].res)}\n  unknown: ${brief(fake[i].res)}`
        );
    }

    // The right password is refused while the lock lasts…
    const during = await login(s, 'village', ADMIN_PASSWORD);
    const e = assertLocked(during.res, 'the right password during the lock', 10);
    assert.strictEqual(during.cookie, null, 'a locked login set a cookie');
    // …while another account from the same address still logs in.
    assertStatus((await login(s, 'town', ADMIN_PASSWORD)).res, 200, 'another account during the lock');

    await sleep(e.retry_after * 1000 + 1100);
    const after = await login(s, 'village', ADMIN_PASSWORD);
    assertStatus(after.res, 200, 'the right password after the lock ended');
    assert.ok(after.cookie, 'no cookie after the lock ended');

    assert.deepStrictEqual(
        await logResults(s, 'username=village'),
        ['bad_password', 'bad_password', 'bad_password', 'bad_password', 'bad_password', 'locked', 'locked', 'ok'],
        'login log of village'
    );
    assert.deepStrictEqual(
        await logResults(s, `username=${ghost}`),
        ['unknown_user', 'unknown_user', 'unknown_user', 'unknown_user', 'unknown_user', 'locked'],
        `login log of ${ghost}`
    );
    const entries = (await s.admin('GET', '/api/v1/login-log?username=village&page_size=1')).json.items;
    assert.ok(entries[0].ip === '127.0.0.1' && entries[0].at, `login log entry without ip or time: ${JSON.stringify(entries[0])}`);
    // The county administrator sees the same for its own user, lock events included.
    const county = (await s.cli(['token', 'create', '--db', s.db, '--username', 'county'])).stdout.trim();
    const cv = await s.api('GET', '/api/v1/login-log?username=village&page_size=100', { token: county });
    assertStatus(cv, 200, 'county_admin GET /login-log');
    assert.deepStrictEqual(
        cv.json.items.slice().reverse().map((x) => x.result),
        ['bad_password', 'bad_password', 'bad_password', 'bad_password', 'bad_password', 'locked', 'locked', 'ok'],
        "county_admin's login log of its village worker (lock events must not be missing)"
    );
});

test('address lock: --ip-lock-attempts 3 across different usernames', async (ctx) => {
    // Two client addresses through a trusted proxy on loopback.
    const s = await ctx.serverWith({ args: ['--ip-lock-attempts', '3', '--lock-duration', '3', '--trusted-proxy', '127.0.0.1/32'] });
    const A = { 'X-Forwarded-For': '198.51.100.8' };
    const B = { 'X-Forwarded-For': '198.51.100.7' };
    const fails = await Promise.all(['village', 'town', 'county'].map((u) => login(s, u, 'Wrong-pass-2025x', { headers: A })));
    fails.forEach((f, i) => assertError(f.res, 401, null, `wrong password #${i + 1} from ${A['X-Forwarded-For']}`));
    // The address is locked for any username, even with the right password.
    const locked = await login(s, 'admin', ADMIN_PASSWORD, { headers: A });
    const e = assertLocked(locked.res, 'admin with the right password from the locked address', 3);
    assertLocked((await login(s, 'nosuchuser-ip', 'Whatever-2025x', { headers: A })).res, 'an unknown username from the locked address', 3);
    // Another address is not.
    assertStatus((await login(s, 'admin', ADMIN_PASSWORD, { headers: B })).res, 200, 'admin from another address');
    // Each account had one failure only: no account lock.
    await sleep(e.retry_after * 1000 + 1100);
    assertStatus((await login(s, 'village', ADMIN_PASSWORD, { headers: A })).res, 200, 'village from the address after the lock ended');
    const results = await logResults(s, 'ip=198.51.100.8');
    assert.deepStrictEqual(results.slice(0, 3).sort(), ['bad_password', 'bad_password', 'bad_password'], `login log of the address: ${results}`);
    assert.deepStrictEqual(results.slice(3), ['locked', 'locked', 'ok'], `login log of the address: ${results}`);
});
