'use strict';
// A work summary per campaign: each campaign's title, and first-level
// headings that follow its declared outline (GET /api/v1/reports/outlines)
// in order; the API and the command line choose the campaign alike, and a
// campaign that is not one is refused naming the field. Both backends.
const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');
const { test, assert, assertStatus, assertError, cliRun, assertExit } = lib;

const COUNTY = '511621000000';
const TOWN = '511621101000'; // 九龙镇

// "## 三、加强安全隐患排查和整治" → "加强安全隐患排查和整治"
const headings = (md) => md.split('\n').filter((l) => /^## /.test(l)).map((l) => l.slice(3).replace(/^[一二三四五六七八九十]+、/, ''));

test('campaign summaries: own title, headings in the declared order, the campaign chosen by API and CLI', { timeout: 120000 }, async (ctx) => {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token });
    const o = await s.admin('GET', '/api/v1/reports/outlines');
    assertStatus(o, 200, 'outlines');
    const outlines = o.json.campaigns;
    assert.deepStrictEqual(outlines.map((x) => x.campaign), ['safe', 'drug_free', 'rule_of_law', 'civilized']);
    assert.deepStrictEqual(outlines.map((x) => x.label), ['安全社区', '无毒社区', '民主法治示范社区', '文明社区']);
    const own = new Map(); // campaign -> the township summary's headings, problems and plan aside
    for (const region of [COUNTY, TOWN]) {
        const name = region === COUNTY ? '岳池县' : '九龙镇';
        for (const ol of outlines) {
            const md = await s.admin('GET', `/api/v1/reports/work-summary?region=${region}&year=2025&campaign=${ol.campaign}&format=md`);
            assertStatus(md, 200, `${ol.campaign} md`);
            const title = `${name}2025年${ol.label}创建工作总结`;
            assert.ok(md.text.startsWith(`# ${title}\n`), `${ol.campaign}: the title ${title}`);
            // Every heading is one of the outline's, in the outline's order;
            // those written from the data (children, plan) match their form.
            let at = 0;
            for (const h of headings(md.text)) {
                let found = -1;
                for (let k = at; k < ol.chapters.length && found < 0; k++) {
                    const ch = ol.chapters[k];
                    if (ch.heading === h || (ch.kind === 'children' && /^各.+工作情况$/.test(h)) || (ch.kind === 'plan' && /^\d{4}年工作打算$/.test(h)))
                        found = k;
                }
                assert.ok(found >= 0, `${ol.campaign} ${region}: heading "${h}" is in the outline after chapter ${at}`);
                at = found + 1;
            }
            if (region === TOWN)
                own.set(ol.campaign, headings(md.text).filter((h) => h !== '存在的主要问题' && !/^\d{4}年工作打算$/.test(h)));
            const js = await s.admin('GET', `/api/v1/reports/work-summary?region=${region}&year=2025&campaign=${ol.campaign}`);
            assert.strictEqual(js.json.title, title, 'the console\'s preview has the same title');
        }
    }
    // The demo township has records for every campaign: each summary has
    // first-level headings of its own, none shared with another campaign's.
    for (const [c, hs] of own) {
        assert.ok(hs.length >= 2, `${c}: at least two chapters written from the records (${hs.join('；')})`);
        for (const [d, other] of own)
            if (d !== c) assert.deepStrictEqual(hs.filter((h) => other.includes(h)), [], `${c} and ${d} share no heading`);
    }
    // The safe summary stays the default, and its own chapters are not in the others'.
    const def = await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&format=md`);
    const safe = await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&campaign=safe&format=md`);
    assert.strictEqual(def.text, safe.text, 'no campaign is the safe-community summary');
    assert.ok(headings(safe.text).includes('加强安全隐患排查和整治'), 'the demo county\'s safe summary has its rectification chapter');
    const drug = await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&campaign=drug_free&format=md`);
    assert.ok(!drug.text.includes('隐患'), 'the drug-free summary does not borrow the hazard loop');
    const docx = await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&campaign=drug_free&format=docx`);
    assert.match(docx.headers['content-disposition'], /work-summary-511621000000-2025-drug_free\.docx/);
    assertError(await s.admin('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&campaign=safety&format=md`), 400, 'campaign', 'campaign=safety');
    assertStatus(await s.api('GET', '/api/v1/reports/outlines'), 401, 'outlines need a login');
    // The command line writes the same document for the same campaign.
    const out = path.join(ctx.tmpDir(), 'drug.md');
    assertExit(await cliRun(['report', '--db', c.db, 'work-summary', '--region', COUNTY, '--year', '2025', '--campaign', 'drug_free', '-o', out]), 0, 'report --campaign drug_free');
    assert.strictEqual(fs.readFileSync(out, 'utf8'), drug.text, 'the CLI\'s drug-free summary equals the API\'s');
    assertExit(await cliRun(['report', '--db', c.db, 'work-summary', '--region', COUNTY, '--year', '2025', '--campaign', 'x', '-o', out]), 2, 'an unknown campaign', { oneLine: false });
    // Each summary is audited with its campaign.
    const audit = await s.admin('GET', '/api/v1/audit?action=export&entity=work_summary&page_size=100');
    assertStatus(audit, 200, 'the audit of the summaries');
    assert.ok(audit.json.items.some((e) => JSON.stringify(e).includes('"campaign":"drug_free"')), 'the audit names the campaign');
});
