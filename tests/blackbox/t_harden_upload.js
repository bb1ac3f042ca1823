'use strict';
// Acceptance: hardening of uploads (issue 12, finding 3). A small .xlsx that
// expands hugely is refused at once with a message naming the limit, without
// stalling anyone; a busy database is 503 with Retry-After, for an import as
// for a create, never 422 bad_file.
const { spawn } = require('node:child_process');
const zlib = require('node:zlib');
const { test, assert, assertError, assertStatus, brief, demoRegions, multipart, backend, BACKEND, RUN_TAG } = require('./lib');

// ---- a hand-made .xlsx (zip), so that a part may be a deflate bomb ----

// A deflated zip entry from a generator of chunks: {name, data (raw deflate), crc, size}.
async function deflated(name, chunks) {
    const z = zlib.createDeflateRaw({ level: 9 });
    const out = [];
    z.on('data', (b) => out.push(b));
    const done = new Promise((resolve, reject) => {
        z.on('end', resolve);
        z.on('error', reject);
    });
    let crc = 0;
    let size = 0;
    for (const c of chunks()) {
        crc = zlib.crc32(c, crc);
        size += c.length;
        if (!z.write(c)) await new Promise((r) => z.once('drain', r));
    }
    z.end();
    await done;
    return { name, data: Buffer.concat(out), crc: crc >>> 0, size };
}

function* once(text) {
    yield Buffer.from(text, 'utf8');
}

// A zip of the entries, method 8 (deflate), sizes and CRCs in the headers.
function zip(entries) {
    const locals = [];
    const centrals = [];
    let off = 0;
    for (const e of entries) {
        const name = Buffer.from(e.name, 'utf8');
        const lh = Buffer.alloc(30);
        lh.writeUInt32LE(0x04034b50, 0);
        lh.writeUInt16LE(20, 4);
        lh.writeUInt16LE(0x0800, 6); // UTF-8 names
        lh.writeUInt16LE(8, 8);
        lh.writeUInt32LE(e.crc, 14);
        lh.writeUInt32LE(e.data.length, 18);
        lh.writeUInt32LE(e.size, 22);
        lh.writeUInt16LE(name.length, 26);
        const ch = Buffer.alloc(46);
        ch.writeUInt32LE(0x02014b50, 0);
        ch.writeUInt16LE(20, 4);
        ch.writeUInt16LE(20, 6);
        ch.writeUInt16LE(0x0800, 8);
        ch.writeUInt16LE(8, 10);
        ch.writeUInt32LE(e.crc, 16);
        ch.writeUInt32LE(e.data.length, 20);
        ch.writeUInt32LE(e.size, 24);
        ch.writeUInt16LE(name.length, 28);
        ch.writeUInt32LE(off, 42);
        locals.push(lh, name, e.data);
        centrals.push(ch, name);
        off += lh.length + name.length + e.data.length;
    }
    const cd = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(off, 16);
    return Buffer.concat([...locals, cd, end]);
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS = 'http://schemas.openxmlformats.org/';

// An .xlsx whose one sheet has a header row of shared strings 0..n-1, with
// sharedStrings.xml made by sst (a generator of chunks).
async function xlsxWith(sst, ncols) {
    let cells = '';
    for (let i = 0; i < ncols; i++) cells += `<c r="${String.fromCharCode(65 + i)}1" t="s"><v>${i}</v></c>`;
    return zip([
        await deflated('[Content_Types].xml', () => once(`${XML}<Types xmlns="${NS}package/2006/content-types"/>`)),
        await deflated('_rels/.rels', () => once(`${XML}<Relationships xmlns="${NS}package/2006/relationships"><Relationship Id="rId1" Type="${NS}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)),
        await deflated('xl/workbook.xml', () => once(`${XML}<workbook xmlns="${NS}spreadsheetml/2006/main" xmlns:r="${NS}officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)),
        await deflated('xl/_rels/workbook.xml.rels', () => once(`${XML}<Relationships xmlns="${NS}package/2006/relationships"><Relationship Id="rId1" Type="${NS}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${NS}officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)),
        await deflated('xl/worksheets/sheet1.xml', () => once(`${XML}<worksheet xmlns="${NS}spreadsheetml/2006/main"><sheetData><row r="1">${cells}</row></sheetData></worksheet>`)),
        await deflated('xl/sharedStrings.xml', sst),
    ]);
}

const MB = 1024 * 1024;

// sharedStrings.xml: the header's labels, then one string of `mb` MB.
function* hugeString(labels, mb) {
    yield Buffer.from(`${XML}<sst xmlns="${NS}spreadsheetml/2006/main">` + labels.map((l) => `<si><t>${l}</t></si>`).join('') + '<si><t>', 'utf8');
    const chunk = Buffer.alloc(MB, 'A');
    for (let i = 0; i < mb; i++) yield chunk;
    yield Buffer.from('</t></si></sst>', 'utf8');
}

// sharedStrings.xml: the labels, then many strings of 30 KB (under the cell
// limit each), `mb` MB in all.
function* manyStrings(labels, mb) {
    yield Buffer.from(`${XML}<sst xmlns="${NS}spreadsheetml/2006/main">` + labels.map((l) => `<si><t>${l}</t></si>`).join(''), 'utf8');
    const one = '<si><t>' + 'B'.repeat(30 * 1024) + '</t></si>';
    const chunk = Buffer.from(one.repeat(32), 'utf8'); // about 1 MB
    for (let i = 0; i < mb; i++) yield chunk;
    yield Buffer.from('</sst>', 'utf8');
}

const LABELS = ['姓名', '区域代码'];

function postImport(s, bytes, name, type) {
    const m = multipart('file', name, type, bytes);
    return s.admin('POST', '/api/v1/volunteers/import', { raw: m.body, headers: { 'Content-Type': m.contentType }, timeout: 60000 });
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The refusal: 413 too_large naming the file field, its message naming the limit.
function assertTooLarge(res, re, what) {
    const e = assertError(res, 413, 'file', what);
    assert.strictEqual(e.code, 'too_large', `${what}: ${brief(res)}`);
    assert.match(e.message, re, `${what}: the message names the limit: ${brief(res)}`);
}

test('an .xlsx whose shared strings expand to 200 MB is refused at once, and /healthz stays prompt', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const bomb = await xlsxWith(() => hugeString(LABELS, 200), LABELS.length);
    assert.ok(bomb.length < 1024 * 1024, `the bomb is small (${bomb.length} bytes)`);
    const t0 = Date.now();
    const one = await postImport(s, bomb, 'bomb.xlsx', XLSX);
    const took = Date.now() - t0;
    assertTooLarge(one, /128 MB/, 'the bomb');
    assert.ok(took < 2000, `refused in ${took} ms, expected under 2 s`);

    // Four at once (the server has two threads): /healthz meanwhile.
    const posts = [1, 2, 3, 4].map(() => postImport(s, bomb, 'bomb.xlsx', XLSX));
    await new Promise((r) => setTimeout(r, 30));
    const h0 = Date.now();
    const h = await s.api('GET', '/healthz', { timeout: 30000 });
    const hTook = Date.now() - h0;
    assertStatus(h, 200, '/healthz during the uploads');
    const all = await Promise.all(posts);
    all.forEach((r, i) => assertTooLarge(r, /128 MB/, `concurrent bomb ${i + 1}`));
    assert.ok(hTook < 1000, `/healthz took ${hTook} ms during four bombs, expected under 1 s`);
    // Nothing was stored and a normal import still works.
    const reg = await demoRegions(s);
    const csv = `${LABELS.join(',')}\n防爆${RUN_TAG},${reg.village}\n`;
    const ok = await postImport(s, Buffer.from(csv, 'utf8'), 'ok.csv', 'text/csv');
    assertStatus(ok, 200, 'a normal import afterwards');
    assert.strictEqual(ok.json.accepted, 1, brief(ok));
});

test('an .xlsx whose shared strings hold more than 32 MB of text is refused naming the limit', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const bytes = await xlsxWith(() => manyStrings(LABELS, 100), LABELS.length);
    const t0 = Date.now();
    const r = await postImport(s, bytes, 'many.xlsx', XLSX);
    assertTooLarge(r, /共享字符串.*32 MB/, 'shared strings over 32 MB');
    assert.ok(Date.now() - t0 < 10000, `refused in ${Date.now() - t0} ms`);
});

test('a CSV of more than 200,000 rows is refused naming the limit, before any row is written', { timeout: 170000 }, async (ctx) => {
    const s = await ctx.server();
    // Every row is bad (no such region), so even a server that tries them all
    // writes nothing; the limit must refuse the file as a whole.
    const lines = [LABELS.join(',')];
    for (let i = 0; i < 200001; i++) lines.push(`r${i},999999999999`);
    const r = await postImport(s, Buffer.from(lines.join('\n') + '\n', 'utf8'), 'rows.csv', 'text/csv');
    assertTooLarge(r, /200000 行/, 'rows over the limit');
});

// ---- a busy database ----

// Holds the database's write lock from another process until release().
async function holdWriteLock(s) {
    let cmd;
    let args;
    let begin;
    if (BACKEND === 'pg') {
        cmd = 'psql';
        args = ['-X', '-q', '-tA', '-d', backend.uriOf(s.db, 'postgres')];
        begin = 'BEGIN;\nSELECT pg_advisory_xact_lock(5317700601);\nSELECT \'locked\';\n';
    } else {
        cmd = 'sqlite3';
        args = [s.db];
        begin = "BEGIN IMMEDIATE;\nSELECT 'locked';\n";
    }
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise((resolve) => p.on('exit', resolve));
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${cmd} did not take the lock: ${out}`)), 20000);
        p.stdout.on('data', (b) => {
            out += b;
            if (out.includes('locked')) {
                clearTimeout(timer);
                resolve();
            }
        });
        p.stderr.on('data', (b) => (out += b));
        p.on('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
        p.stdin.write(begin);
    });
    return async () => {
        p.stdin.end('ROLLBACK;\n');
        const t = setTimeout(() => p.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
    };
}

function assertBusy(res, what, took) {
    const e = assertError(res, 503, null, what);
    assert.strictEqual(e.code, 'unavailable', `${what}: ${brief(res)}`);
    const ra = res.headers['retry-after'];
    assert.ok(ra && /^[1-9][0-9]*$/.test(ra), `${what}: Retry-After header is ${JSON.stringify(ra)}: ${brief(res)}`);
    assert.ok(took < 15000, `${what}: answered after ${took} ms, expected within the busy timeout`);
}

test('a busy database: create and import answer 503 with Retry-After, then work once it is free', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const reg = await demoRegions(s);
    const release = await holdWriteLock(s);
    const failures = []; // both are tried, so that a failure reports each
    try {
        let t0 = Date.now();
        const c = await s.admin('POST', '/api/v1/volunteers', { body: { name: `忙${RUN_TAG}`, region: reg.village }, timeout: 30000 });
        try {
            assertBusy(c, 'create while locked', Date.now() - t0);
        } catch (e) {
            failures.push(e.message);
        }
        const csv = Buffer.from(`${LABELS.join(',')}\n忙导入${RUN_TAG},${reg.village}\n`, 'utf8');
        t0 = Date.now();
        const i = await postImport(s, csv, 'busy.csv', 'text/csv');
        try {
            assertBusy(i, 'import while locked', Date.now() - t0);
        } catch (e) {
            failures.push(e.message);
        }
        // Reads go on meanwhile.
        assertStatus(await s.admin('GET', '/api/v1/volunteers?page_size=1'), 200, 'a read while locked');
    } finally {
        await release();
    }
    assert.deepStrictEqual(failures, [], failures.join('\n'));
    const c = await s.admin('POST', '/api/v1/volunteers', { body: { name: `忙${RUN_TAG}`, region: reg.village } });
    assertStatus(c, 201, 'create once free');
    const csv = Buffer.from(`${LABELS.join(',')}\n忙导入${RUN_TAG},${reg.village}\n`, 'utf8');
    const i = await postImport(s, csv, 'free.csv', 'text/csv');
    assertStatus(i, 200, 'import once free');
});
