'use strict';
// Photos of hazards (issue 5, acceptance item 4): uploads are sniffed by
// content (never by the header or the name), capped at 10 MiB, stored under
// their SHA-256 in the files directory, served back with their type to the
// uploader and to whoever may read a record they are attached to; 404 to
// everyone else. Runs on both backends.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { test, assert, assertStatus, assertError, sqlite, cli, cliRun, assertExit, BACKEND } = require('./lib');

const TOWN = '511621101000'; // 九龙镇
const VILLAGE = '511621101001';
const OTHER_TOWN = '511621102000';
const MiB = 1024 * 1024;

// A JPEG as libmagic knows it: SOI, a JFIF APP0 segment, then padding.
function jpeg(size) {
    const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
    const b = Buffer.alloc(size);
    head.copy(b);
    b.fill(0x5a, head.length); // not all zeros: a real hash of real bytes
    return b;
}
// A 1x1 PNG; tag varies a text chunk-free trailing byte so each call can be distinct content.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
function png(tag) {
    return tag === undefined ? PNG : Buffer.concat([PNG, Buffer.from(String(tag))]);
}
function sha256(b) {
    return crypto.createHash('sha256').update(b).digest('hex');
}

async function token(db, username) {
    const r = await cli(['token', 'create', '--db', db, '--username', username]);
    return r.stdout.trim();
}

// multipart/form-data with one file field, its part's type and name chosen by the caller.
function upload(s, tok, bytes, type, name) {
    const fd = new FormData();
    fd.append('file', new Blob([bytes], { type }), name);
    return s.api('POST', '/api/v1/files', { token: tok, raw: fd, timeout: 120000 });
}

async function uploaded(s, tok, bytes, type, name, what) {
    const r = await upload(s, tok, bytes, type, name);
    assertStatus(r, 201, what);
    assert.strictEqual(r.json.id, sha256(bytes), `${what}: the id is the content's SHA-256`);
    return r.json.id;
}

function getFile(s, tok, id, headers) {
    return s.api('GET', `/api/v1/files/${id}`, { token: tok, headers: headers || {}, timeout: 120000 });
}

// Every regular file under dir, relative.
function walk(dir, rel = '') {
    const out = [];
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const p = path.join(rel, e.name);
        if (e.isDirectory()) out.push(...walk(dir, p));
        else out.push(p);
    }
    return out;
}

const HAZARD = { region: VILLAGE, title: '配电箱无防护', domain: 'fire', grade: 'general', found_at: '2025-09-20' };

test('photos: upload is sniffed by content, capped at 10 MiB, stored by hash, served with its type', { timeout: 240000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const filesDir = path.join(c.dir, 'shared-files');
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--files-dir', filesDir] });
    const village = await token(c.db, 'village');
    const town = await token(c.db, 'town');
    const stranger = await s.createUser('ph-stranger', 'village_worker', VILLAGE);

    // Exactly 10 MiB of JPEG, sent as text/plain named x.txt: stored as image/jpeg.
    const big = jpeg(10 * MiB);
    let r = await upload(s, village, big, 'text/plain', 'x.txt');
    assertStatus(r, 201, 'a 10 MiB JPEG');
    assert.deepStrictEqual(r.json, { id: sha256(big), type: 'image/jpeg', size: 10 * MiB });
    const bigId = r.json.id;
    r = await getFile(s, village, bigId);
    assertStatus(r, 200, 'the uploader reads it back');
    assert.strictEqual(r.headers['content-type'], 'image/jpeg');
    assert.ok(r.bytes.equals(big), 'byte-identical');
    assert.strictEqual(r.headers['x-content-type-options'], 'nosniff');
    assert.strictEqual(r.headers['content-disposition'], `inline; filename="${bigId}.jpg"`);
    assert.strictEqual(r.headers['etag'], `"${bigId}"`);
    assert.match(r.headers['cache-control'], /private/);
    assert.doesNotMatch(r.headers['cache-control'], /no-store/);
    r = await getFile(s, village, bigId, { 'If-None-Match': `"${bigId}"` });
    assertStatus(r, 304, 'If-None-Match');
    assert.strictEqual(r.bytes.length, 0);

    // One byte more is refused; so is text sent as a JPEG.
    r = await upload(s, village, jpeg(10 * MiB + 1), 'image/jpeg', 'big.jpg');
    assertError(r, 413, null, '10 MiB + 1');
    r = await upload(s, village, Buffer.from('这不是图片，只是文字。\n'.repeat(50)), 'image/jpeg', 'photo.jpg');
    assertError(r, 415, 'file', 'text named photo.jpg');
    assert.match(r.json.error.message, /JPEG/);
    r = await s.api('POST', '/api/v1/files', { token: village, raw: '<svg xmlns="http://www.w3.org/2000/svg"></svg>', headers: { 'Content-Type': 'image/png' } });
    assertError(r, 415, 'file', 'SVG as a raw body');

    // A PNG named .txt is a PNG; a raw body works too; the same content twice is one file.
    r = await upload(s, village, png(), 'text/plain', 'notes.txt');
    assertStatus(r, 201, 'PNG as .txt');
    assert.strictEqual(r.json.type, 'image/png');
    const pngId = r.json.id;
    r = await s.api('POST', '/api/v1/files', { token: town, raw: png(), headers: { 'Content-Type': 'text/plain' } });
    assertStatus(r, 201, 'the same PNG as a raw body, by another user');
    assert.strictEqual(r.json.id, pngId);
    // curl --data-binary sends application/x-www-form-urlencoded: still the file.
    r = await s.api('POST', '/api/v1/files', { token: village, raw: png(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assertStatus(r, 201, 'a raw PNG sent as form-urlencoded');
    assert.strictEqual(r.json.type, 'image/png');
    assert.strictEqual(r.json.id, pngId, 'the same bytes, the same file');
    r = await getFile(s, town, pngId);
    assertStatus(r, 200, 'each uploader of the same content may read it');
    assert.strictEqual(r.headers['content-type'], 'image/png');
    assert.strictEqual(r.headers['content-disposition'], `inline; filename="${pngId}.png"`);

    // On disk: DIR/ab/<sha256>, nothing else, no client name anywhere.
    const files = walk(filesDir).sort();
    assert.deepStrictEqual(files, [bigId, pngId].map((id) => path.join(id.slice(0, 2), id)).sort(), 'only hash-named files');
    for (const f of files) assert.strictEqual(sha256(fs.readFileSync(path.join(filesDir, f))), path.basename(f));
    assert.ok(!files.some((f) => /txt|jpg|photo|notes/.test(f)));

    // Unattached uploads are the uploader's alone; unknown ids look the same.
    assertStatus(await getFile(s, stranger, bigId), 404, 'a stranger reads an unattached upload');
    assertStatus(await getFile(s, town, bigId), 404, 'the township reads an unattached upload');
    assertStatus(await getFile(s, undefined, bigId), 401, 'no token');
    assertStatus(await getFile(s, village, 'f'.repeat(64)), 404, 'an unknown id');
    assertStatus(await getFile(s, village, '..%2F..%2Fdemo.db'), 404, 'not an id');
    assertStatus(await getFile(s, village, bigId.toUpperCase()), 404, 'ids are lowercase');

    // Every upload is audited.
    const audited = Number(await sqlite(c.db, "SELECT count(*) FROM audit_log WHERE entity = 'files' AND action = 'upload'"));
    assert.strictEqual(audited, 4);
});

test('photos: attached to hazards by create, update and transitions; read by scope; checked', { timeout: 180000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const filesDir = path.join(c.dir, 'shared-files');
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--files-dir', filesDir] });
    const village = await token(c.db, 'village');
    const town = await token(c.db, 'town');
    const otherTown = await s.createUser('ph-town2', 'township_admin', OTHER_TOWN);
    const p1 = await uploaded(s, village, png(1), 'image/png', 'a.png', 'photo 1');
    const p2 = await uploaded(s, village, png(2), 'image/png', 'b.png', 'photo 2');
    const foreign = await uploaded(s, otherTown, png(3), 'image/png', 'c.png', 'another township\'s upload');

    // Bad ids are 422 naming the field.
    for (const [photos, what] of [
        ['abc', 'not an array'],
        [['nothex'], 'not an id'],
        [[1], 'a number'],
        [['0'.repeat(64)], 'no such file'],
        [[foreign], 'someone else\'s unattached upload'],
        [[p1, p1], 'twice'],
        [Array.from({ length: 10 }, (_, i) => sha256(String(i))), 'ten'],
    ]) {
        const r = await s.api('POST', '/api/v1/hazards', { token: village, body: Object.assign({ photos }, HAZARD) });
        assertError(r, 422, 'photos', `create with photos ${what}`);
    }

    let r = await s.api('POST', '/api/v1/hazards', { token: village, body: Object.assign({ photos: [p1] }, HAZARD) });
    assertStatus(r, 201, 'create with a photo');
    assert.deepStrictEqual(r.json.photos, [p1]);
    const id = r.json.id;
    r = await s.admin('GET', `/api/v1/hazards/${id}`);
    assert.deepStrictEqual(r.json.photos, [p1]);
    r = await s.admin('GET', '/api/v1/meta/entities');
    const meta = r.json.items.find((e) => e.name === 'hazards').fields.find((f) => f.name === 'photos');
    assert.strictEqual(meta.type, 'files');

    // Attached: the township reads it, another township does not.
    assertStatus(await getFile(s, town, p1), 200, 'the township reads the hazard\'s photo');
    assertStatus(await getFile(s, otherTown, p1), 404, 'another township');
    assertStatus(await getFile(s, town, p2), 404, 'a photo not attached yet');

    // PATCH replaces the value; the old photo stays attached (history).
    r = await s.api('PATCH', `/api/v1/hazards/${id}`, { token: village, body: { photos: [p2] } });
    assertStatus(r, 200, 'PATCH photos');
    assert.deepStrictEqual(r.json.photos, [p2]);
    assertStatus(await getFile(s, town, p2), 200, 'the new photo');
    assertStatus(await getFile(s, town, p1), 200, 'the earlier photo');
    r = await s.api('PATCH', `/api/v1/hazards/${id}`, { token: village, body: { photos: [foreign] } });
    assertError(r, 422, 'photos', 'PATCH with another township\'s upload');

    // Transitions: bad photos are 422 naming photos; good ones are attached.
    const ASSIGN = { action: 'assign', deadline_days: 5, responsible_unit: '某单位', responsible_person: '张三', measures: '加装防护' };
    r = await s.api('POST', `/api/v1/hazards/${id}/transitions`, { token: town, body: Object.assign({ photos: ['nothex'] }, ASSIGN) });
    assertError(r, 422, 'photos', 'assign with a bad photo');
    r = await s.api('POST', `/api/v1/hazards/${id}/transitions`, { token: town, body: Object.assign({ photos: [foreign] }, ASSIGN) });
    assertError(r, 422, 'photos', 'assign with another township\'s upload');
    const t1 = await uploaded(s, town, png(4), 'image/png', 'notice.png', 'the township\'s photo');
    assertStatus(await getFile(s, village, t1), 404, 'before the transition the village cannot read it');
    r = await s.api('POST', `/api/v1/hazards/${id}/transitions`, { token: town, body: Object.assign({ photos: [t1] }, ASSIGN) });
    assertStatus(r, 200, 'assign with a photo');
    r = await s.admin('GET', `/api/v1/hazards/${id}/history`);
    assert.deepStrictEqual(r.json.items[0].photos, [t1]);
    assertStatus(await getFile(s, village, t1), 200, 'the village reads the transition\'s photo');
    assertStatus(await getFile(s, otherTown, t1), 404, 'another township still does not');

    // A unit officer reads only the photos of its unit's hazards.
    const unit = await s.admin('POST', '/api/v1/units', { body: { region: VILLAGE, name: '九龙镇五金店', type: 'shop' } });
    assertStatus(unit, 201, 'POST unit');
    const officer = await s.createUser('ph-officer', 'unit_officer', VILLAGE);
    await cli(['user', 'set', '--db', c.db, '--username', 'ph-officer', '--unit', String(unit.json.id)]);
    const p5 = await uploaded(s, village, png(5), 'image/png', 'e.png', 'photo 5');
    r = await s.api('POST', '/api/v1/hazards', { token: village, body: Object.assign({ photos: [p5], unit_id: unit.json.id }, HAZARD) });
    assertStatus(r, 201, 'a hazard of the unit');
    assertStatus(await getFile(s, officer, p5), 200, 'the officer reads its unit\'s photo');
    assertStatus(await getFile(s, officer, p2), 404, 'the officer reads another hazard\'s photo');

    // safecomm check verifies the attached files, and names the first bad one.
    let k = await cliRun(['check', '--db', c.db, '--files-dir', filesDir]);
    assertExit(k, 0, 'check');
    assert.match(k.stdout, /ok +every attached file is stored with its hash and size \(4 files\)/);
    const victim = path.join(filesDir, p2.slice(0, 2), p2);
    const orig = fs.readFileSync(victim);
    const tampered = Buffer.from(orig);
    tampered[tampered.length - 1] ^= 1;
    fs.writeFileSync(victim, tampered);
    k = await cliRun(['check', '--db', c.db, '--files-dir', filesDir]);
    assertExit(k, 1, 'check after tampering');
    assert.match(k.stdout, new RegExp(`FAIL files: attached file ${p2} does not match its hash`));
    fs.unlinkSync(victim);
    k = await cliRun(['check', '--db', c.db, '--files-dir', filesDir]);
    assertExit(k, 1, 'check with a missing file');
    assert.match(k.stdout, new RegExp(`FAIL files: attached file ${p2} is missing`));
    fs.writeFileSync(victim, orig);
});

test('photos: the files directory defaults to DB.files for SQLite and is required for PostgreSQL', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const village = await token(c.db, 'village');
    const r = await upload(s, village, png(), 'image/png', 'a.png');
    if (BACKEND === 'pg') {
        assertError(r, 503, null, 'upload without --files-dir on PostgreSQL');
        assert.match(r.json.error.message, /--files-dir/);
    } else {
        assertStatus(r, 201, 'upload with the default directory');
        const id = r.json.id;
        assert.ok(fs.readFileSync(path.join(c.db + '.files', id.slice(0, 2), id)).equals(png()), 'stored in DB.files');
    }
});

test('photos: two servers sharing one database and one files directory serve each other\'s uploads', { timeout: 60000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const filesDir = path.join(c.dir, 'nfs-files');
    const a = await ctx.serverWith({ db: c.db, token: c.token, args: ['--files-dir', filesDir] });
    const b = await ctx.serverWith({ db: c.db, token: c.token, args: ['--files-dir', filesDir] });
    const village = await token(c.db, 'village');
    const town = await token(c.db, 'town');
    const bytes = jpeg(256 * 1024);
    const id = await uploaded(a, village, bytes, 'application/octet-stream', 'IMG_0001.JPG', 'upload through server A');
    let r = await getFile(b, village, id);
    assertStatus(r, 200, 'server B serves it');
    assert.strictEqual(r.headers['content-type'], 'image/jpeg');
    assert.ok(r.bytes.equals(bytes));
    r = await b.api('POST', '/api/v1/hazards', { token: village, body: Object.assign({ photos: [id] }, HAZARD) });
    assertStatus(r, 201, 'server B attaches it');
    assertStatus(await getFile(a, town, id), 200, 'server A serves it to the township');
});
