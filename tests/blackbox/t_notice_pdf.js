'use strict';
// The rectification notice as a PDF (GET /api/v1/hazards/{id}/notice.pdf):
// a real PDF whose text (read back with poppler's pdftotext) carries the
// notice number, the responsible unit, the deadline and a hostile title as
// plain text; the download names; the same refusals as notice.html (409
// before the notice, 404 out of scope, 401 without login). Both backends.

const fs = require('fs');
const path = require('path');
const { test, assert, assertStatus, cli, run } = require('./lib');

const VILLAGE = '511621101001'; // under 九龙镇

async function token(db, username) {
    const r = await cli(['token', 'create', '--db', db, '--username', username]);
    return r.stdout.trim();
}

async function newHazard(s, body) {
    const r = await s.admin('POST', '/api/v1/hazards', {
        body: Object.assign({ region: VILLAGE, title: '楼道堆放杂物', domain: 'fire', grade: 'general', found_at: '2025-09-20' }, body),
    });
    assertStatus(r, 201, 'POST hazard');
    return r.json.id;
}

// pdftotext and pdfinfo of the bytes, through a file in the test's directory.
async function pdfText(ctx, bytes, name) {
    const file = path.join(ctx.tmpDir(), name);
    fs.writeFileSync(file, bytes);
    const t = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
    assert.strictEqual(t.code, 0, `pdftotext: ${t.stderr}`);
    const i = await run('pdfinfo', [file]);
    assert.strictEqual(i.code, 0, `pdfinfo: ${i.stderr}`);
    return { text: t.stdout, info: i.stdout };
}

test('notice.pdf: the assigned hazard prints its notice as a PDF; refusals as for notice.html', { timeout: 180000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const title = '<script>alert(1)</script>消防通道堵塞';
    const unit = '九龙镇"红星"&便民超市';
    const id = await newHazard(s, { title, address: '九龙镇正街8号' });

    // Before the notice: 409, as for the HTML view.
    let r = await s.api('GET', `/api/v1/hazards/${id}/notice.pdf`, { token: town });
    assertStatus(r, 409, 'notice.pdf before assign');
    assert.strictEqual(r.json.error.code, 'conflict');

    r = await s.api('POST', `/api/v1/hazards/${id}/transitions`, {
        token: town,
        body: { action: 'assign', deadline_days: 5, responsible_unit: unit, responsible_person: '张三', measures: '立即清理通道内杂物' },
    });
    assertStatus(r, 200, 'assign');
    const no = r.json.notice_no;
    assert.match(no, /^九龙镇隐患整改〔2025〕第\d{3}号$/);
    assert.strictEqual(r.json.deadline, '2025-10-10');

    r = await s.api('GET', `/api/v1/hazards/${id}/notice.pdf`, { token: town });
    assertStatus(r, 200, 'notice.pdf');
    assert.strictEqual(r.headers['content-type'], 'application/pdf');
    assert.strictEqual(r.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const cd = r.headers['content-disposition'];
    assert.ok(cd.startsWith(`attachment; filename="notice-${id}.pdf"; filename*=UTF-8''`), cd);
    const ext = cd.slice(cd.indexOf("UTF-8''") + 7);
    assert.match(ext, /^[A-Za-z0-9%!#$&+\-.^_`|~]+$/, 'the extended name is percent-encoded');
    assert.strictEqual(decodeURIComponent(ext), `整改通知书-${no}.pdf`);

    const { text, info } = await pdfText(ctx, r.bytes, `notice-${id}.pdf`);
    const flat = text.replace(/\s+/g, '');
    assert.ok(flat.includes('安全隐患整改通知书'), 'the heading');
    assert.ok(flat.includes(no), 'the notice number');
    assert.ok(flat.includes('九龙镇"红星"&便民超市：'), 'the responsible unit, as plain text');
    assert.ok(flat.includes('2025-10-10'), 'the deadline');
    assert.ok(flat.includes('<script>alert(1)</script>消防通道堵塞'), 'the title, as plain text');
    assert.ok(!flat.includes('&lt;'), 'no HTML escaping in a PDF');
    assert.ok(flat.includes('张三') && flat.includes('立即清理通道内杂物'));
    assert.ok(flat.includes('九龙镇安全生产委员会办公室'), 'the sign-off');
    assert.ok(flat.includes('2025-09-26'), 'the notice date');
    assert.ok(flat.includes('被检查单位签收'), 'the receipt line');
    assert.ok(flat.includes('第1页共1页'), 'the page footer');
    assert.match(info, /^Pages:\s+1$/m);
    assert.match(info, /^Creator:\s+safecomm$/m);
    assert.match(info, /^Page size:.*\(A4\)/m);

    // The HTML view holds the same content, escaped.
    r = await s.api('GET', `/api/v1/hazards/${id}/notice.html`, { token: town });
    assertStatus(r, 200, 'notice.html');
    assert.ok(r.text.includes(no));
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;消防通道堵塞'));
    assert.ok(r.text.includes('九龙镇&quot;红星&quot;&amp;便民超市：'));
    assert.ok(!r.text.includes('<script>'));

    // A user of another township: 404, as for a hazard that does not exist.
    const other = await s.createUser('np-town2', 'township_admin', '511621102000');
    r = await s.api('GET', `/api/v1/hazards/${id}/notice.pdf`, { token: other });
    assertStatus(r, 404, 'notice.pdf out of scope');
    assertStatus(await s.api('GET', '/api/v1/hazards/99999999/notice.pdf', { token: town }), 404, 'no such hazard');
    // Without login: 401.
    assertStatus(await s.api('GET', `/api/v1/hazards/${id}/notice.pdf`), 401, 'notice.pdf without login');
});

test('notice.pdf: long content wraps and flows onto a second page with footers', { timeout: 90000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', '2025-09-26'] });
    const town = await token(c.db, 'town');
    const description = Array.from({ length: 60 }, (_, i) => `第${i + 1}处：配电箱周围堆放可燃物，电线私拉乱接。`).join('');
    const id = await newHazard(s, { title: '长描述隐患', description });
    const r0 = await s.api('POST', `/api/v1/hazards/${id}/transitions`, {
        token: town,
        body: { action: 'assign', deadline_days: 5, responsible_unit: '九龙镇农贸市场', responsible_person: '李四', measures: '清除可燃物，规范布线' },
    });
    assertStatus(r0, 200, 'assign');
    const r = await s.api('GET', `/api/v1/hazards/${id}/notice.pdf`, { token: town });
    assertStatus(r, 200, 'notice.pdf');
    const { text, info } = await pdfText(ctx, r.bytes, 'long.pdf');
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(info)[1]);
    assert.ok(pages >= 2, `the long description needs more than one page (got ${pages})`);
    const flat = text.replace(/\s+/g, '');
    assert.ok(flat.includes('第1处：') && flat.includes('第60处：'), 'the whole description is printed');
    assert.ok(flat.includes(`第1页共${pages}页`) && flat.includes(`第${pages}页共${pages}页`), 'the footers');
    assert.ok(flat.includes('2025-10-10'), 'the deadline after the long cell');
});
