'use strict';
// The built browser UI: `safecomm serve --web-root DIR` serves static files
// with their content types, ETags (If-None-Match → 304), precompressed .gz
// files, the SPA fallback to index.html, cache headers and the security
// headers; it refuses traversal and unsafe methods.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { test, assert, assertError, assertStatus, brief } = require('./lib');

const FILES = {
    'index.html': '<!doctype html><html><head><title>safecomm SPA</title></head><body><div id="app"></div></body></html>\n',
    'assets/app.js': `console.log(${JSON.stringify('safecomm app '.repeat(40))});\n`,
    'style.css': 'body { margin: 0; font-family: sans-serif; }\n',
    'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
    'data.json': '{"answer":42}\n',
};
const TYPES = {
    'index.html': /^text\/html/,
    'assets/app.js': /^(text|application)\/javascript/,
    'style.css': /^text\/css/,
    'logo.svg': /^image\/svg\+xml/,
    'data.json': /^application\/json/,
};
const SECRET = 'TOP-SECRET-OUTSIDE-THE-WEB-ROOT';

// A web root under base (default: the test's own dir) with FILES, a gzip of
// assets/app.js touched newer than it, and a secret file beside the root.
function makeWebRoot(ctx, base) {
    const root = path.join(base || ctx.tmpDir(), 'webroot');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    for (const [name, text] of Object.entries(FILES)) fs.writeFileSync(path.join(root, name), text);
    const past = new Date(Date.now() - 120000);
    for (const name of Object.keys(FILES)) fs.utimesSync(path.join(root, name), past, past);
    const gz = path.join(root, 'assets/app.js.gz');
    fs.writeFileSync(gz, zlib.gzipSync(Buffer.from(FILES['assets/app.js'])));
    const newer = new Date(Date.now() - 60000);
    fs.utimesSync(gz, newer, newer);
    fs.writeFileSync(path.join(path.dirname(root), 'secret.txt'), SECRET + '\n');
    fs.writeFileSync(path.join(path.dirname(root), 'secret'), SECRET + '\n');
    return root;
}

function assertSecurity(res, what, { api = false } = {}) {
    const h = res.headers;
    assert.strictEqual((h['x-content-type-options'] || '').toLowerCase(), 'nosniff', `${what}: X-Content-Type-Options (${res.status})`);
    assert.strictEqual((h['x-frame-options'] || '').toUpperCase(), 'DENY', `${what}: X-Frame-Options (${res.status})`);
    assert.ok(h['referrer-policy'], `${what}: Referrer-Policy missing (${res.status})`);
    const csp = h['content-security-policy'] || '';
    assert.ok(csp, `${what}: Content-Security-Policy missing (${res.status})`);
    const dirs = {};
    for (const d of csp.split(';')) {
        const parts = d.trim().split(/\s+/);
        if (parts[0]) dirs[parts[0].toLowerCase()] = parts.slice(1);
    }
    if (api) {
        assert.deepStrictEqual(dirs['default-src'], ["'none'"], `${what}: API CSP must have default-src 'none': ${csp}`);
    } else {
        assert.deepStrictEqual(dirs['script-src'], ["'self'"], `${what}: UI CSP must have script-src 'self' (only): ${csp}`);
        assert.deepStrictEqual(dirs['frame-ancestors'], ["'none'"], `${what}: UI CSP must have frame-ancestors 'none': ${csp}`);
    }
}

// GET without gzip (fetch would otherwise ask for it and decode silently).
function get(s, p, headers = {}) {
    return s.api('GET', p, { headers: Object.assign({ 'Accept-Encoding': 'identity' }, headers) });
}

function rawGet(s, p, headers = {}) {
    let head = `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    return s.raw(head + '\r\n');
}

test('static files: content types, ETag and 304, cache headers, security headers', async (ctx) => {
    const root = makeWebRoot(ctx);
    const s = await ctx.serverWith({ args: ['--web-root', root] });
    const urls = { 'index.html': ['/', '/index.html'], 'assets/app.js': ['/assets/app.js', '/assets/app.js?v=3'] };
    const etags = {};
    for (const name of Object.keys(FILES)) {
        for (const p of urls[name] || ['/' + name]) {
            const r = await get(s, p);
            assertStatus(r, 200, `GET ${p}`);
            assert.match(r.headers['content-type'] || '', TYPES[name], `GET ${p}: Content-Type ${r.headers['content-type']}`);
            assert.strictEqual(r.text, FILES[name], `GET ${p}: body`);
            assert.ok(!r.headers['content-encoding'] || r.headers['content-encoding'] === 'identity', `GET ${p} without gzip: Content-Encoding ${r.headers['content-encoding']}`);
            const etag = r.headers.etag;
            assert.match(etag || '', /^(W\/)?"[^"]+"$/, `GET ${p}: ETag ${etag}`);
            if (etags[name]) assert.strictEqual(etag, etags[name], `GET ${p}: the ETag differs between requests`);
            etags[name] = etag;
            const cc = r.headers['cache-control'] || '';
            if (name.startsWith('assets/')) {
                assert.match(cc, /\bpublic\b/, `GET ${p}: Cache-Control ${cc}`);
                assert.match(cc, /\bmax-age=31536000\b/, `GET ${p}: Cache-Control ${cc}`);
                assert.match(cc, /\bimmutable\b/, `GET ${p}: Cache-Control ${cc}`);
            } else {
                assert.match(cc, /^no-cache$/, `GET ${p}: Cache-Control ${JSON.stringify(cc)}`);
            }
            assertSecurity(r, `GET ${p}`);
        }
    }
    assert.strictEqual(new Set(Object.values(etags)).size, Object.keys(etags).length, `ETags are not distinct: ${JSON.stringify(etags)}`);

    // If-None-Match with the ETag → 304 with no body; another ETag → 200.
    for (const name of Object.keys(FILES)) {
        const p = name === 'index.html' ? '/' : '/' + name;
        const r = await get(s, p, { 'If-None-Match': etags[name] });
        assertStatus(r, 304, `GET ${p} with If-None-Match: ${etags[name]}`);
        assert.strictEqual(r.bytes.length, 0, `304 for ${p} has a body`);
        assert.strictEqual(r.headers.etag, etags[name], `304 for ${p}: ETag`);
        assertSecurity(r, `304 for ${p}`);
        const other = await get(s, p, { 'If-None-Match': '"not-the-etag"' });
        assertStatus(other, 200, `GET ${p} with a stale If-None-Match`);
        assert.strictEqual(other.text, FILES[name], `GET ${p} with a stale If-None-Match: body`);
    }
    // The SPA fallback's ETag is index.html's.
    const deep = await get(s, '/some/route', { 'If-None-Match': etags['index.html'] });
    assertStatus(deep, 304, 'GET /some/route with index.html\'s ETag');

    // A changed file gets a new ETag; the old one no longer gives 304.
    const css = path.join(root, 'style.css');
    const changed = 'body { margin: 0; color: #123456; font-family: serif; }\n';
    fs.writeFileSync(css, changed);
    const now = new Date();
    fs.utimesSync(css, now, now);
    const r2 = await get(s, '/style.css', { 'If-None-Match': etags['style.css'] });
    assertStatus(r2, 200, 'GET /style.css with the old ETag after a change');
    assert.strictEqual(r2.text, changed, 'the changed file is served');
    assert.notStrictEqual(r2.headers.etag, etags['style.css'], 'the ETag did not change with the file');

    // HEAD: the headers of a GET, no body.
    const h = await s.api('HEAD', '/style.css', { headers: { 'Accept-Encoding': 'identity' } });
    assertStatus(h, 200, 'HEAD /style.css');
    assert.match(h.headers['content-type'] || '', /^text\/css/, 'HEAD /style.css: Content-Type');
    assert.strictEqual(h.bytes.length, 0, 'HEAD has a body');
});

test('precompressed FILE.gz: served with Content-Encoding gzip only when accepted and not older', async (ctx) => {
    const root = makeWebRoot(ctx);
    const s = await ctx.serverWith({ args: ['--web-root', root] });
    const js = Buffer.from(FILES['assets/app.js']);
    const gzBytes = fs.readFileSync(path.join(root, 'assets/app.js.gz'));

    const g = await rawGet(s, '/assets/app.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    assertStatus(g, 200, 'GET /assets/app.js accepting gzip');
    assert.strictEqual(g.headers['content-encoding'], 'gzip', `Content-Encoding: ${g.headers['content-encoding']}`);
    assert.match(g.headers['content-type'] || '', TYPES['assets/app.js'], `the gzip keeps the file's Content-Type, got ${g.headers['content-type']}`);
    assert.ok(g.body.equals(gzBytes), `the body is not the .gz file (${g.body.length} bytes, .gz has ${gzBytes.length})`);
    assert.ok(zlib.gunzipSync(g.body).equals(js), 'the gzip does not decode to the file');
    assert.match(g.headers.vary || '', /accept-encoding/i, `Vary: ${g.headers.vary}`);
    assert.match(g.headers['cache-control'] || '', /immutable/, 'Cache-Control of the gzip');
    assertSecurity(g, 'gzip reply');

    // Not accepted: the plain file.
    for (const ae of [undefined, 'identity', 'br, deflate']) {
        const r = await rawGet(s, '/assets/app.js', ae ? { 'Accept-Encoding': ae } : {});
        assertStatus(r, 200, `GET /assets/app.js with Accept-Encoding ${ae}`);
        assert.ok(!r.headers['content-encoding'], `Accept-Encoding ${ae}: Content-Encoding ${r.headers['content-encoding']}`);
        assert.ok(r.body.equals(js), `Accept-Encoding ${ae}: the body is not the plain file`);
    }
    // fetch asks for gzip itself and decodes it.
    const f = await s.api('GET', '/assets/app.js');
    assert.strictEqual(f.text, FILES['assets/app.js'], 'fetch (gzip, decoded) body');

    // No .gz beside the file: the plain file, even when gzip is accepted.
    const c = await rawGet(s, '/style.css', { 'Accept-Encoding': 'gzip' });
    assertStatus(c, 200, 'GET /style.css accepting gzip');
    assert.ok(!c.headers['content-encoding'], `style.css has no .gz but Content-Encoding is ${c.headers['content-encoding']}`);
    assert.strictEqual(c.text, FILES['style.css']);

    // If-None-Match works on the compressed reply too.
    const n = await rawGet(s, '/assets/app.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': g.headers.etag });
    assertStatus(n, 304, 'If-None-Match on the gzip reply');

    // A .gz older than the file is stale: the plain file is served.
    const gz = path.join(root, 'assets/app.js.gz');
    const old = new Date(Date.now() - 3600 * 1000);
    fs.utimesSync(gz, old, old);
    const st = await rawGet(s, '/assets/app.js', { 'Accept-Encoding': 'gzip' });
    assertStatus(st, 200, 'GET /assets/app.js with a stale .gz');
    assert.ok(!st.headers['content-encoding'], `a .gz older than the file was served (Content-Encoding ${st.headers['content-encoding']})`);
    assert.ok(st.body.equals(js), 'with a stale .gz the body is not the plain file');
});

test('SPA fallback, 404 for missing files, traversal refused, 405 for unsafe methods, /api 404 JSON', async (ctx) => {
    const root = makeWebRoot(ctx);
    const s = await ctx.serverWith({ args: ['--web-root', root] });

    // Paths without an extension that are not files → index.html.
    for (const p of ['/some/route', '/dashboard', '/hazards/12/edit', '/assets', '/assets/', '/v1.2/page', '/login?next=/x.js']) {
        const r = await get(s, p);
        assertStatus(r, 200, `GET ${p} (SPA fallback)`);
        assert.strictEqual(r.text, FILES['index.html'], `GET ${p}: not index.html`);
        assert.match(r.headers['content-type'] || '', /^text\/html/, `GET ${p}: Content-Type`);
        assert.match(r.headers['cache-control'] || '', /^no-cache$/, `GET ${p}: Cache-Control ${r.headers['cache-control']}`);
        assertSecurity(r, `GET ${p}`);
    }
    // Missing paths with an extension → 404, never index.html.
    for (const p of ['/missing.js', '/assets/missing.js', '/nope/logo.png', '/style.css.map', '/index.htm']) {
        const r = await get(s, p);
        assertStatus(r, 404, `GET ${p}`);
        assert.ok(!r.text.includes('safecomm SPA'), `GET ${p}: 404 carries index.html`);
        assertSecurity(r, `404 for ${p}`);
    }
    // Traversal: 404 and never the file outside the root. Raw requests,
    // since fetch would normalise the dots away.
    const traversals = [
        '/../secret.txt',
        '/assets/../../secret.txt',
        '/%2e%2e/secret.txt',
        '/%2E%2E/secret.txt',
        '/assets/%2e%2e/%2e%2e/secret.txt',
        '/..%2fsecret.txt',
        '/assets/..%2f..%2fsecret.txt',
        '/%2e%2e%2fsecret.txt',
        '/../secret',
        '/assets/../../secret',
        '/..',
        '/../../../../../../../../etc/passwd',
        '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
        '/assets/..\\..\\secret.txt',
    ];
    for (const p of traversals) {
        const r = await rawGet(s, p);
        assert.ok(r.status === 404 || r.status === 400, `GET ${p}: expected 404 (or 400), got ${r.status} ${r.text.slice(0, 200)}`);
        assert.ok(!r.text.includes(SECRET) && !r.text.includes('root:x:0:0'), `GET ${p}: served a file outside the web root`);
        assert.ok(!r.text.includes('safecomm SPA'), `GET ${p}: traversal answered with index.html`);
    }

    // Unsafe methods on static paths → 405.
    for (const [m, p] of [['POST', '/style.css'], ['POST', '/'], ['POST', '/some/route'], ['PUT', '/index.html'], ['DELETE', '/assets/app.js'], ['PATCH', '/data.json']]) {
        const r = await s.api(m, p, { body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
        assertStatus(r, 405, `${m} ${p}`);
        assertSecurity(r, `${m} ${p}`);
        assert.ok(!r.text.includes('safecomm SPA'), `${m} ${p}: answered with index.html`);
    }
    // The file is unchanged by them.
    assert.strictEqual(fs.readFileSync(path.join(root, 'style.css'), 'utf8'), FILES['style.css']);

    // Unknown /api/... paths: the 404 JSON envelope with the API's CSP, not the UI.
    for (const p of ['/api/v1/no_such_thing', '/api/v1/no/such/page', '/api/v1/nothing.js', '/api/nothing']) {
        const r = await s.admin('GET', p);
        const e = assertError(r, 404, null, `GET ${p}`);
        assert.strictEqual(e.code, 'not_found', `GET ${p}: error.code`);
        assert.match(r.headers['content-type'] || '', /application\/json/, `GET ${p}: Content-Type`);
        assert.ok(!r.text.includes('safecomm SPA'), `GET ${p}: answered with index.html`);
        assertSecurity(r, `GET ${p}`, { api: true });
    }
    // API replies keep the API CSP; the UI keeps its own.
    assertSecurity(await s.admin('GET', '/api/v1/volunteers?page_size=1'), 'GET /api/v1/volunteers', { api: true });
});

test('Cache-Control follows the URL path, not where the web root lives (root under an "assets" dir)', async (ctx) => {
    // An operator may install the UI as /srv/assets/safecomm/...; index.html
    // must still be no-cache, or a new release never reaches the browsers.
    const base = path.join(ctx.tmpDir(), 'assets', 'www');
    fs.mkdirSync(base, { recursive: true });
    const root = makeWebRoot(ctx, base);
    const s = await ctx.serverWith({ args: ['--web-root', root] });
    for (const p of ['/', '/index.html', '/style.css', '/some/route']) {
        const r = await get(s, p);
        assertStatus(r, 200, `GET ${p}`);
        assert.match(r.headers['cache-control'] || '', /^no-cache$/, `GET ${p} with the web root ${root}: Cache-Control ${JSON.stringify(r.headers['cache-control'])}`);
    }
    const a = await get(s, '/assets/app.js');
    assert.match(a.headers['cache-control'] || '', /immutable/, 'GET /assets/app.js: Cache-Control');
});

test('405 on a static path names the allowed methods (Allow: GET, HEAD)', async (ctx) => {
    const root = makeWebRoot(ctx);
    const s = await ctx.serverWith({ args: ['--web-root', root] });
    const r = await s.api('POST', '/style.css', { body: 'x' });
    assertStatus(r, 405, 'POST /style.css');
    // RFC 9110 15.5.6: a 405 response MUST carry Allow.
    assert.match(r.headers.allow || '', /\bGET\b/, `405 without an Allow header listing GET: ${JSON.stringify(r.headers)}`);
});

test('--web-root also comes from SAFECOMM_WEB_ROOT', async (ctx) => {
    const root = makeWebRoot(ctx);
    const s = await ctx.serverWith({ env: { SAFECOMM_WEB_ROOT: root } });
    const r = await get(s, '/');
    assertStatus(r, 200, 'GET / with SAFECOMM_WEB_ROOT');
    assert.strictEqual(r.text, FILES['index.html'], `GET /: ${brief(r)}`);
    const c = await get(s, '/logo.svg');
    assert.match(c.headers['content-type'] || '', TYPES['logo.svg'], 'GET /logo.svg: Content-Type');
});
