'use strict';
// Hardening, finding 3 (long work): imports, exports and reports run on a
// pool of their own (ROUTE_LONG), so that large exports filling it leave the
// threads that read requests free: /healthz and a short API read still
// answer at once. Both backends (the rows are made with SQL both take).
const lib = require('./lib');
const { test, assert, assertStatus, sqlite, rawHttp, sleep } = lib;

const ROWS = 60000;

async function timed(fn) {
    const t0 = Date.now();
    const r = await fn();
    return { r, ms: Date.now() - t0 };
}

test('long work: four large exports at once leave /healthz and a short read answering (the long pool)', { timeout: 420000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    await sqlite(
        c.db,
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS}) ` +
            "INSERT INTO volunteers (region, created_at, updated_at, created_by, name, team, joined_on, hours) " +
            "SELECT '511621101001', '2025-01-01T00:00:00+08:00', '2025-01-01T00:00:00+08:00', 'bench', " +
            "'志愿者' || i, '安全志愿服务队', '2025-03-01', 10 FROM n",
    );
    // The server reads requests on 2 threads (the harness's --threads 2).
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const path = '/api/v1/volunteers/export.xlsx?region=511621101001';
    const alone = await timed(() => s.admin('GET', path));
    assertStatus(alone.r, 200, 'one export');
    // The test tells the pools apart only when an export takes a while.
    assert.ok(alone.ms >= 1000, `one export of ${ROWS} rows took ${alone.ms} ms: too quick to tell`);
    // Four take about twice one's time on the long pool; under load one alone
    // has taken 28 s (AddressSanitizer, PostgreSQL), so wait long enough.
    const exports = [1, 2, 3, 4].map(() => s.admin('GET', path, { timeout: Math.max(60000, alone.ms * 6) }));
    await sleep(300);
    // A fresh connection each: no kept connection a busy thread already holds.
    const h = await timed(() => rawHttp(s.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    assert.strictEqual(h.r.status, 200, '/healthz answers');
    const read = await timed(() =>
        rawHttp(s.port, `GET /api/v1/regions/511621101000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.token}\r\nConnection: close\r\n\r\n`),
    );
    assert.strictEqual(read.r.status, 200, 'a short read answers');
    const limit = Math.min(1000, alone.ms / 2);
    assert.ok(h.ms < limit, `/healthz took ${h.ms} ms while four exports ran (one alone: ${alone.ms} ms)`);
    assert.ok(read.ms < limit, `a point read took ${read.ms} ms while four exports ran (one alone: ${alone.ms} ms)`);
    const metrics = await rawHttp(s.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(metrics.text, /safecomm_http_long_queue \d+/, 'the long queue is a metric');
    for (const r of await Promise.all(exports)) assertStatus(r, 200, 'each export finishes');
});
