'use strict';
// Risk diagnosis, promotion projects and evaluations (issue 16): a risk's
// D and level derived from L, E and C (never typed); a project's indicator
// "road traffic accidents year on year <= -30 %" computed from incidents
// entered through the API, changing as incidents are added; two reviewers
// scoring the same township, their combined score (mean per item, or min
// when the evaluation says so), the verdict and the weakest items.
const lib = require('./lib');
const { test, assert, assertStatus, assertError, COUNTY } = lib;

const T1 = '511621182000';
const T1V = '511621182001';

async function region(s, code, name) {
    assertStatus(await s.admin('POST', '/api/v1/regions', { body: { code, name } }), 201, `region ${code}`);
}

async function add(s, entity, body, token) {
    const r = token ? await s.api('POST', `/api/v1/${entity}`, { token, body }) : await s.admin('POST', `/api/v1/${entity}`, { body });
    assertStatus(r, 201, `${entity} ${JSON.stringify(body)}`);
    return r.json;
}

test('risks: L=6, E=6, C=15 gives D=540 and 重大 (red); a change of C re-derives them; the level is never typed', { timeout: 180000 }, async (ctx) => {
    const s = await ctx.server();
    const r = await add(s, 'risks', { region: COUNTY.slice(0, 6) + '101001', title: '国道穿镇路段', domain: 'road_traffic', method: 'lec', lec_l: '6', lec_e: '6', lec_c: '15', tags: 'high_risk_group,key_place' });
    assert.strictEqual(r.lec_d, 540);
    assert.strictEqual(r.level, 'major');
    assert.strictEqual(r.level_label, '重大风险');
    const p = await s.admin('PATCH', `/api/v1/risks/${r.id}`, { body: { lec_c: '7' } });
    assertStatus(p, 200, 'patch C');
    assert.strictEqual(p.json.lec_d, 252);
    assert.strictEqual(p.json.level, 'larger');
    assertError(await s.admin('POST', '/api/v1/risks', { body: { region: r.region, title: 'x', domain: 'fire', method: 'lec', lec_l: '6', lec_e: '6', lec_c: '15', level: 'low' } }), 422, 'level', 'typed level');
    assertError(await s.admin('POST', '/api/v1/risks', { body: { region: r.region, title: 'x', domain: 'fire', method: 'lec', lec_l: '6', lec_e: '6' } }), 422, 'lec_c', 'missing C');
    assertError(await s.admin('POST', '/api/v1/risks', { body: { region: r.region, title: 'x', domain: 'fire', method: 'lec', lec_l: '7', lec_e: '6', lec_c: '15' } }), 422, 'lec_l', 'L outside the set');
    const m = await add(s, 'risks', { region: r.region, title: '山坪塘', domain: 'drowning', method: 'matrix', likelihood: '3', severity: '4' });
    assert.strictEqual(m.score, 12);
    assert.strictEqual(m.level, 'larger');
    assert.strictEqual(m.lec_d, null);
    let map = await s.admin('GET', `/api/v1/risks/map?region=${COUNTY}`);
    assertStatus(map, 200, 'map');
    const before = map.json.items.find((i) => i.region === COUNTY.slice(0, 6) + '101000');
    assert.ok(before && before.color !== 'red' && before.counts.larger >= 2, `no 重大 yet: ${JSON.stringify(before)}`);
    await add(s, 'risks', { region: r.region, title: '液化气储存', domain: 'gas', method: 'lec', lec_l: '10', lec_e: '6', lec_c: '7' });
    map = await s.admin('GET', `/api/v1/risks/map?region=${COUNTY}`);
    assertStatus(map, 200, 'map');
    const town = map.json.items.find((i) => i.region === COUNTY.slice(0, 6) + '101000');
    assert.ok(town && town.color === 'red', `the township is red: ${JSON.stringify(town)}`);
});

test('projects: "road traffic accidents year on year <= -30 %" is computed from the incidents and changes as one is added; coverage from the process records', { timeout: 180000 }, async (ctx) => {
    const s = await ctx.server();
    await region(s, T1, '测险镇');
    await region(s, T1V, '测险村');
    const inc = (day) => add(s, 'incidents', { region: T1V, kind: 'road_traffic', occurred_on: day });
    for (let i = 0; i < 10; i++) await inc(`2024-0${1 + (i % 9)}-10`);
    for (let i = 0; i < 6; i++) await inc(`2025-0${1 + (i % 9)}-12`);
    const p = await add(s, 'projects', { region: T1, title: '摩托车安全骑行促进项目', work_group: 'road_traffic', year: 2025, target_group: '摩托车驾乘人员', target_size: 1000 });
    await add(s, 'project_indicators', { region: T1, project_id: p.id, figure: 'incidents.road_traffic', measure: 'change_pct', op: 'le', target: -30 });
    assertError(await s.admin('POST', '/api/v1/project_indicators', { body: { region: T1, project_id: p.id, figure: 'incidents.nope', measure: 'value', op: 'le', target: 1 } }), 422, 'figure', 'undeclared figure');
    await add(s, 'project_records', { region: T1, project_id: p.id, held_on: '2025-04-01', title: '入户宣传', reached: 380 });
    let e = (await s.admin('GET', `/api/v1/projects/${p.id}/effect`)).json;
    let ind = e.indicators[0];
    assert.strictEqual(ind.value, 6);
    assert.strictEqual(ind.prev, 10);
    assert.strictEqual(ind.actual, -40);
    assert.strictEqual(ind.achieved, true);
    assert.strictEqual(e.coverage, 0.38);
    assert.strictEqual(e.coverage_met, false);
    // One more: -30 %, still met (<=); another: -20 %, not met.
    await inc('2025-10-01');
    e = (await s.admin('GET', `/api/v1/projects/${p.id}/effect`)).json;
    assert.strictEqual(e.indicators[0].actual, -30);
    assert.strictEqual(e.indicators[0].achieved, true);
    await inc('2025-11-01');
    e = (await s.admin('GET', `/api/v1/projects/${p.id}/effect`)).json;
    assert.strictEqual(e.indicators[0].actual, -20);
    assert.strictEqual(e.indicators[0].achieved, false);
    await add(s, 'project_records', { region: T1, project_id: p.id, held_on: '2025-05-01', title: '集中劝导', reached: 200 });
    e = (await s.admin('GET', `/api/v1/projects/${p.id}/effect`)).json;
    assert.strictEqual(e.coverage, 0.58);
    assert.strictEqual(e.coverage_met, true);
    // The statistics carry the same, for the summary.
    const st = (await s.admin('GET', `/api/v1/stats?region=${T1}&year=2025&sections=projects`)).json;
    assert.strictEqual(st.projects.count, 1);
    assert.strictEqual(st.projects.items[0].indicators[0].achieved, false);
    // Section 四 of the township's summary: one paragraph per working group,
    // with the indicator's figures.
    const fire = await add(s, 'projects', { region: T1, title: '村级义务消防队建设', work_group: 'fire', year: 2025, target_group: '村民', target_size: 500 });
    await add(s, 'project_indicators', { region: T1, project_id: fire.id, figure: 'hazards.on_time_rate', measure: 'value', op: 'ge', target: 90 });
    await add(s, 'projects', { region: T1, title: '护学岗', work_group: 'road_traffic', year: 2025, target_group: '学生', target_size: 100 });
    const md = (await s.admin('GET', `/api/v1/reports/work-summary?region=${T1}&year=2025&format=md&campaign=safe`)).text;
    const sec = md.split(/\n## /).find((c) => c.startsWith('四、'));
    assert.ok(sec, `section 四: ${md}`);
    const paras = sec.split('\n').filter((l) => l.trim() && !l.startsWith('四、'));
    assert.strictEqual(paras.length, 2, sec);
    assert.ok(paras.some((l) => l.startsWith('消防安全组：实施“村级义务消防队建设”项目') && l.includes('按期整改率') && l.includes('目标≥90%')), sec);
    const road = paras.find((l) => l.startsWith('道路交通安全组：'));
    assert.ok(road.includes('“摩托车安全骑行促进项目”') && road.includes('“护学岗”项目'), road);
    assert.ok(road.includes('道路交通事故8起，上年10起，同比下降20%（目标同比≤-30%），未达到目标'), road);
    assert.ok(road.includes('覆盖580人，覆盖率58.0%'), road);
});

test('evaluations: two reviewers score a township; mean per item, verdict and weakest items; min when configured; others may not score', { timeout: 180000 }, async (ctx) => {
    const s = await ctx.server();
    await region(s, T1, '测评镇');
    const inst = await s.admin('POST', '/api/v1/checklists/install', { body: { template: 'national', region: COUNTY } });
    assertStatus(inst, 201, 'install');
    assert.strictEqual(inst.json.total, 150);
    const ev = await add(s, 'evaluations', { region: T1, checklist_id: inst.json.id, year: 2025, kind: 'expert', satisfaction: 93 });
    const a = await s.createUser('rev-a', 'reviewer', COUNTY);
    const b = await s.createUser('rev-b', 'reviewer', COUNTY);
    const items = (await s.api('GET', `/api/v1/evaluations/${ev.id}/items`, { token: a })).json.items;
    assert.strictEqual(items.length, 50);
    const put = (token, item, g, comment) =>
        s.api('PUT', `/api/v1/evaluations/${ev.id}/scores/${item.id}`, { token, body: { grades: { exists: g[0], evidence: g[1], effect: g[2] }, comment, evidence: ['https://example.org/photo/1'] } });
    for (let i = 0; i < 50; i++) {
        // A: all a, but item 5 all d. B: all a, but item 5 a/a/d (1.8) and item 7 c/c/c (0.9).
        assertStatus(await put(a, items[i], i === 5 ? 'ddd' : 'aaa', i === 5 ? '无台账' : ''), 200, `A ${i}`);
        assertStatus(await put(b, items[i], i === 5 ? 'aad' : i === 7 ? 'ccc' : 'aaa'), 200, `B ${i}`);
    }
    // Sent twice (an offline queue may): no change.
    assertStatus(await put(b, items[7], 'ccc'), 200, 'B again');
    assertError(await s.api('PUT', `/api/v1/evaluations/${ev.id}/scores/${items[0].id}`, { token: a, body: { grades: { exists: 'e' } } }), 422, 'grades', 'unknown grade');
    const vw = await s.createUser('ev-police', 'police', COUNTY);
    assertStatus(await put(vw, items[0], 'aaa'), 403, 'the police may not score');
    let res = (await s.admin('GET', `/api/v1/evaluations/${ev.id}/result`)).json;
    assert.deepStrictEqual(res.reviewers.sort(), ['rev-a', 'rev-b']);
    const it5 = res.items.find((i) => i.id === items[5].id), it7 = res.items.find((i) => i.id === items[7].id);
    assert.strictEqual(it5.score, 0.9); // (0 + 1.8) / 2
    assert.strictEqual(it7.score, 1.95); // (3 + 0.9) / 2
    assert.strictEqual(res.total, 146.85);
    assert.strictEqual(res.verdict, 'pass');
    assert.strictEqual(res.verdict_label, '通过');
    assert.strictEqual(res.complete, true);
    assert.deepStrictEqual(res.weakest.map((w) => w.id), [items[5].id, items[7].id]);
    // The evaluation takes the lowest instead: item 5 at 0 fails by veto.
    assertStatus(await s.admin('PATCH', `/api/v1/evaluations/${ev.id}`, { body: { combine: 'min' } }), 200, 'combine min');
    res = (await s.admin('GET', `/api/v1/evaluations/${ev.id}/result`)).json;
    assert.strictEqual(res.items.find((i) => i.id === items[5].id).score, 0);
    assert.strictEqual(res.verdict, 'fail');
    assert.ok(res.veto && res.veto.includes('0 分'), res.veto);
    // The reviewer sees their own grades back on the screen.
    const mine = (await s.api('GET', `/api/v1/evaluations/${ev.id}/items`, { token: a })).json.items[5].mine;
    assert.deepStrictEqual(mine.grades, { effect: 'd', evidence: 'd', exists: 'd' });
    assert.strictEqual(mine.comment, '无台账');
});

// Issue 17: pages show what a value stands for, never the id, code or JSON
// behind it. A read carries "<field>_text" beside such a value, and the
// change history says the same.
test('reads and the change history name what ids, codes and JSON stand for: a risk\'s tags and project, an indicator\'s figure, a checklist\'s parts and grades, an item\'s records', { timeout: 180000 }, async (ctx) => {
    const s = await ctx.server();
    const project = (await s.admin('GET', '/api/v1/projects?page_size=1')).json.items[0];
    const r = await add(s, 'risks', { region: project.region, title: '村道急弯', domain: 'road_traffic', method: 'lec', lec_l: '3', lec_e: '6', lec_c: '7', tags: 'key_place,vulnerable_group', project_id: project.id });
    const got = (await s.admin('GET', `/api/v1/risks/${r.id}`)).json;
    assert.strictEqual(got.tags_text, '重点场所、脆弱群体');
    assert.strictEqual(got.project_id_text, project.title);
    assert.strictEqual(got.method_label, '作业条件危险性评价法', 'the method without LEC (migration 0022)');
    const listed = (await s.admin('GET', `/api/v1/risks?region=${project.region}&page_size=100`)).json.items.find((x) => x.id === r.id);
    assert.strictEqual(listed.tags_text, '重点场所、脆弱群体', 'the list reads the same');
    const view = async (entity, id) => {
        const a = await s.admin('GET', `/api/v1/audit?entity=${entity}&entity_id=${id}&page_size=50`);
        assertStatus(a, 200, `the history of ${entity} ${id}`);
        return Object.fromEntries(a.json.items.flatMap((it) => it.changes_view || []).map((c) => [c.label, c.after]));
    };
    const rv = await view('risks', r.id);
    assert.strictEqual(rv['风险标签（两高一脆弱、三重点）'], '重点场所、脆弱群体');
    assert.strictEqual(rv['关联促进项目'], project.title, 'the history names the project');
    assert.ok(!Object.keys(got).includes('title_text'), 'a field that declares nothing carries nothing');

    const ind = await add(s, 'project_indicators', { region: project.region, project_id: project.id, label: '火灾', figure: 'incidents.fire', measure: 'change_pct', op: 'le', target: -20 });
    assert.strictEqual(ind.figure_text, '火灾事故');
    assert.strictEqual(ind.project_id_text, project.title);
    assert.strictEqual((await view('project_indicators', ind.id))['统计指标'], '火灾事故');

    const cl = (await s.admin('GET', '/api/v1/checklists?page_size=1')).json.items[0];
    assert.strictEqual(cl.parts_text, '有无（权重 0.8）、痕迹（权重 1）、效果（权重 1.2）');
    assert.strictEqual(cl.grades_text, '完全符合（得分 100%）、基本符合（得分 70%）、部分符合（得分 30%）、缺失或造假（得分 0%）');
    const items = (await s.admin('GET', `/api/v1/checklist_items?checklist_id=${cl.id}&page_size=100&sort=sort`)).json.items;
    const top = items.find((x) => x.code === '1');
    assert.strictEqual(top.checklist_id_text, cl.name);
    assert.strictEqual(top.entities_text, '宣传培训活动');
    const sub = items.find((x) => x.code === '1.1');
    assert.strictEqual(sub.parent_id_text, '1 组织机构与职责');
    const metaOf = (await s.admin('GET', '/api/v1/meta/entities')).json.items.find((e) => e.name === 'risks');
    assert.deepStrictEqual(metaOf.fields.filter((f) => /[A-Za-z]/.test(f.label)).map((f) => f.label), [], 'no Latin letters in the risk\'s labels');
});
