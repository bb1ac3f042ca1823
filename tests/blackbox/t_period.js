'use strict';
// The period a page opens on and exports for people (issue 17): GET
// /stats/years on the demo (records in 2024 and 2025; "today" set in 2026)
// opens on 2025 and says 2026 has none; a record found this year makes this
// year the default, for the county and the township that holds it but not
// for another township; a township's user sees its own subtree only. The
// statistics workbook writes rates as numbers in a per-cent format and ends
// its children's table with a 合计 row that adds up; downloads carry a
// Chinese name (filename*=UTF-8'') beside the ASCII one. Both backends.
const lib = require('./lib');
const { test, assert, assertStatus, unzip, xlsxCells, isXlsx } = lib;

const COUNTY = '511621000000';
const TOWN = '511621101000'; // 九龙镇
const OTHER_TOWN = '511621102000';
const VILLAGE = '511621101001';
const TODAY = '2026-06-15';

// The disposition's extended name, decoded; asserts its form.
function extName(cd, asciiRe) {
    assert.ok(cd, 'a Content-Disposition');
    assert.match(cd, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''[A-Za-z0-9%!#$&+\-.^_`|~]+$/, cd);
    assert.match(cd, asciiRe, `the ASCII fallback: ${cd}`);
    return decodeURIComponent(cd.slice(cd.indexOf("UTF-8''") + 7));
}

// The number format of each cell style (cellXfs index → format code).
function cellFormats(parts) {
    const styles = parts['xl/styles.xml'].toString('utf8');
    const codes = { 0: 'General', 9: '0%', 10: '0.00%' };
    for (const m of styles.matchAll(/<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/g)) codes[m[1]] = m[2];
    const xfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)[1];
    return [...xfs.matchAll(/<xf ([^>]*?)\/?>/g)].map((m) => codes[(/numFmtId="(\d+)"/.exec(m[1]) || [0, 0])[1]]);
}

// The style index of each cell of the first sheet: "B12" → 3.
function cellStyles(parts) {
    const sheet = parts['xl/worksheets/sheet1.xml'].toString('utf8');
    const out = {};
    for (const m of sheet.matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>)/g)) out[m[1]] = Number((/ s="(\d+)"/.exec(m[2]) || [0, 0])[1]);
    return out;
}

const colName = (i) => String.fromCharCode(65 + i); // A..Z is enough here

test('period: the demo opens on 2025 and says 2026 has no records; a record this year moves the default; a township sees its own years', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', TODAY] });
    let r = await s.admin('GET', `/api/v1/stats/years?region=${COUNTY}`);
    assertStatus(r, 200, 'years of the county');
    assert.deepStrictEqual(r.json.years, [2025, 2024], 'the demo holds 2024 and 2025');
    assert.strictEqual(r.json.current, 2026);
    assert.strictEqual(r.json.default, 2025, 'the latest year with records');
    assert.strictEqual(r.json.current_has_data, false);
    assert.strictEqual(r.json.fallback, true);
    assert.strictEqual(r.json.message, '2026年尚无数据，显示最近有数据的 2025年');
    // The statistics agree: 2026 counts nothing that happened in it, 2025 does.
    const st26 = (await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2026&sections=hazards,activities`)).json;
    assert.strictEqual(st26.hazards.found + st26.activities.count, 0, 'nothing found or held in 2026');
    const st25 = (await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025&sections=hazards`)).json;
    assert.ok(st25.hazards.found > 0, 'hazards found in 2025');

    // A township's user: its own region by default, another township is not found.
    const town = await s.createUser('period-town', 'township_admin', TOWN);
    r = await s.api('GET', '/api/v1/stats/years', { token: town });
    assertStatus(r, 200, 'the township\'s years');
    assert.strictEqual(r.json.region, TOWN, 'the caller\'s region by default');
    assert.strictEqual(r.json.default, 2025);
    assertStatus(await s.api('GET', `/api/v1/stats/years?region=${OTHER_TOWN}`, { token: town }), 404, 'another township');
    assertStatus(await s.api('GET', `/api/v1/stats/years?region=${COUNTY}`, { token: town }), 404, 'the county above');
    assertStatus(await s.api('GET', '/api/v1/stats/years?region=abc', { token: town }), 400, 'a bad code');
    assertStatus(await s.api('GET', '/api/v1/stats/years'), 401, 'not logged in');

    // A hazard found this year in one village of 九龙镇.
    r = await s.api('POST', '/api/v1/hazards', { token: town, body: { region: VILLAGE, title: '期间测试：楼道堆放杂物', domain: 'fire', grade: 'general', found_at: '2026-06-01' } });
    assertStatus(r, 201, 'a hazard found in 2026');
    const id = r.json.id;
    assert.ok(id, 'the new hazard\'s id');
    r = await s.api('GET', '/api/v1/stats/years', { token: town });
    assert.deepStrictEqual(r.json.years, [2026, 2025, 2024], 'the township now has 2026');
    assert.strictEqual(r.json.default, 2026, 'this year, now that it has records');
    assert.strictEqual(r.json.current_has_data, true);
    assert.strictEqual(r.json.fallback, false);
    assert.strictEqual(r.json.message, null);
    r = await s.admin('GET', `/api/v1/stats/years?region=${COUNTY}`);
    assert.strictEqual(r.json.default, 2026, 'and the county above it');
    r = await s.admin('GET', `/api/v1/stats/years?region=${OTHER_TOWN}`);
    assert.deepStrictEqual(r.json.years, [2025, 2024], 'another township still has none in 2026');
    assert.strictEqual(r.json.default, 2025);
    // Deleted, the record no longer makes the year.
    assertStatus(await s.admin('DELETE', `/api/v1/hazards/${id}`), 204, 'delete');
    r = await s.api('GET', '/api/v1/stats/years', { token: town });
    assert.strictEqual(r.json.default, 2025, 'a deleted record counts for nothing');
});

test('period: the statistics workbook writes rates in a per-cent format and a 合计 row that adds up; Chinese download names', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.serverWith({ args: ['--today', TODAY] });
    const st = (await s.admin('GET', `/api/v1/stats?region=${COUNTY}&year=2025`)).json;
    const figs = (await s.admin('GET', '/api/v1/stats/figures')).json;
    const x = await s.admin('GET', `/api/v1/stats/export.xlsx?region=${COUNTY}&year=2025`);
    assertStatus(x, 200, 'export.xlsx');
    assert.ok(isXlsx(x.bytes), 'an xlsx file');
    assert.strictEqual(extName(x.headers['content-disposition'], /filename="stats-511621000000-2025\.xlsx"/), '统计分析-岳池县-2025年.xlsx');

    const parts = unzip(x.bytes);
    const rows = xlsxCells(x.bytes);
    const formats = cellFormats(parts);
    const styles = cellStyles(parts);
    const fmtOf = (row, col) => formats[styles[`${colName(col)}${row + 1}`] || 0];
    // The figure rows: a rate is a number 0..1 in a per-cent format, a count is not.
    const rateRow = rows.findIndex((r) => r[0] === '整改率');
    assert.ok(rateRow > 0, 'the rate of rectification is listed');
    assert.strictEqual(rows[rateRow][1], st.hazards.rectification_rate, 'a number, the fraction');
    assert.match(fmtOf(rateRow, 1), /%/, 'in a per-cent format');
    const foundRow = rows.findIndex((r) => r[0] === '排查发现隐患');
    assert.doesNotMatch(fmtOf(foundRow, 1) || 'General', /%/, 'a count is not a per cent');

    // The children's table and its 合计 row.
    const head = rows.findIndex((r) => r[0] === '下级区域');
    const total = rows.findIndex((r, i) => i > head && r[0] === '合计');
    assert.ok(head > 0 && total > head + 1, 'a 合计 row after the children');
    const children = rows.slice(head + 1, total);
    assert.strictEqual(children.length, st.children.length, 'one row per child');
    const cols = figs.columns.filter((c) => st.sections.includes(c.section));
    const colOf = (section, key) => 1 + cols.findIndex((c) => c.section === section && c.key === key);
    const sum = (col) => children.reduce((a, r) => a + (r[col] || 0), 0);
    let counted = 0;
    cols.forEach((c, i) => {
        const col = i + 1;
        if (c.kind === 'count') {
            assert.strictEqual(rows[total][col], sum(col), `合计 of ${c.label} adds up`);
            counted++;
        } else if (c.kind === 'sum') {
            assert.ok(Math.abs(rows[total][col] - sum(col)) < 0.05, `合计 of ${c.label} adds up`);
        } else if (c.kind === 'rate') {
            const n = sum(colOf(c.section, c.num)), d = sum(colOf(c.section, c.den));
            assert.strictEqual(rows[total][col], d ? Math.round((n / d) * 10000) / 10000 : undefined, `合计 of ${c.label}: recomputed from the totals, not added`);
            assert.match(fmtOf(total, col), /%/, `合计 of ${c.label} in a per-cent format`);
            children.forEach((r, k) => assert.match(fmtOf(head + 1 + k, col), /%/, `${r[0]}'s ${c.label} in a per-cent format`));
        }
    });
    assert.ok(counted >= 5, 'the counts are totalled');
    // Every hazard of the county is in one of its townships: the total is the county's.
    assert.strictEqual(rows[total][colOf('hazards', 'found')], st.hazards.found, 'the 合计 of hazards found is the county\'s');

    // The work summary: the document's title.
    const docx = await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&format=docx`);
    assertStatus(docx, 200, 'docx');
    assert.strictEqual(extName(docx.headers['content-disposition'], /filename="work-summary-511621000000-2025\.docx"/), '岳池县2025年安全社区创建工作总结.docx');
    const pdf = await s.admin('GET', `/api/v1/reports/work-summary?region=${TOWN}&year=2025&format=pdf&campaign=drug_free`);
    assertStatus(pdf, 200, 'pdf');
    assert.match(extName(pdf.headers['content-disposition'], /filename="work-summary-511621101000-2025-drug_free\.pdf"/), /^九龙镇2025年.*工作总结\.pdf$/);
    // A list's export and its import template: the entity's label.
    const list = await s.admin('GET', `/api/v1/hazards/export.xlsx?region=${TOWN}`);
    assertStatus(list, 200, 'hazards export');
    assert.strictEqual(extName(list.headers['content-disposition'], /filename="hazards\.xlsx"/), `隐患-${TODAY}.xlsx`);
    const tpl = await s.admin('GET', '/api/v1/hazards/import-template.xlsx');
    assertStatus(tpl, 200, 'template');
    assert.strictEqual(extName(tpl.headers['content-disposition'], /filename="hazards-template\.xlsx"/), '隐患-导入模板.xlsx');
});
