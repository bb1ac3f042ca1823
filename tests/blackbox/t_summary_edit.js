'use strict';
// The work summary as offices submit it (issue 14): the office's own text
// over the generated summary (summary_edits, src/summary_edit.h) and the Word
// file in the official document format (GB/T 9704-2012), checked by
// converting it with LibreOffice and reading the PDF back with poppler.
// - A paragraph added to a chapter appears in md, html, pdf and docx.
// - An edited sentence survives the summary's regeneration; its figure tied
//   to the generated paragraph follows the data, the one typed by hand stays.
// - The DOCX converted by `soffice --headless --convert-to pdf` is A4, its
//   text within the margins 37/35/28/26 mm, with "— N —" page numbers in the
//   bottom margin (odd right, even left), and carries the Markdown's figures.
const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');
const { test, assert, assertStatus, assertError, cli, unzip } = lib;

const TOWN = '511621101000'; // 九龙镇
const VILLAGE = '511621101001';
const OTHER_TOWN = '511621102000';
const Q = `region=${TOWN}&year=2025&campaign=safe`;
const MM = 72 / 25.4;
const FONTS_CONF = path.resolve(__dirname, '..', '..', 'scripts', 'fonts', 'fonts.conf');

async function token(db, username) {
    return (await cli(['token', 'create', '--db', db, '--username', username])).stdout.trim();
}

function run(cmd, args, opts = {}) {
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(cmd, args, Object.assign({ encoding: 'utf8', timeout: 120000 }, opts));
    return { code: r.status, stdout: r.stdout || '', stderr: (r.stderr || '') + (r.error ? String(r.error) : '') };
}

async function fetchAs(s, format) {
    const r = await s.admin('GET', `/api/v1/reports/work-summary?${Q}&format=${format}`);
    assertStatus(r, 200, `summary as ${format}`);
    return r;
}

// The numbers of a text in reading order ("2276", "14.3").
function numbers(text) {
    return text.match(/\d+(?:\.\d+)?/g) || [];
}

// What a has more than b, and b more than a, as multisets.
function diff(a, b) {
    const count = new Map();
    for (const x of a) count.set(x, (count.get(x) || 0) + 1);
    for (const x of b) count.set(x, (count.get(x) || 0) - 1);
    const more = [], less = [];
    for (const [k, v] of count) for (let i = 0; i < Math.abs(v); i++) (v > 0 ? more : less).push(k);
    return { more, less };
}

// The text of each format, without what the format adds between characters.
async function texts(ctx, s) {
    const out = {};
    out.md = (await fetchAs(s, 'md')).text.replace(/\\/g, '');
    out.html = (await fetchAs(s, 'html')).text;
    const pdf = path.join(ctx.tmpDir(), 'ws.pdf');
    fs.writeFileSync(pdf, (await fetchAs(s, 'pdf')).bytes);
    const t = run('pdftotext', ['-enc', 'UTF-8', pdf, '-']);
    assert.strictEqual(t.code, 0, `pdftotext: ${t.stderr}`);
    out.pdf = t.stdout.replace(/\s+/g, '');
    const parts = unzip((await fetchAs(s, 'docx')).bytes);
    out.docx = parts['word/document.xml'].toString('utf8').replace(/<[^>]*>/g, '');
    return out;
}

test('summary edits: an added paragraph in all four formats; an edited sentence survives regeneration, its tied figure following the data and the one typed by hand marked 手填; revert; scope and bad input', { timeout: 240000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const pv = await s.admin('GET', `/api/v1/reports/work-summary?${Q}&format=json`);
    assertStatus(pv, 200, 'preview');
    const vol = pv.json.blocks.find((b) => b.kind === 'para' && b.text.includes('登记志愿者'));
    assert.ok(vol && vol.key && vol.chapter === 'organisation', `the volunteers paragraph has a key: ${JSON.stringify(vol)}`);
    assert.match(vol.key, /^organisation\/volunteers\/\d+$/, 'key: chapter/part/ordinal');
    const total = Number(/登记志愿者(\d+)人/.exec(vol.text)[1]);
    const hours = /志愿服务时长(\d+)小时/.exec(vol.text)[1];

    // An edit: the total and the hours tied, 7 typed by hand.
    const edited = `截至年底，全镇志愿者共${total}人，其中骨干7人，全年服务${hours}小时。`;
    const e = await s.admin('POST', `/api/v1/reports/summary-edits?${Q}`, { body: { kind: 'edit', key: vol.key, text: edited } });
    assertStatus(e, 201, 'POST edit');
    assert.strictEqual(e.json.text, edited, 'the edit reads back as typed');
    assert.deepStrictEqual(e.json.segments.filter((x) => x.hand).map((x) => x.text), ['7'], '7 is typed by hand');
    assert.deepStrictEqual(e.json.segments.filter((x) => x.figure !== undefined).map((x) => x.text), [String(total), hours], 'the total and the hours are tied');
    // Saving the same paragraph again updates the one edit.
    const e2 = await s.admin('POST', `/api/v1/reports/summary-edits?${Q}`, { body: { kind: 'edit', key: vol.key, text: edited } });
    assertStatus(e2, 200, 'POST edit again');
    assert.strictEqual(e2.json.id, e.json.id, 'one edit per paragraph');

    // An added paragraph, at the end of the chapter.
    const added = '镇党委书记亲自部署创建工作，全年召开专题会议3次，各村（社区）书记签订责任书。';
    const a = await s.admin('POST', `/api/v1/reports/summary-edits?${Q}`, { body: { kind: 'add', chapter: 'organisation', text: added } });
    assertStatus(a, 201, 'POST add');

    const t = await texts(ctx, s);
    for (const f of ['md', 'html', 'docx']) {
        assert.ok(t[f].includes(added), `${f} has the added paragraph`);
        assert.ok(t[f].includes(edited), `${f} has the edited sentence`);
    }
    assert.ok(t.pdf.includes(added), 'pdf has the added paragraph');
    assert.ok(t.pdf.includes(edited), 'pdf has the edited sentence');
    assert.ok(!t.md.includes(vol.text), 'the generated sentence is replaced');
    // Kept per campaign: the drug-free summary of the same town and year has neither.
    const df = await s.admin('GET', `/api/v1/reports/work-summary?region=${TOWN}&year=2025&campaign=drug_free&format=md`);
    assertStatus(df, 200, 'drug_free summary');
    assert.ok(!df.text.includes('全年召开专题会议') && !df.text.includes('其中骨干7人'), 'another campaign has its own text');
    // The added paragraph closes its chapter: before the next heading.
    const md = t.md;
    // The chapter's number depends on the chapters written before it.
    const orgAt = md.indexOf('、加强组织领导，壮大创建力量');
    const nextHeading = md.indexOf('\n## ', orgAt);
    assert.ok(orgAt > 0 && md.indexOf(added) > md.indexOf(edited) && (nextHeading < 0 || md.indexOf(added) < nextHeading), 'added at the end of the organisation chapter');

    // The data change: one more volunteer; the summary is written again.
    assertStatus(await s.admin('POST', '/api/v1/volunteers', { body: { name: '新志愿者', region: VILLAGE, joined_on: '2025-06-01', hours: 0 } }), 201, 'a volunteer');
    const md2 = (await fetchAs(s, 'md')).text;
    assert.ok(md2.includes(`全镇志愿者共${total + 1}人，其中骨干7人，全年服务${hours}小时。`), 'the tied figure follows the data, the typed one stays');
    const pv2 = (await s.admin('GET', `/api/v1/reports/work-summary?${Q}&format=json`)).json;
    const b2 = pv2.blocks.find((b) => b.key === vol.key);
    assert.strictEqual(b2.edit.kind, 'edit');
    assert.strictEqual(b2.edit.stale, false);
    assert.ok(b2.edit.generated.includes(`登记志愿者${total + 1}人`), 'the generated text is shown beside');
    assert.deepStrictEqual(b2.edit.segments.filter((x) => x.hand).map((x) => x.text), ['7']);
    const ba = pv2.blocks.find((b) => b.edit && b.edit.kind === 'add');
    assert.strictEqual(ba.text, added);
    assert.deepStrictEqual(ba.edit.segments.filter((x) => x.hand).map((x) => x.text), ['3'], 'numbers of an added paragraph are typed by hand');
    assert.deepStrictEqual(pv2.hidden_edits, []);

    // Edit the added paragraph, then delete it; revert the edit.
    const put = await s.admin('PUT', `/api/v1/reports/summary-edits/${a.json.id}?${Q}`, { body: { text: '书记亲自部署。' } });
    assertStatus(put, 200, 'PUT');
    assert.ok((await fetchAs(s, 'md')).text.includes('书记亲自部署。'), 'the new text');
    assertStatus(await s.admin('DELETE', `/api/v1/reports/summary-edits/${a.json.id}?${Q}`), 204, 'DELETE add');
    assertStatus(await s.admin('DELETE', `/api/v1/reports/summary-edits/${e.json.id}?${Q}`), 204, 'DELETE edit');
    const md3 = (await fetchAs(s, 'md')).text;
    assert.ok(!md3.includes('书记亲自部署') && md3.includes(`登记志愿者${total + 1}人`), 'back to the generated text');
    assertStatus(await s.admin('DELETE', `/api/v1/reports/summary-edits/${e.json.id}?${Q}`), 404, 'gone');

    // Every write is audited.
    const au = await s.admin('GET', `/api/v1/audit?entity=summary_edits&page_size=50`);
    assertStatus(au, 200, 'audit');
    assert.deepStrictEqual(au.json.items.map((x) => x.action).sort(), ['create', 'create', 'delete', 'delete', 'update', 'update']);
    const gone = au.json.items.find((x) => x.action === 'delete' && x.entity_id === String(e.json.id));
    assert.ok(gone && JSON.stringify(gone.changes).includes(`志愿者共${total}人`), `the reverted edit's text in the audit: ${JSON.stringify(gone)}`);

    // Bad input names the field in Chinese.
    const post = (body, q = Q) => s.admin('POST', `/api/v1/reports/summary-edits?${q}`, { body });
    assertError(await post({ kind: 'move', text: 'x' }), 422, 'kind');
    assertError(await post({ kind: 'add', chapter: 'organisation', text: '  ' }), 422, 'text');
    assertError(await post({ kind: 'edit', key: 'organisation/nothing/9', text: 'x' }), 422, 'key');
    assertError(await post({ kind: 'add', chapter: 'nowhere', text: 'x' }), 422, 'chapter');
    assertError(await post({ kind: 'add', chapter: 'organisation', after: 'publicity/activities/1', text: 'x' }), 422, 'after');
    assertError(await post({ kind: 'add', chapter: 'organisation', text: 'x', colour: 'red' }), 422, 'colour');
    assertStatus(await post({ kind: 'add', chapter: 'organisation', text: 'x' }, `region=${TOWN}&year=2025&campaign=party`), 400, 'campaign');
    const bad = await post({ kind: 'move', text: 'x' });
    assert.match(JSON.stringify(bad.json), /[\u4e00-\u9fff]/, 'the message is Chinese');

    // Scope and permission: the township writes its own summary only; a
    // village worker reads but does not write.
    const town = await token(c.db, 'town');
    const village = await token(c.db, 'village');
    const body = { kind: 'add', chapter: 'organisation', text: '本镇补充。' };
    assertStatus(await s.api('POST', `/api/v1/reports/summary-edits?${Q}`, { token: town, body }), 201, 'town: its own');
    assertStatus(await s.api('POST', `/api/v1/reports/summary-edits?region=${OTHER_TOWN}&year=2025`, { token: town, body }), 404, 'town: another township');
    assertStatus(await s.api('POST', `/api/v1/reports/summary-edits?region=${VILLAGE}&year=2025`, { token: village, body }), 403, 'village: no report:write');
    // The CLI's summary has the office's text too.
    const out = path.join(ctx.tmpDir(), 'cli.md');
    await s.cli(['report', '--db', s.db, 'work-summary', '--region', TOWN, '--year', '2025', '-o', out]);
    assert.ok(fs.readFileSync(out, 'utf8').includes('本镇补充。'), 'the CLI applies the edits');
});

// Word boxes of a PDF by page: [{page, xMin, yMin, xMax, yMax, text}].
function pdfWords(file) {
    const r = run('pdftotext', ['-bbox', '-enc', 'UTF-8', file, '-']);
    assert.strictEqual(r.code, 0, `pdftotext -bbox: ${r.stderr}`);
    const words = [];
    let page = 0;
    for (const line of r.stdout.split('\n')) {
        if (/<page /.test(line)) page++;
        const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/.exec(line);
        if (m) words.push({ page, xMin: +m[1], yMin: +m[2], xMax: +m[3], yMax: +m[4], text: m[5] });
    }
    return words;
}

// The page size, margins and page numbers of a PDF against GB/T 9704.
function checkLayout(file, what) {
    const info = run('pdfinfo', [file]);
    assert.strictEqual(info.code, 0, `pdfinfo: ${info.stderr}`);
    const m = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info.stdout);
    assert.ok(Math.abs(+m[1] - 595.3) < 1 && Math.abs(+m[2] - 841.9) < 1, `${what}: A4, not ${m[0]}`);
    const pages = Number(/Pages:\s+(\d+)/.exec(info.stdout)[1]);
    assert.ok(pages >= 2, `${what}: more than one page`);
    const words = pdfWords(file);
    const top = 37 * MM, bottom = 841.89 - 35 * MM, left = 28 * MM, right = 595.28 - 26 * MM;
    const body = words.filter((w) => w.yMax <= bottom + 2);
    const foot = words.filter((w) => w.yMin > bottom);
    for (const w of body) {
        // A full-width punctuation mark closing a line may stand in the
        // margin: it never starts a line (kinsoku), and LibreOffice keeps it
        // with the line before even with overflowPunct off.
        const hang = /[，。；：、）」”！？]$/.test(w.text) ? 17 : 1.5;
        assert.ok(w.xMin >= left - 1.5 && w.xMax <= right + hang, `${what}: "${w.text}" p${w.page} x ${w.xMin}–${w.xMax} within ${left.toFixed(1)}–${right.toFixed(1)}`);
        assert.ok(w.yMin >= top - 2, `${what}: "${w.text}" p${w.page} below the top margin (${w.yMin})`);
    }
    // The text starts at the left margin and reaches the top margin's line.
    const p1 = body.filter((w) => w.page === 1);
    assert.ok(Math.abs(Math.min(...p1.map((w) => w.xMin)) - left) < 3, `${what}: text at the left margin`);
    assert.ok(Math.min(...p1.map((w) => w.yMin)) < top + 29, `${what}: text from the top margin's first line`);
    for (let p = 1; p <= pages; p++) {
        const f = foot.filter((w) => w.page === p);
        assert.strictEqual(f.map((w) => w.text).join('').replace(/\s/g, ''), `—${p}—`, `${what}: page ${p}'s number`);
        const x0 = Math.min(...f.map((w) => w.xMin)), x1 = Math.max(...f.map((w) => w.xMax));
        if (p % 2) assert.ok(x1 > right - 30 && x1 <= right, `${what}: odd page ${p}'s number at the right (${x1})`);
        else assert.ok(x0 < left + 30 && x0 >= left, `${what}: even page ${p}'s number at the left (${x0})`);
        assert.ok(Math.min(...f.map((w) => w.yMin)) < bottom + 12 * MM, `${what}: page ${p}'s number under the text`);
    }
    return { words, pages };
}

test('summary docx: LibreOffice converts it; A4, the margins of GB/T 9704 and "— N —" page numbers; pdftotext finds the Markdown\'s figures; the PDF follows the same layout', { timeout: 240000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const dir = ctx.tmpDir();
    const docx = path.join(dir, 'ws.docx');
    fs.writeFileSync(docx, (await fetchAs(s, 'docx')).bytes);
    const conv = run('soffice', ['--headless', `-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`, '--convert-to', 'pdf', '--outdir', path.join(dir, 'lo'), docx], {
        env: Object.assign({}, process.env, { FONTCONFIG_FILE: FONTS_CONF, HOME: dir }),
    });
    const lo = path.join(dir, 'lo', 'ws.pdf');
    assert.ok(fs.existsSync(lo), `soffice converted the DOCX: ${conv.stdout} ${conv.stderr}`);
    const { words } = checkLayout(lo, 'LibreOffice');
    // The faces fall back to Noto CJK (scripts/fonts/fonts.conf).
    const fonts = run('pdffonts', [lo]).stdout;
    assert.match(fonts, /NotoSerifCJK/, 'the body in Noto Serif CJK');
    // The same figures as the Markdown, page numbers aside.
    const md = (await fetchAs(s, 'md')).text.replace(/\\/g, '');
    const bottom = 841.89 - 35 * MM;
    // A narrow table cell may wrap "100.0%" after or before its point.
    const joined = (ws) => ws.filter((w) => w.yMax <= bottom + 2).map((w) => w.text).join(' ').replace(/(\d\.) (\d)/g, '$1$2').replace(/(\d) (\.\d)/g, '$1$2');
    const pdfText = joined(words);
    assert.deepStrictEqual(diff(numbers(pdfText), numbers(md)), { more: [], less: [] }, 'the figures of the Markdown');

    // safecomm's own PDF: the same page, margins and page numbers.
    const own = path.join(dir, 'own.pdf');
    fs.writeFileSync(own, (await fetchAs(s, 'pdf')).bytes);
    const o = checkLayout(own, 'pdf');
    const ownText = joined(o.words);
    assert.deepStrictEqual(diff(numbers(ownText), numbers(md)), { more: [], less: [] }, 'the pdf has the figures of the Markdown');
});
