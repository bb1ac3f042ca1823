'use strict';
// The evaluation dossier (issue 16): `safecomm report dossier` of the demo
// county, with 112 MB of photos attached to a project's process records,
// has one folder per element of the standard (the 12 of AQ/T 9001), each
// with its records as XLSX, the photos in the folder of their records, an
// index page, a completeness report and a manifest; the photos add to its
// peak memory (the process's maximum RSS, measured by /usr/bin/time) less
// than an eighth of the ZIP's size; the API gives the same and both are
// audited.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const lib = require('./lib');
const { test, assert, assertStatus, COUNTY } = lib;

const TOWN = '511621101000';
const MiB = 1024 * 1024;

// A JPEG as libmagic knows it (SOI, JFIF APP0), then random bytes: photos
// do not compress.
function jpeg(size) {
    const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
    const b = crypto.randomBytes(size);
    head.copy(b);
    return b;
}

// The entries of a ZIP from its central directory: {name, method, csize, offset}.
function zipEntries(buf) {
    let eocd = buf.length - 22;
    while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
    assert.ok(eocd >= 0, 'end of central directory');
    const n = buf.readUInt16LE(eocd + 10);
    let p = buf.readUInt32LE(eocd + 16);
    const out = [];
    for (let i = 0; i < n; i++) {
        assert.strictEqual(buf.readUInt32LE(p), 0x02014b50, 'central header');
        const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20);
        const nl = buf.readUInt16LE(p + 28), xl = buf.readUInt16LE(p + 30), cl = buf.readUInt16LE(p + 32);
        const offset = buf.readUInt32LE(p + 42);
        out.push({ name: buf.toString('utf8', p + 46, p + 46 + nl), method, csize, offset });
        p += 46 + nl + xl + cl;
    }
    return out;
}

function zipRead(buf, e) {
    const nl = buf.readUInt16LE(e.offset + 26), xl = buf.readUInt16LE(e.offset + 28);
    const data = buf.subarray(e.offset + 30 + nl + xl, e.offset + 30 + nl + xl + e.csize);
    return (e.method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
}

test('dossier: the demo county with 112 MB of photos: 12 element folders, XLSX records, photos, index, completeness report; the photos add little to its peak RSS', { timeout: 300000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const filesDir = path.join(c.dir, 'shared-files');
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--files-dir', filesDir] });
    const proj = (await s.admin('GET', `/api/v1/projects?region=${TOWN}&page_size=1`)).json.items[0];
    assert.ok(proj, 'a demo project');
    // The dossier's peak memory is measured twice on the same data, before
    // and after the photos are attached: streaming means the photos add
    // little to it. (An absolute bound would also count what the binary
    // itself holds, which AddressSanitizer's shadow memory inflates.)
    const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=4'].filter(Boolean).join(':');
    const dossierRss = async (out) => {
        const m = await lib.backend.prepare(['report', '--db', c.db, 'dossier', '--region', COUNTY, '--year', '2025', '--files-dir', filesDir, '-o', out]);
        // Under AddressSanitizer freed blocks wait in a quarantine (256 MB by
        // default) that would count as the dossier's memory: keep it small.
        const env = Object.assign({}, m.env, { ASAN_OPTIONS: asan });
        const r = await lib.run('/usr/bin/time', ['-f', 'MAXRSS_KB %M', lib.BIN, ...m.args], { env, timeout: 240000 });
        assert.strictEqual(r.code, 0, r.stderr);
        return Number(/MAXRSS_KB (\d+)/.exec(r.stderr)[1]);
    };
    const baseKb = await dossierRss(path.join(ctx.tmpDir(), 'base.zip'));
    const ids = [];
    for (let i = 0; i < 14; i++) {
        const fd = new FormData();
        fd.append('file', new Blob([jpeg(8 * MiB)], { type: 'image/jpeg' }), `p${i}.jpg`);
        const r = await s.admin('POST', '/api/v1/files', { raw: fd, timeout: 120000 });
        assertStatus(r, 201, `upload ${i}`);
        ids.push(r.json.id);
    }
    for (let k = 0; k < 2; k++) {
        const r = await s.admin('POST', '/api/v1/project_records', { body: { region: TOWN, project_id: proj.id, held_on: '2025-06-0' + (k + 1), title: `现场照片${k}`, reached: 10, photos: ids.slice(k * 7, k * 7 + 7) } });
        assertStatus(r, 201, `record ${k}`);
    }
    const out = path.join(ctx.tmpDir(), 'dossier.zip');
    const rssKb = await dossierRss(out);
    const size = fs.statSync(out).size;
    ctx.note(`dossier ${(size / MiB).toFixed(1)} MiB, peak RSS ${(rssKb / 1024).toFixed(1)} MiB, ${(baseKb / 1024).toFixed(1)} MiB without the photos`);
    assert.ok(size > 14 * 8 * MiB, `the photos are in: ${size}`);
    assert.ok(rssKb * 1024 < size * 0.6, `peak RSS ${rssKb} KB against a ZIP of ${size} bytes (AddressSanitizer's share included)`);
    assert.ok((rssKb - baseKb) * 1024 < size / 8, `peak RSS ${rssKb} KB (${baseKb} KB without the photos) against a ZIP of ${size} bytes`);
    const buf = fs.readFileSync(out);
    const entries = zipEntries(buf);
    const names = entries.map((e) => e.name);
    const folders = names.filter((n) => /^\d\d_[^/]+\/$/.test(n));
    assert.strictEqual(folders.length, 12, names.join('\n'));
    assert.ok(folders.includes('05_安全促进项目/') && folders.includes('09_事故与伤害记录/'), folders.join(' '));
    for (const n of ['index.html', 'completeness.html', 'manifest.json']) assert.ok(names.includes(n), n);
    assert.ok(names.includes('09_事故与伤害记录/事故（案件）.xlsx'), 'incidents as XLSX');
    const photos = names.filter((n) => n.startsWith('05_安全促进项目/照片/'));
    assert.strictEqual(photos.length, 14, photos.join(' '));
    assert.ok(entries.filter((e) => photos.includes(e.name)).every((e) => e.method === 0), 'photos are stored');
    const manifest = JSON.parse(zipRead(buf, entries.find((e) => e.name === 'manifest.json')));
    const f5 = manifest.folders.find((f) => f.code === '5');
    assert.strictEqual(f5.photos, 14);
    assert.ok(f5.records > 0);
    const index = zipRead(buf, entries.find((e) => e.name === 'index.html'));
    assert.ok(index.includes('href="05_安全促进项目/安全促进项目.xlsx"') && index.includes('completeness.html'), 'index links');
    const report = zipRead(buf, entries.find((e) => e.name === 'completeness.html'));
    const thin = manifest.folders.filter((f) => f.completeness !== '齐全');
    assert.ok(thin.length > 0, 'some elements have thin evidence');
    for (const f of thin) assert.ok(report.includes(f.folder) && report.includes(f.completeness), f.folder);
    // The API: the same archive for a township, audited.
    const api = await s.admin('GET', `/api/v1/reports/dossier?region=${TOWN}&year=2025`, { timeout: 240000 });
    assertStatus(api, 200, 'API dossier');
    assert.strictEqual(api.headers['content-type'], 'application/zip');
    const audit = await s.admin('GET', '/api/v1/audit?entity=dossier&action=export&page_size=10');
    assertStatus(audit, 200, 'audit');
    const regions = audit.json.items.map((i) => i.region).sort();
    assert.deepStrictEqual(regions, [COUNTY, COUNTY, TOWN], 'the two CLI dossiers and the API one are audited');
    assertStatus(await s.admin('GET', `/api/v1/reports/dossier?region=${TOWN}&year=19`), 422, 'bad year');
});

test('workbook: one sheet per module with statistics, 合计 rows and native Excel charts', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const out = path.join(ctx.tmpDir(), 'workbook.xlsx');
    await lib.cli(['report', '--db', c.db, 'workbook', '--region', COUNTY, '--year', '2025', '-o', out]);
    const buf = fs.readFileSync(out);
    const entries = zipEntries(buf);
    const names = entries.map((e) => e.name);
    const wb = zipRead(buf, entries.find((e) => e.name === 'xl/workbook.xml'));
    const sheets = [...wb.matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
    for (const label of ['隐患排查整治', '事故伤害', '安全促进项目']) assert.ok(sheets.some((n) => n.includes(label)), `a sheet for ${label}: ${sheets}`);
    assert.ok(names.filter((n) => /^xl\/charts\/chart\d+\.xml$/.test(n)).length >= 3, 'native charts');
    const strings = zipRead(buf, entries.find((e) => e.name === 'xl/sharedStrings.xml'));
    assert.ok(strings.includes('合计') && strings.includes('排查发现隐患'), 'totals rows and the figures\' labels');
});
