'use strict';
// Basics: health, authentication, security headers, metrics, unknown paths.
const { test, assert, assertError, assertStatus, brief } = require('./lib');

const SECURITY_HEADERS = ['x-content-type-options', 'x-frame-options', 'content-security-policy', 'referrer-policy'];

function assertSecurityHeaders(res, what) {
    for (const h of SECURITY_HEADERS) assert.ok(res.headers[h], `${what}: header ${h} missing (status ${res.status})`);
    assert.strictEqual(res.headers['x-content-type-options'].toLowerCase(), 'nosniff', `${what}: X-Content-Type-Options`);
    assert.match(res.headers['x-frame-options'], /^(DENY|SAMEORIGIN)$/i, `${what}: X-Frame-Options`);
    assert.match(res.headers['content-security-policy'], /default-src|frame-ancestors/, `${what}: Content-Security-Policy`);
}

test('healthz answers 200 {"status":"ok"} without authentication', async (ctx) => {
    const s = await ctx.server();
    const r = await s.api('GET', '/healthz');
    assertStatus(r, 200, 'GET /healthz');
    assert.deepStrictEqual(r.json, { status: 'ok' });
});

test('API without a token (or with a bad one) is 401 with the error envelope', async (ctx) => {
    const s = await ctx.server();
    for (const p of ['/api/v1/volunteers', '/api/v1/activities', '/api/v1/regions', '/api/v1/dicts/sex', '/api/v1/meta/entities']) {
        const e = assertError(await s.api('GET', p), 401, null, `GET ${p} without token`);
        assert.strictEqual(e.code, 'unauthorized', `GET ${p}: error.code`);
    }
    const r = await s.api('POST', '/api/v1/activities', { body: { title: 'x' } });
    assertError(r, 401, null, 'POST without token');
    for (const token of ['not-a-token', 'A'.repeat(64), s.token + 'x']) {
        const e = assertError(await s.api('GET', '/api/v1/volunteers', { token }), 401, null, `bad token ${token.slice(0, 12)}`);
        assert.strictEqual(e.code, 'unauthorized');
    }
    // Malformed Authorization headers.
    for (const h of ['Bearer', 'Basic YWRtaW46eA==', `bearer${s.token}`]) {
        const r2 = await s.api('GET', '/api/v1/volunteers', { headers: { Authorization: h } });
        assertError(r2, 401, null, `Authorization: ${h.slice(0, 20)}`);
    }
    // And the real token works.
    assertStatus(await s.admin('GET', '/api/v1/volunteers?page_size=1'), 200, 'with the admin token');
});

test('security headers on API replies, errors and 404s', async (ctx) => {
    const s = await ctx.server();
    const cases = [
        ['GET /healthz', await s.api('GET', '/healthz')],
        ['GET /api/v1/volunteers', await s.admin('GET', '/api/v1/volunteers?page_size=1')],
        ['401', await s.api('GET', '/api/v1/volunteers')],
        ['404 unknown API path', await s.admin('GET', '/api/v1/no_such_thing')],
        ['404 unknown id', await s.admin('GET', '/api/v1/volunteers/999999999')],
        ['non-API path', await s.api('GET', '/no/such/page-' + Date.now() + '.txt')],
        ['400 bad page_size', await s.admin('GET', '/api/v1/volunteers?page_size=0')],
    ];
    for (const [what, res] of cases) assertSecurityHeaders(res, what);
    const j = cases[1][1];
    assert.match(j.headers['content-type'] || '', /application\/json/, 'API replies are application/json');
    assert.match(cases[2][1].headers['content-type'] || '', /application\/json/, 'errors are application/json');
});

test('/metrics is Prometheus text with safecomm_http_requests_total', async (ctx) => {
    const s = await ctx.server();
    await s.api('GET', '/healthz');
    await s.api('GET', '/api/v1/volunteers'); // a 401
    await s.admin('GET', '/api/v1/volunteers?page_size=1');
    const r = await s.api('GET', '/metrics');
    assertStatus(r, 200, 'GET /metrics');
    assert.match(r.headers['content-type'] || '', /^text\/plain/, 'content type');
    assert.ok(r.text.includes('safecomm_http_requests_total'), 'safecomm_http_requests_total missing');
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?$/;
    let samples = 0;
    for (const line of r.text.split('\n')) {
        if (line === '' || line.startsWith('#')) continue;
        assert.match(line, sample, `not a Prometheus sample line: ${JSON.stringify(line)}`);
        samples++;
    }
    assert.ok(samples > 0, 'no samples');
    const reqLines = r.text.split('\n').filter((l) => l.startsWith('safecomm_http_requests_total'));
    const total = reqLines.reduce((a, l) => a + Number(l.trim().split(' ').pop()), 0);
    assert.ok(total >= 3, `safecomm_http_requests_total sums to ${total} after 3+ requests`);
    assert.ok(reqLines.some((l) => /401/.test(l)), 'no series for the 401 reply');
});

test('unknown /api path is 404 with the error envelope', async (ctx) => {
    const s = await ctx.server();
    for (const p of ['/api/v1/no_such_thing', '/api/v1/no_such_thing/12', '/api/v2/volunteers', '/api/v1/volunteers/999999999']) {
        assertError(await s.admin('GET', p), 404, null, `GET ${p}`);
    }
    // Unknown entity for the other methods too.
    assertError(await s.admin('POST', '/api/v1/no_such_thing', { body: {} }), [404, 405], null, 'POST unknown');
    // Never a 5xx, never an HTML page for an API path.
    // Path traversal, sent raw (fetch would normalise the path).
    for (const p of ['/api/v1/../../../../etc/passwd', '/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd']) {
        const r = await s.raw(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        // 4xx, or the UI's index page (an SPA fallback), never a file outside the web root.
        assert.ok(r.status >= 200 && r.status < 500, `GET ${p}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.ok(!/root:/.test(r.text), `GET ${p} returned a system file`);
    }
});
