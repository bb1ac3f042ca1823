'use strict';
// Campaigns (issue 14, acceptance 1): a county target of 1 national, 2
// provincial and 3 municipal safe communities, shared out to six towns;
// campaigns moved through their steps with evidence (an uploaded file or a
// linked record); the board's achieved and late counts equal the data (the
// campaigns list and its late filter, the statistics); a step without
// evidence answers 422 naming the field. Also: the steps' order, scope and
// permission, the state machine's lock on PATCH, the findings of a
// supervision inspection closed through their machine, and `check` naming a
// completed step stripped of its evidence. Runs on both backends.

const { test, assert, assertStatus, sqlite, cli } = require('./lib');

const COUNTY = '511699000000'; // a county of the test's own: every record in it is the test's
const TOWNS = [1, 2, 3, 4, 5, 6].map((i) => `5116991${String(i).padStart(2, '0')}000`);
const TODAY = '2025-09-26';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

// The safe community's steps with the milestones' fields (the dictionary
// campaign_step, migration 0017).
const SAFE_STEPS = ['launch', 'organisation', 'publicity', 'diagnosis', 'planning', 'projects', 'work_report', 'application', 'document_review', 'onsite_evaluation', 'named'];

function dayAfter(d, n) {
    const t = new Date(d + 'T00:00:00Z');
    t.setUTCDate(t.getUTCDate() + n);
    return t.toISOString().slice(0, 10);
}

async function setup(ctx) {
    const c = await ctx.demoCopy();
    const s = await ctx.serverWith({ db: c.db, token: c.token, args: ['--today', TODAY, '--files-dir', c.db + '.files'] });
    assertStatus(await s.admin('POST', '/api/v1/regions', { body: { code: COUNTY, name: '测试县' } }), 201, 'the county');
    for (let i = 0; i < TOWNS.length; i++)
        assertStatus(await s.admin('POST', '/api/v1/regions', { body: { code: TOWNS[i], name: `测试${i + 1}镇` } }), 201, `town ${i + 1}`);
    const county = await s.createUser('cp-county', 'county_admin', COUNTY);
    const town1 = await s.createUser('cp-town1', 'township_admin', TOWNS[0]);
    return { c, s, county, town1 };
}

async function upload(s, tok, tag) {
    const up = await s.api('POST', '/api/v1/files', { token: tok, raw: Buffer.concat([PNG, Buffer.from(tag)]), headers: { 'Content-Type': 'image/png' } });
    assertStatus(up, 201, 'upload a scan');
    return up.json.id;
}

function step(s, tok, id, body) {
    return s.api('POST', `/api/v1/campaigns/${id}/transitions`, { token: tok, body });
}

// Completes the next n steps of campaign id, each with evidence, the first
// on start + 10 days and then a day apart; the last, when it names, at level.
async function completeSteps(s, tok, id, from, n, evidence, level) {
    const steps = (await s.api('GET', `/api/v1/campaigns/${id}/steps`, { token: tok })).json.items;
    let k = steps.findIndex((x) => !x.done_on);
    let day = from;
    for (let i = 0; i < n; i++, k++) {
        const body = Object.assign({ action: 'complete', step: steps[k].code, done_on: day, note: `完成${steps[k].label}` }, evidence());
        if (steps[k].milestone === 'filing') Object.assign(body, { filing_no: `川安社备〔2025〕${id}号`, support_centre: '四川省安全社区支持中心' });
        if (steps[k].milestone === 'named' && level) body.named_level = level;
        const r = await step(s, tok, id, body);
        assertStatus(r, 200, `complete ${steps[k].code}`);
        day = dayAfter(day, 1);
    }
}

test('campaigns: targets 1/2/3, steps with evidence, the board equals the data, 422 without evidence', { timeout: 300000 }, async (ctx) => {
    const { c, s, county, town1 } = await setup(ctx);
    // The county's target for the period, and each town's share.
    for (const [level, n] of [['national', 1], ['provincial', 2], ['municipal', 3]]) {
        const r = await s.api('POST', '/api/v1/campaign_targets', { token: county, body: { region: COUNTY, type: 'safe', level, period_start: 2024, period_end: 2026, target: n } });
        assertStatus(r, 201, `target ${level}`);
    }
    const LEVELS = ['national', 'provincial', 'provincial', 'municipal', 'municipal', 'municipal'];
    for (let i = 0; i < TOWNS.length; i++)
        assertStatus(await s.api('POST', '/api/v1/campaign_targets', { token: county, body: { region: TOWNS[i], type: 'safe', level: LEVELS[i], period_start: 2024, period_end: 2026, target: 1 } }), 201, `share ${i + 1}`);
    const badTarget = await s.api('POST', '/api/v1/campaign_targets', { token: county, body: { region: COUNTY, type: 'safe', level: 'national', period_start: 2026, period_end: 2024, target: 1 } });
    assertStatus(badTarget, 422, 'a period that ends before it starts');
    assert.ok(badTarget.json.error.fields.period_end, 'the field is named');

    // One campaign per town, each starting on its day.
    const STARTS = ['2024-01-10', '2024-02-01', '2025-06-01', '2024-01-01', '2025-09-01', '2025-01-01'];
    const ids = [];
    for (let i = 0; i < TOWNS.length; i++) {
        const r = await s.api('POST', '/api/v1/campaigns', {
            token: county,
            body: { region: TOWNS[i], name: `测试${i + 1}镇创建安全社区`, type: 'safe', community_type: 'rural', target_level: LEVELS[i], pilot: i < 2, started_on: STARTS[i] },
        });
        assertStatus(r, 201, `campaign ${i + 1}`);
        ids.push(r.json.id);
    }
    let g = await s.api('GET', `/api/v1/campaigns/${ids[0]}`, { token: county });
    assert.strictEqual(g.json.state, 'planned');
    assert.strictEqual(g.json.step, 'launch');
    assert.strictEqual(g.json.steps_total, SAFE_STEPS.length);
    let tl = (await s.api('GET', `/api/v1/campaigns/${ids[0]}/steps`, { token: county })).json.items;
    assert.deepStrictEqual(tl.map((x) => x.code), SAFE_STEPS, 'the type\'s steps, as data, in order');
    assert.strictEqual(tl[0].planned_on, '2024-02-10', 'planned one month after the start');
    assert.strictEqual(tl[10].planned_on, '2025-11-10', 'named planned 22 months after the start');

    // A step without evidence is refused, naming the field; so is a filing without its number.
    let r = await step(s, town1, ids[0], { action: 'complete', done_on: '2024-02-01', filing_no: '川安社备〔2024〕1号', support_centre: '四川省安全社区支持中心' });
    assertStatus(r, 422, 'a step without evidence');
    assert.ok(r.json.error.fields.files, 'the evidence field is named');
    assert.match(r.json.error.message, /证明材料/);
    r = await step(s, town1, ids[0], { action: 'complete', done_on: '2024-02-01', files: [], records: [] });
    assertStatus(r, 422, 'empty evidence');
    r = await step(s, town1, ids[0], { action: 'complete', done_on: '2024-02-01', files: [await upload(s, town1, 'x')] });
    assertStatus(r, 422, 'a filing without its number and centre');
    assert.ok(r.json.error.fields.filing_no && r.json.error.fields.support_centre, 'the filing\'s fields are named');
    r = await step(s, town1, ids[0], { action: 'complete', step: 'organisation', files: [] });
    assertStatus(r, 409, 'a step out of order');
    r = await step(s, town1, ids[0], { action: 'complete', bogus: 1 });
    assertStatus(r, 422, 'an unknown field');
    // Evidence must be visible to the writer: town 1 cannot cite town 2's record.
    const act2 = await s.api('POST', '/api/v1/activities', { token: county, body: { region: TOWNS[1], title: '安全社区启动大会', kind: 'meeting', held_on: '2024-02-05' } });
    assertStatus(act2, 201, 'an activity of town 2');
    r = await step(s, town1, ids[0], { action: 'complete', records: [{ entity: 'activities', id: act2.json.id }], filing_no: 'x', support_centre: 'y' });
    assertStatus(r, 422, 'another town\'s record as evidence');
    assert.ok(r.json.error.fields.records, 'records is named');
    // Nor may town 1 move town 2's campaign (out of scope: absent).
    r = await step(s, town1, ids[1], { action: 'complete', records: [{ entity: 'activities', id: act2.json.id }], filing_no: 'x', support_centre: 'y' });
    assertStatus(r, 404, 'another town\'s campaign');
    g = await s.api('GET', `/api/v1/campaigns/${ids[0]}`, { token: county });
    assert.strictEqual(g.json.steps_done, 0, 'nothing moved');

    // Town 1 (national) and town 2 (provincial) go through every step: town 1
    // with scans, town 2 with its own records; town 3 does four, town 4 two
    // (then late), town 6 one (late), town 5 none (not yet due).
    const scans = () => upload(s, town1, String(Math.random())).then((f) => ({ files: [f] }));
    let ev = [];
    for (let i = 0; i < SAFE_STEPS.length; i++) ev.push(await scans());
    let n = 0;
    await completeSteps(s, town1, ids[0], '2024-01-20', SAFE_STEPS.length, () => ev[n++], 'national');
    const rec = (region) => async () => {
        const a = await s.api('POST', '/api/v1/activities', { token: county, body: { region, title: '创建工作会议', kind: 'meeting', held_on: '2025-01-05' } });
        assertStatus(a, 201, 'an activity as evidence');
        return { records: [{ entity: 'activities', id: a.json.id }] };
    };
    ev = [];
    for (let i = 0; i < SAFE_STEPS.length; i++) ev.push(await rec(TOWNS[1])());
    n = 0;
    await completeSteps(s, county, ids[1], '2024-03-01', SAFE_STEPS.length, () => ev[n++]);
    for (const [k, count] of [[2, 4], [3, 2], [5, 1]]) {
        ev = [];
        for (let i = 0; i < count; i++) ev.push(await rec(TOWNS[k])());
        n = 0;
        await completeSteps(s, county, ids[k], dayAfter(STARTS[k], 5), count, () => ev[n++]);
    }
    // Town 3's plan is moved on: the county adjusts its schedule.
    tl = (await s.api('GET', `/api/v1/campaigns/${ids[2]}/steps`, { token: county })).json.items;
    assertStatus(await step(s, county, ids[2], { action: 'plan', step: tl[4].code, planned_on: '2025-12-01' }), 200, 're-plan the current step');
    assertStatus(await step(s, county, ids[2], { action: 'plan', step: tl[0].code, planned_on: '2025-12-01' }), 409, 're-plan a step done');

    g = await s.api('GET', `/api/v1/campaigns/${ids[0]}`, { token: county });
    assert.strictEqual(g.json.state, 'named');
    assert.strictEqual(g.json.named_level, 'national');
    assert.strictEqual(g.json.filing_no, `川安社备〔2025〕${ids[0]}号`);
    assert.strictEqual(g.json.support_centre, '四川省安全社区支持中心');
    assert.strictEqual(g.json.named_on, '2024-01-30');
    assert.strictEqual(g.json.expires_on, '2027-01-30', 'the title runs three years');
    assert.strictEqual(g.json.late, false);
    g = await s.api('GET', `/api/v1/campaigns/${ids[1]}`, { token: county });
    assert.strictEqual(g.json.named_level, 'provincial', 'named at its target level by default');
    // Named: no step left; the machine owns it, so PATCH and DELETE answer 409.
    assertStatus(await step(s, county, ids[0], { action: 'complete', files: [] }), 409, 'complete after named');
    assertStatus(await s.api('PATCH', `/api/v1/campaigns/${ids[0]}`, { token: county, body: { note: '改' } }), 409, 'PATCH a named campaign');
    assertStatus(await s.api('PATCH', `/api/v1/campaigns/${ids[3]}`, { token: county, body: { note: '改' } }), 409, 'PATCH a campaign under way');
    assertStatus(await s.api('DELETE', `/api/v1/campaigns/${ids[3]}`, { token: county }), 409, 'DELETE a campaign under way');
    assertStatus(await s.api('PATCH', `/api/v1/campaigns/${ids[4]}`, { token: county, body: { note: '尚未启动' } }), 200, 'PATCH a planned campaign');
    r = await s.api('PATCH', `/api/v1/campaigns/${ids[4]}`, { token: county, body: { state: 'named' } });
    assert.ok(r.status === 422 || r.status === 400, `the state is not a client's to write (${r.status})`);
    // The timeline shows each step's evidence.
    tl = (await s.api('GET', `/api/v1/campaigns/${ids[1]}/steps`, { token: town1 }));
    assertStatus(tl, 404, 'town 1 cannot read town 2\'s timeline');
    tl = (await s.api('GET', `/api/v1/campaigns/${ids[1]}/steps`, { token: county })).json.items;
    assert.ok(tl.every((x) => x.done_on && x.records.length === 1 && x.records[0].entity === 'activities' && x.records[0].title === '创建工作会议'), 'each step with its linked record');
    tl = (await s.api('GET', `/api/v1/campaigns/${ids[0]}/steps`, { token: county })).json.items;
    assert.ok(tl.every((x) => x.files.length === 1), 'each step with its scan');
    const f = await s.api('GET', `/api/v1/files/${tl[0].files[0]}`, { token: county });
    assertStatus(f, 200, 'the county reads the attached scan');

    // The board equals the data.
    const b = await s.api('GET', `/api/v1/campaigns/board?region=${COUNTY}`, { token: county });
    assertStatus(b, 200, 'board');
    const lv = Object.fromEntries(b.json.by_level.map((x) => [x.level, x]));
    assert.deepStrictEqual([lv.national.target, lv.provincial.target, lv.municipal.target], [1, 2, 3], 'the targets');
    assert.deepStrictEqual([lv.national.achieved, lv.provincial.achieved, lv.municipal.achieved], [1, 1, 0], 'achieved by level');
    assert.deepStrictEqual([lv.national.in_progress, lv.provincial.in_progress, lv.municipal.in_progress], [0, 1, 3], 'in progress by level');
    assert.strictEqual(b.json.counts.late, 2, 'towns 4 and 6 are late');
    assert.deepStrictEqual(b.json.campaigns.filter((x) => x.late).map((x) => x.region).sort(), [TOWNS[3], TOWNS[5]]);
    assert.strictEqual(b.json.campaigns.length, 6);
    assert.deepStrictEqual(b.json.campaigns.map((x) => x.step_label), [null, null, '确定目标和促进计划', '宣传培训和全员参与', '启动、备案', '建立组织机构和工作制度'], 'each town\'s current step');
    // … against the list API and its late filter …
    const list = (await s.api('GET', `/api/v1/campaigns?region=${COUNTY}&type=safe&page_size=500`, { token: county })).json;
    const named = list.items.filter((x) => x.state === 'named');
    assert.strictEqual(lv.national.achieved + lv.provincial.achieved + lv.municipal.achieved, named.length, 'achieved equals the named rows');
    for (const l of ['national', 'provincial', 'municipal'])
        assert.strictEqual(lv[l].achieved, named.filter((x) => x.named_level === l).length, `achieved ${l}`);
    const late = (await s.api('GET', `/api/v1/campaigns?region=${COUNTY}&type=safe&late=true&page_size=500`, { token: county })).json;
    assert.strictEqual(b.json.counts.late, late.total, 'late equals the late filter');
    // … against the rows themselves …
    const direct = Number(await sqlite(c.db, `SELECT count(*) FROM campaigns c WHERE c.deleted_at IS NULL AND c.region >= '${COUNTY}' AND c.region < '511699999999' AND EXISTS (SELECT 1 FROM campaign_steps s WHERE s.campaign_id = c.id AND s.done_on IS NULL AND s.planned_on < '${TODAY}')`));
    assert.strictEqual(b.json.counts.late, direct, 'late equals a direct count of the steps');
    // … and against the statistics.
    const st = (await s.api('GET', `/api/v1/stats?region=${COUNTY}&year=2025`, { token: county })).json;
    assert.strictEqual(st.campaigns.late, 2, 'the figure of late campaigns');
    assert.strictEqual(st.campaigns.safe_named, 2);
    assert.strictEqual(st.campaigns.safe_named_national, 1);
    assert.strictEqual(st.campaign_targets.target, 6, 'the target of the period');
    assert.strictEqual(st.campaign_targets.share, 6, 'the shares');
    // The steps due this month: town 3's re-planned step is not; town 5's launch is due 2025-10-01.
    assert.ok(b.json.due_this_month.every((x) => x.planned_on >= '2025-09-01' && x.planned_on <= '2025-09-31'));
    // A township admin's board is its own town.
    const tb = await s.api('GET', `/api/v1/campaigns/board?region=${TOWNS[0]}`, { token: town1 });
    assertStatus(tb, 200, 'town board');
    assert.deepStrictEqual(tb.json.campaigns.map((x) => x.id), [ids[0]]);
    assertStatus(await s.api('GET', `/api/v1/campaigns/board?region=${COUNTY}`, { token: town1 }), 404, 'the county board is outside town 1');

    // The summary's targets chapter says what the data says.
    const md = (await s.api('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&format=md`, { token: county })).text;
    assert.ok(md.includes('上级下达我县安全社区建设目标任务6个，其中国家级安全社区1个，省级安全社区2个，市级安全社区3个'), md.slice(0, 1500));
    assert.ok(md.includes('确定在测试1镇、测试2镇开展安全社区建设工作试点'), 'the pilot towns');
    assert.ok(md.includes('测试1镇成功创建“国家级安全社区”，测试2镇成功创建“省级安全社区”'), 'the titles');
    assert.ok(md.includes('测试4镇完成11个步骤中的2个（滞后于计划）'), 'the steps of each town');

    // check: everything agrees; a completed step stripped of its evidence is named.
    await s.stop();
    let ck = await cli(['check', '--db', c.db], { check: false });
    assert.strictEqual(ck.code, 0, ck.stdout + ck.stderr);
    assert.match(ck.stdout, /ok {3}every completed campaign step has its evidence/);
    await sqlite(c.db, `UPDATE campaign_steps SET files = '[]', records = '[]' WHERE campaign_id = ${ids[3]} AND seq = 1`);
    ck = await cli(['check', '--db', c.db], { check: false });
    assert.strictEqual(ck.code, 1, ck.stdout);
    assert.match(ck.stdout, /FAIL campaign steps completed without evidence \(1\)/);
});

test('campaigns: funds and a supervision inspection whose findings are tracked until closed', { timeout: 60000 }, async (ctx) => {
    const { s, county, town1 } = await setup(ctx);
    for (const [region, amount, given] of [[TOWNS[0], 20000, '2024-05-20'], [TOWNS[0], 30000, '2025-04-25'], [TOWNS[1], 30000, '2025-04-25']])
        assertStatus(await s.api('POST', '/api/v1/campaign_funds', { token: county, body: { region, amount, source: 'county', given_on: given } }), 201, 'a fund');
    const sup = await s.api('POST', '/api/v1/supervisions', { token: county, body: { region: TOWNS[0], held_on: '2025-06-18', kind: 'special', leader_present: true, inspectors: '县安办' } });
    assertStatus(sup, 201, 'a supervision inspection');
    const mk = (body) => s.api('POST', '/api/v1/supervision_findings', { token: county, body: Object.assign({ region: TOWNS[0], supervision_id: sup.json.id, found_on: '2025-06-18', owner: '镇安办 王某' }, body) });
    const f1 = await mk({ finding: '档案资料分类不规范', deadline: '2025-07-18' });
    const f2 = await mk({ finding: '监测数据未按月汇总', deadline: '2025-08-01' });
    assertStatus(f1, 201, 'finding 1');
    assertStatus(f2, 201, 'finding 2');
    assert.strictEqual(f1.json.state, 'open');
    // The inspection by its day and kind, not its id (issue 17).
    assert.strictEqual(f1.json.supervision_id_text, '2025-06-18 专项检查');
    // The machine for the console's detail page, which asks for it (issue 17: it was a 404).
    const machine = await s.api('GET', '/api/v1/supervision_findings/transitions', { token: town1 });
    assertStatus(machine, 200, 'the findings\' machine');
    assert.deepStrictEqual(machine.json.items.map((t) => [t.action, t.from, t.to, t.perm, t.required]), [
        ['report_progress', ['open'], 'open', 'supervision:write', ['note']],
        ['close', ['open'], 'closed', 'supervision:close', ['result']],
    ]);
    assert.strictEqual(machine.json.state_field, 'state');
    const village = await s.createUser('cp-village', 'village_worker', TOWNS[0]);
    assertStatus(await s.api('GET', '/api/v1/supervision_findings/transitions', { token: village }), 403, 'the machine without supervision:read');
    const outside = await mk({ region: TOWNS[1], finding: '别的镇', deadline: '2025-08-01' });
    assertStatus(outside, 422, 'a finding outside the inspection\'s region');
    let r = await s.api('POST', `/api/v1/supervision_findings/${f1.json.id}/transitions`, { token: town1, body: { action: 'close' } });
    assertStatus(r, 422, 'close without a result');
    assert.ok(r.json.error.fields.result, 'result is named');
    assertStatus(await s.api('POST', `/api/v1/supervision_findings/${f1.json.id}/transitions`, { token: town1, body: { action: 'report_progress', note: '正在整理' } }), 200, 'progress');
    r = await s.api('POST', `/api/v1/supervision_findings/${f1.json.id}/transitions`, { token: town1, body: { action: 'close', result: '已重新归档', closed_on: '2025-07-10' } });
    assertStatus(r, 200, 'close');
    assert.strictEqual(r.json.state, 'closed');
    assert.strictEqual(r.json.closed_on, '2025-07-10');
    assertStatus(await s.api('POST', `/api/v1/supervision_findings/${f1.json.id}/transitions`, { token: town1, body: { action: 'close', result: 'x' } }), 409, 'close twice');
    assertStatus(await s.api('PATCH', `/api/v1/supervision_findings/${f1.json.id}`, { token: county, body: { owner: '别人' } }), 409, 'a closed finding is read-only');
    const h = (await s.api('GET', `/api/v1/supervision_findings/${f1.json.id}/history`, { token: county })).json.items;
    assert.deepStrictEqual(h.map((x) => [x.action, x.to]), [['report_progress', 'open'], ['close', 'closed']]);
    const od = (await s.api('GET', `/api/v1/supervision_findings?region=${COUNTY}&overdue=true`, { token: county })).json;
    assert.deepStrictEqual(od.items.map((x) => x.id), [f2.json.id], 'the open finding past its deadline is overdue');
    const st = (await s.api('GET', `/api/v1/stats?region=${COUNTY}&year=2025`, { token: county })).json;
    assert.strictEqual(st.campaign_funds.amount, 60000);
    assert.strictEqual(st.campaign_funds.amount_prev, 20000);
    assert.strictEqual(st.supervisions.count, 1);
    assert.strictEqual(st.supervision_findings.found, 2);
    assert.strictEqual(st.supervision_findings.closed, 1);
    assert.strictEqual(st.supervision_findings.overdue_at_end, 1);
    const md = (await s.api('GET', `/api/v1/reports/work-summary?region=${COUNTY}&year=2025&format=md`, { token: county })).text;
    assert.ok(md.includes('2025年共拨付创建工作经费6万元（2笔），其中测试1镇、测试2镇各3万元；上年拨付2万元'), md);
    assert.ok(md.includes('督导发现问题2项，督导问题已整改销号1项，督导问题整改率50.0%；督导问题逾期未整改1项'), 'the findings');
});
