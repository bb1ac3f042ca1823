'use strict';
// Hardening (issue 12), the HTTP core: idle and slow connections must not
// take the server offline (finding 2), and a request's framing is read one
// way only (finding 13). Loopback only: 127.0.0.2 … are loopback addresses on
// Linux too, so the idle connections come from several client addresses.
//
// Open files: 1,100 sockets need more than the usual soft limit of 1,024.
// Node raises its own soft limit to the hard one at start-up (and the server,
// its child, inherits it and raises its own likewise); the first test checks
// the limit and says so when the hard limit itself is too low.
const fs = require('node:fs');
const net = require('node:net');
const { test, assert, assertError, assertStatus, brief, demoRegions, sleep, RUN_TAG } = require('./lib');

const HEAD_DEADLINE_S = 30; // the server's default (src/http.c); not configurable
const PER_IP_DEFAULT = 128; // HTTP_PER_IP_LIMIT_DEFAULT (src/http.h)

// Opens a connection from localAddress and sends a request head that never
// ends. Resolves the socket once written; sock.closedAt is set when the
// server closes it.
function idleConnection(port, localAddress, head = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pending: ') {
    return new Promise((resolve, reject) => {
        const sock = net.connect({ port, host: '127.0.0.1', localAddress });
        sock.closedAt = 0;
        sock.on('error', () => {});
        sock.on('close', () => {
            sock.closedAt = Date.now();
        });
        sock.setTimeout(10000, () => reject(new Error(`connect from ${localAddress}: timed out`)));
        sock.on('connect', () => {
            sock.setTimeout(0);
            sock.write(head, () => resolve(sock));
        });
        sock.once('error', (e) => reject(new Error(`connect from ${localAddress}: ${e.message}`)));
    });
}

// n idle connections spread over the addresses, opened 50 at a time.
async function openIdle(port, addresses, n) {
    const socks = [];
    for (let i = 0; i < n; i += 50) {
        const batch = [];
        for (let j = i; j < Math.min(n, i + 50); j++) batch.push(idleConnection(port, addresses[j % addresses.length]));
        socks.push(...(await Promise.all(batch)));
    }
    return socks;
}

function closeAll(socks) {
    for (const s of socks) s.destroy();
}

// GET /healthz on a new connection (fetch could reuse one the server took
// in before the flood), answered within ms.
async function healthzWithin(s, ms, what) {
    const t0 = Date.now();
    let r;
    try {
        r = await s.raw('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', null, { timeout: ms });
    } catch (e) {
        throw new Error(`${what}: /healthz did not answer within ${ms} ms on a new connection (${e.message})`);
    }
    assertStatus(r, 200, `${what}: /healthz`);
    return Date.now() - t0;
}

// GET /metrics on a new connection: the named gauge or counter.
async function metric(s, name) {
    const r = await s.raw('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', null, { timeout: 5000 });
    assertStatus(r, 200, '/metrics');
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(r.text);
    assert.ok(m, `/metrics has no ${name}`);
    return Number(m[1]);
}

function openFilesLimit() {
    const line = fs
        .readFileSync('/proc/self/limits', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('Max open files'));
    return line ? Number(line.split(/\s+/)[3]) : Infinity;
}

test('finding 2: 1,100 idle half-sent requests from 10 addresses; /healthz answers within 2 s', { timeout: 120000 }, async (ctx) => {
    const limit = openFilesLimit();
    assert.ok(limit >= 1300, `this test needs 1,300 open files; the limit is ${limit} (raise the hard limit: ulimit -Hn)`);
    const s = await ctx.server(); // the defaults: 128 per address, so 110 from each of 10
    const addresses = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);
    const socks = await openIdle(s.port, addresses, 1100);
    try {
        await sleep(500); // let the server take them all in
        const ms = await healthzWithin(s, 2000, 'with 1,100 idle connections');
        ctx.note(`/healthz in ${ms} ms`);
        const open = await metric(s, 'safecomm_http_open_connections');
        assert.ok(open >= 1100, `the server holds ${open} connections, not the 1,100 sent (some never reached it?)`);
        const closed = socks.filter((x) => x.closedAt).length;
        assert.strictEqual(closed, 0, `${closed} of 1,100 connections were closed: under ${PER_IP_DEFAULT} per address, none should be`);
    } finally {
        closeAll(socks);
    }
});

test('finding 2: a request head, or a body, trickled one byte every 5 s is closed within 60 s', { timeout: 90000 }, async (ctx) => {
    // Against the defaults (the whole head within 30 s; a body at 1 KiB/s
    // after 30 s): the idle timeout (120 s) alone is restarted by every byte.
    const s = await ctx.server();
    const t0 = Date.now();
    const head = await idleConnection(s.port, '127.0.0.1', 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const body = await idleConnection(
        s.port,
        '127.0.0.1',
        `POST /api/v1/volunteers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":"'
    );
    const socks = { 'the head': head, 'the body': body };
    const got = { 'the head': '', 'the body': '' };
    for (const [what, sock] of Object.entries(socks)) sock.on('data', (d) => (got[what] += d.toString('latin1')));
    try {
        while ((!head.closedAt || !body.closedAt) && Date.now() - t0 < 60000) {
            await sleep(5000);
            for (const sock of [head, body]) if (!sock.closedAt && !sock.destroyed) sock.write('X');
        }
        for (const [what, sock] of Object.entries(socks)) {
            assert.ok(sock.closedAt, `${what}: the trickling connection is still open after ${Math.round((Date.now() - t0) / 1000)} s`);
            const secs = (sock.closedAt - t0) / 1000;
            ctx.note(`${what}: closed after ${secs.toFixed(1)} s`);
            assert.ok(secs >= HEAD_DEADLINE_S - 5, `${what}: closed after ${secs} s, before the deadline of ${HEAD_DEADLINE_S} s`);
            assert.ok(!/^HTTP\/1\.1 20/.test(got[what]), `${what}: the unfinished request was answered ${got[what].slice(0, 20)}`);
        }
    } finally {
        head.destroy();
        body.destroy();
    }
    await healthzWithin(s, 2000, 'afterwards');
    assert.ok((await metric(s, 'safecomm_http_connections_cut_total')) >= 2, '/metrics counts fewer than 2 cut connections');
});

test('finding 2: the per-address limit (--per-ip-limit, SAFECOMM_PER_IP_LIMIT) spares trusted proxies and /healthz', { timeout: 90000 }, async (ctx) => {
    const s = await ctx.serverWith({ args: ['--per-ip-limit', '20', '--trusted-proxy', '127.0.0.30/32'] });
    const one = await openIdle(s.port, ['127.0.0.20'], 40);
    const proxy = await openIdle(s.port, ['127.0.0.30'], 40);
    try {
        await sleep(1000);
        const open = one.filter((x) => !x.closedAt).length;
        // The limit is checked at accept; two pool threads may each let one
        // more in at the same instant.
        assert.ok(open >= 20 && open <= 22, `from one address ${open} of 40 stay open, with a limit of 20`);
        const proxyOpen = proxy.filter((x) => !x.closedAt).length;
        assert.strictEqual(proxyOpen, 40, `a trusted proxy keeps ${proxyOpen} of 40 connections: it must not be limited`);
        await healthzWithin(s, 2000, 'while the limit bites');
        const refused = await metric(s, 'safecomm_http_connections_refused_total');
        assert.ok(refused >= 18, `/metrics counts ${refused} refused connections, not the 18 or more refused`);
    } finally {
        closeAll(one);
        closeAll(proxy);
    }
    // The environment variable sets it too.
    const e = await ctx.serverWith({ env: { SAFECOMM_PER_IP_LIMIT: '5' } });
    const few = await openIdle(e.port, ['127.0.0.21'], 12);
    try {
        await sleep(1000);
        const open = few.filter((x) => !x.closedAt).length;
        assert.ok(open >= 5 && open <= 7, `SAFECOMM_PER_IP_LIMIT=5: ${open} of 12 stay open`);
    } finally {
        closeAll(few);
    }
    // A bad value is a usage error.
    const r = await e.cli(['serve', '--db', e.db, '--listen', '127.0.0.1:1', '--per-ip-limit', '0'], { check: false });
    assert.strictEqual(r.code, 2, `--per-ip-limit 0: exit ${r.code} ${r.stderr}`);
});

// A raw exchange whose connection the server must close: resolves the reply
// (rawHttp resolves on close; it rejects when the connection stays open).
async function closedReply(s, head, body, what, timeout = 5000) {
    let r;
    try {
        r = await s.raw(head, body, { timeout });
    } catch (e) {
        throw new Error(`${what}: ${e.message} (the connection must be answered and closed)`);
    }
    return r;
}

test('finding 13: ambiguous framing is 400 and an oversized Content-Length 413 from the head, connection closed', { timeout: 90000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const name = `分帧${RUN_TAG}`;
    const json = Buffer.from(JSON.stringify({ name, region: reg.village }), 'utf8');
    const head = (lines, version = 'HTTP/1.1') =>
        `POST /api/v1/volunteers ${version}\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n` +
        `Content-Type: application/json\r\n${lines.map((l) => l + '\r\n').join('')}\r\n`;
    const chunked = Buffer.concat([Buffer.from(json.length.toString(16) + '\r\n'), json, Buffer.from('\r\n0\r\n\r\n')]);
    const cases = [
        ['Content-Length and Transfer-Encoding', head([`Content-Length: ${json.length}`, 'Transfer-Encoding: chunked']), chunked],
        ['Transfer-Encoding and Content-Length', head(['Transfer-Encoding: chunked', `Content-Length: ${chunked.length}`]), chunked],
        ['two equal Content-Length', head([`Content-Length: ${json.length}`, `Content-Length: ${json.length}`]), json],
        ['two different Content-Length', head([`Content-Length: ${json.length}`, 'Content-Length: 2']), json],
        ['two Transfer-Encoding', head(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked']), chunked],
        ['Transfer-Encoding: gzip', head(['Transfer-Encoding: gzip']), json],
        ['Transfer-Encoding: gzip, chunked', head(['Transfer-Encoding: gzip, chunked']), chunked],
        ['a space before the colon', head(['Transfer-Encoding : chunked', `Content-Length: ${json.length}`]), json],
        ['chunked on HTTP/1.0', head(['Transfer-Encoding: chunked'], 'HTTP/1.0'), chunked],
    ];
    const failures = [];
    for (const [what, h, b] of cases) {
        try {
            const r = await closedReply(s, h, b, what);
            assertError(r, 400, null, what);
            assert.strictEqual((r.headers.connection || '').toLowerCase(), 'close', `${what}: no Connection: close`);
        } catch (e) {
            failures.push(e.message);
        }
    }
    // Over the cap: 413 from the head; the body is never sent, so a server
    // that waits for it never answers.
    const big = [
        ['JSON, 100 MB announced', head(['Content-Length: 104857600'])],
        ['JSON, 19-digit length', head(['Content-Length: 9999999999999999999'])],
        ['import, 1 GB announced', head(['Content-Length: 1073741824']).replace('/api/v1/volunteers', '/api/v1/volunteers/import')],
    ];
    for (const [what, h] of big) {
        try {
            const t0 = Date.now();
            const r = await closedReply(s, h, Buffer.from('{"name":'), what, 3000);
            assertError(r, 413, null, what);
            assert.ok(Date.now() - t0 < 3000, `${what}: answered after ${Date.now() - t0} ms`);
        } catch (e) {
            failures.push(e.message);
        }
    }
    assert.ok(!failures.length, `${failures.length} cases failed:\n` + failures.join('\n'));
    const l = await s.admin('GET', `/api/v1/volunteers?q=${encodeURIComponent(name)}`);
    assertStatus(l, 200, 'list');
    assert.strictEqual(l.json.total, 0, `a refused request was stored: ${brief(l)}`);
    // Plain framing still works, and keeps the connection.
    const ok = await s.admin('POST', '/api/v1/volunteers', { body: { name: `${name}正常`, region: reg.village } });
    assertStatus(ok, 201, 'a plain POST');
});

test('finding 13: multipart with two file parts, or without its closing boundary, is 400 and stores nothing', { timeout: 90000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const base = reg.township.slice(0, 9);
    const codes = [`${base}971`, `${base}972`];
    for (const c of codes) assert.strictEqual((await s.admin('GET', `/api/v1/regions/${c}`)).status, 404, `${c} exists already`);
    const csv = (code, n) => Buffer.from(`区域代码,名称,常住人口\n${code},分段${RUN_TAG}${n}村,100\n`, 'utf8');
    const boundary = `----hardennet${RUN_TAG}`;
    const ct = `multipart/form-data; boundary=${boundary}`;
    // parts: [field, filename or null, data]; close: the closing boundary.
    const form = (parts, close = true) =>
        Buffer.concat([
            ...parts.map(([field, file, data]) =>
                Buffer.concat([
                    Buffer.from(
                        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"` +
                            (file ? `; filename="${file}"\r\nContent-Type: text/csv` : '') +
                            '\r\n\r\n',
                        'utf8'
                    ),
                    data,
                    Buffer.from('\r\n'),
                ])
            ),
            Buffer.from(close ? `--${boundary}--\r\n` : ''),
        ]);
    const good = form([['file', 'a.csv', csv(codes[0], 1)]]);
    const bodies = [
        ['two file parts', form([['file', 'a.csv', csv(codes[0], 1)], ['file', 'b.csv', csv(codes[1], 2)]]), ct],
        ['two file parts, the first empty', form([['file', 'a.csv', Buffer.alloc(0)], ['file', 'a.csv', csv(codes[0], 1)]]), ct],
        ['file parts under two names', form([['file', 'a.csv', csv(codes[0], 1)], ['other', 'b.csv', csv(codes[1], 2)]]), ct],
        ['no closing boundary', form([['file', 'a.csv', csv(codes[0], 1)]], false), ct],
        ['cut inside the closing boundary', good.subarray(0, good.length - 6), ct],
        ['no boundary parameter', good, 'multipart/form-data'],
        ['no file part', form([['note', null, Buffer.from('x')]]), ct],
    ];
    const failures = [];
    for (const [what, body, type] of bodies) {
        try {
            const r = await s.admin('POST', '/api/v1/regions/import', { raw: body, headers: { 'Content-Type': type } });
            assertError(r, 400, null, what);
        } catch (e) {
            failures.push(e.message);
        }
    }
    for (const c of codes) {
        const g = await s.admin('GET', `/api/v1/regions/${c}`);
        if (g.status !== 404) failures.push(`region ${c} was imported: ${brief(g)}`);
    }
    assert.ok(!failures.length, `${failures.length} cases failed:\n` + failures.join('\n'));
    // One file part with its closing boundary is imported.
    const r = await s.admin('POST', '/api/v1/regions/import', { raw: good, headers: { 'Content-Type': ct } });
    assertStatus(r, 200, 'a well-formed multipart import');
    assertStatus(await s.admin('GET', `/api/v1/regions/${codes[0]}`), 200, 'the imported village');
});
