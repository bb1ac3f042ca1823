'use strict';
// Acceptance of issue 15, the people registries: who sees the help-education
// subjects (only the police and users granted help:*), a village worker's
// own scheduled visits (name and address, nothing else, nothing of another
// village), masked ID numbers that nothing rebuilds, the audited reveal,
// one person per ID number, figures equal to direct counts, and no ID
// number, phone or address in clear in the stored files.
const fs = require('node:fs');
const path = require('node:path');
const { test, assert, assertError, assertStatus, brief, idNumber, fileHas, cli, RUN_TAG, backend } = require('./lib');

const TOWN = '511621101000';
const VILLAGE = '511621101001'; // the demo user "village"
const NEIGHBOUR = '511621101002';

async function token(db, username) {
    const r = await cli(['token', 'create', '--db', db, '--username', username]);
    return r.stdout.trim();
}

function tagNum(k) {
    return (parseInt(RUN_TAG, 36) + k * 7919) % 1000;
}

// A synthetic person's values, unique to this run.
function personValues(k) {
    const n = tagNum(k);
    const day = String(1 + (n % 28)).padStart(2, '0');
    const id = idNumber(`990621198${n % 10}03${day}${String(n).padStart(3, '0')}`);
    return {
        id,
        birth: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
        phone: `137${String(10000000 + ((n * 7919 + k) % 89999999)).padStart(8, '0')}`,
        address: `九龙镇柏坪村和平路${100 + k}号${RUN_TAG}`,
    };
}

function maskedId(id) {
    return id.slice(0, 3) + '*'.repeat(14) + id.slice(17);
}

async function person(s, tok, region, name, v) {
    const r = await s.api('POST', '/api/v1/persons', { token: tok, body: { region, name, sex: '1', birth_date: v.birth, id_number: v.id, phone: v.phone, address: v.address } });
    assertStatus(r, 201, `POST persons ${name}`);
    return r.json;
}

test('help-education: 403 for a village worker and an office role; own visits only, name and address; police see masks; reveal audited; one person per ID number', { timeout: 240000 }, async (ctx) => {
    const s = await ctx.server();
    const [police, village, town] = await Promise.all([s.createUser(`pol${RUN_TAG}`, 'police', TOWN), token(s.db, 'village'), token(s.db, 'town')]);
    const neighbourWorker = await s.createUser(`vw${RUN_TAG}`, 'village_worker', NEIGHBOUR);

    // Acceptance 1: the list is refused outright.
    for (const [who, t] of [['village_worker', village], ['township_admin', town]]) {
        assertError(await s.api('GET', '/api/v1/help_subjects', { token: t }), 403, null, `${who} lists help subjects`);
        assertError(await s.api('GET', '/api/v1/help_visits', { token: t }), 403, null, `${who} lists help visits`);
    }

    const v1 = personValues(1), v2 = personValues(2);
    const p1 = await person(s, police, VILLAGE, `帮教甲${RUN_TAG}`, v1);
    const p2 = await person(s, police, NEIGHBOUR, `帮教乙${RUN_TAG}`, v2);
    const mk = async (p) => {
        const r = await s.api('POST', '/api/v1/help_subjects', { token: police, body: { region: p.region, person_id: p.id, kind: 'drug_user', start_date: '2025-02-01', police_officer: '李民警', village_cadre: '王书记', case_note: `复吸风险较高${RUN_TAG}` } });
        assertStatus(r, 201, 'POST help_subjects');
        assert.strictEqual(r.json.status, 'in_help', 'a new subject is in help');
        return r.json;
    };
    const s1 = await mk(p1), s2 = await mk(p2);
    const plan = async (sub, worker, day) => {
        const r = await s.api('POST', '/api/v1/help_visits', { token: police, body: { region: sub.region, subject_id: sub.id, kind: 'visit', planned_on: day, worker } });
        assertStatus(r, 201, 'POST help_visits');
        return r.json;
    };
    const mine = await plan(s1, 'village', '2099-01-01');
    const theirs = await plan(s2, `vw${RUN_TAG}`, '2099-01-02');
    // Planned for "village" but in the neighbour village: outside their scope.
    const outside = await plan(s2, 'village', '2099-01-03');

    const m = await s.api('GET', '/api/v1/help_visits/mine', { token: village });
    assertStatus(m, 200, 'GET help_visits/mine');
    const got = m.json.items.find((x) => x.id === mine.id);
    assert.ok(got, `own visit missing: ${brief(m)}`);
    assert.strictEqual(got.name, `帮教甲${RUN_TAG}`, 'the subject name');
    assert.strictEqual(got.address, v1.address, 'the address, for the visit');
    assert.deepStrictEqual(Object.keys(got).sort(), ['address', 'id', 'name', 'planned_on', 'purpose', 'region'], 'nothing else of the subject');
    for (const x of m.json.items) assert.strictEqual(x.region, VILLAGE, `another village's visit shown: ${JSON.stringify(x)}`);
    assert.ok(!m.json.items.some((x) => x.id === theirs.id || x.id === outside.id), 'a visit of another village is shown');
    for (const bad of [v1.id, v1.phone, v1.birth, '吸毒', 'drug'])
        assert.ok(!m.text.includes(bad), `the worker's list holds ${bad}`);
    assertError(await s.api('GET', `/api/v1/help_visits/${mine.id}`, { token: village }), 403, null, 'the worker opens the visit record');
    assertError(await s.api('GET', `/api/v1/help_subjects/${s1.id}`, { token: village }), 403, null, 'the worker opens the case file');
    // The other village's worker sees only theirs.
    const m2 = await s.api('GET', '/api/v1/help_visits/mine', { token: neighbourWorker });
    assert.deepStrictEqual(m2.json.items.map((x) => x.id), [theirs.id], `neighbour worker's visits: ${brief(m2)}`);
    // The worker records the visit; another's visit is not theirs to record.
    assertError(await s.api('POST', `/api/v1/help_visits/${theirs.id}/done`, { token: village, body: { done_on: '2025-06-01' } }), 404, null, 'recording another village visit');
    assertStatus(await s.api('POST', `/api/v1/help_visits/${mine.id}/done`, { token: village, body: { done_on: '2025-06-01', note: '在家，情绪稳定' } }), 200, 'recording own visit');
    const m3 = await s.api('GET', '/api/v1/help_visits/mine', { token: village });
    assert.ok(!m3.json.items.some((x) => x.id === mine.id), 'a done visit stays in the scheduled list');

    // Acceptance 2: the police list shows masks; nothing they get rebuilds the number.
    const l = await s.api('GET', `/api/v1/help_subjects?region=${VILLAGE}&page_size=500`, { token: police });
    assertStatus(l, 200, 'police lists subjects');
    const row = l.json.items.find((x) => x.id === s1.id);
    assert.strictEqual(row.person_id_number, maskedId(v1.id), 'masked ID number in the list');
    assert.strictEqual(row.person_name, `帮教甲${RUN_TAG}`, 'the name in the list');
    const seen = [l.text];
    for (const p of [`/api/v1/help_subjects/${s1.id}`, `/api/v1/persons/${p1.id}`, `/api/v1/persons?region=${VILLAGE}&page_size=500`, `/api/v1/help_visits?subject_id=${s1.id}`]) {
        const r = await s.api('GET', p, { token: police });
        assertStatus(r, 200, `police GET ${p}`);
        seen.push(r.text);
    }
    const all = seen.join('\n');
    // Neither the number, nor its birth digits in any form, nor the clear phone or address.
    for (const bad of [v1.id, v1.id.slice(6, 14), v1.birth, v1.phone, v1.address, `复吸风险较高${RUN_TAG}`])
        assert.ok(!all.includes(bad), `the police's replies hold ${bad}`);
    const pg = JSON.parse(seen[2]);
    assert.strictEqual(pg.birth_date, `${v1.birth.slice(0, 4)}-**-**`, 'the birth date shows its year only');
    // The case file's open is audited.
    const au = await s.admin('GET', `/api/v1/audit?entity=help_subjects&entity_id=${s1.id}&action=read`);
    assert.ok(au.json.items.some((x) => x.username === `pol${RUN_TAG}`), `the open of the case file is not audited: ${brief(au)}`);
    const am = await s.admin('GET', `/api/v1/audit?entity=help_visits&entity_id=${mine.id}&action=read`);
    assert.ok(am.json.items.some((x) => x.username === 'village'), `the worker's view of the visit is not audited: ${brief(am)}`);

    // The reveal: a reason, audited.
    const rp = `/api/v1/persons/${p1.id}/reveal`;
    assertError(await s.api('POST', rp, { token: police, body: {} }), 422, 'reason', 'reveal without a reason');
    const rv = await s.api('POST', rp, { token: police, body: { reason: `核查帮教对象身份${RUN_TAG}` } });
    assertStatus(rv, 200, 'police reveal');
    assert.strictEqual(rv.json.fields.id_number, v1.id, 'revealed ID number');
    const ar = await s.admin('GET', `/api/v1/audit?entity=persons&entity_id=${p1.id}&action=reveal`);
    assert.deepStrictEqual(ar.json.items.map((x) => `${x.username}:${x.reason}`), [`pol${RUN_TAG}:核查帮教对象身份${RUN_TAG}`], 'the reveal audited with its reason');
    assertError(await s.api('POST', rp, { token: village, body: { reason: 'x' } }), 403, null, 'a village worker reveals a person');

    // One ID number is one person: 409, naming the record only to who may see it.
    const dup = await s.api('POST', '/api/v1/persons', { token: police, body: { region: VILLAGE, name: '重复', id_number: v1.id } });
    assertError(dup, 409, 'id_number', 'a second person with the same ID number');
    assert.strictEqual(dup.json.error.existing.id, p1.id, 'the police are told which record');
    const dup2 = await s.api('POST', '/api/v1/persons', { token: neighbourWorker, body: { region: NEIGHBOUR, name: '重复', id_number: v1.id } });
    assertError(dup2, 409, 'id_number', 'a second person, from outside the scope');
    assert.strictEqual(dup2.json.error.existing, undefined, 'the record is named to a caller who cannot see it');
    assert.ok(!dup2.text.includes(String(p1.id)) || !/记录编号/.test(dup2.text), 'the message names the record');
    assertError(await s.api('POST', '/api/v1/persons', { token: police, body: { region: VILLAGE, name: '错号', id_number: v1.id.slice(0, 17) + (v1.id[17] === '1' ? '2' : '1') } }), 422, 'id_number', 'a wrong check character');
    const found = await s.api('GET', `/api/v1/persons?id_number=${v1.id}`, { token: police });
    assert.deepStrictEqual(found.json.items.map((x) => x.id), [p1.id], 'found by the exact ID number');

    // The status machine: relapse, then the generic PATCH is refused.
    const tr = await s.api('POST', `/api/v1/help_subjects/${s1.id}/transitions`, { token: police, body: { action: 'relapse', note: '尿检阳性' } });
    assertStatus(tr, 200, 'relapse');
    assert.strictEqual(tr.json.status, 'relapsed');
    assert.strictEqual(tr.json.relapsed, true);
    assertError(await s.api('POST', `/api/v1/help_subjects/${s1.id}/transitions`, { token: police, body: { action: 'relapse' } }), 409, null, 'relapse twice');
    assertError(await s.api('PATCH', `/api/v1/help_subjects/${s1.id}`, { token: police, body: { employer: 'x' } }), 409, null, 'PATCH of a subject past its first state');
    const h = await s.api('GET', `/api/v1/help_subjects/${s1.id}/history`, { token: police });
    assert.deepStrictEqual(h.json.items.map((x) => `${x.from}>${x.to}`), ['in_help>relapsed'], 'history');
});

async function stats(s, tok, region, year, sections) {
    const r = await s.api('GET', `/api/v1/stats?region=${region}&year=${year}&sections=${sections}`, { token: tok });
    assertStatus(r, 200, `GET stats ${sections}`);
    return r.json;
}

async function total(s, tok, p) {
    const r = await s.api('GET', p + (p.includes('?') ? '&' : '?') + 'page_size=1', { token: tok });
    assertStatus(r, 200, `GET ${p}`);
    return r.json.total;
}

async function allItems(s, tok, p) {
    const out = [];
    for (let page = 1; ; page++) {
        const r = await s.api('GET', `${p}${p.includes('?') ? '&' : '?'}page_size=500&page=${page}`, { token: tok });
        assertStatus(r, 200, `GET ${p}`);
        out.push(...r.json.items);
        if (out.length >= r.json.total) return out;
    }
}

function rate(n, d) {
    return d ? Math.round((n / d) * 10000) / 10000 : null;
}

test('figures equal direct counts: mediation success rate, relapse rate, both overdue lists', { timeout: 120000 }, async (ctx) => {
    const s = await ctx.server();
    const police = await s.createUser(`pf${RUN_TAG}`, 'police', TOWN);
    const admin = s.token;
    // Known disputes of 2026 in the village (the demo has none that year).
    const base = { region: VILLAGE, type: 'neighbour', parties: '张某、李某', received_on: '2026-03-01' };
    const ds = [
        { title: '排水', result: 'agreement', agreement: '各自修沟', resolved_in_village: true },
        { title: '界址', result: 'agreement', agreement: '重新立界', resolved_in_village: true },
        { title: '欠款', result: 'agreement', agreement: '分期归还', resolved_in_village: false },
        { title: '赡养', result: 'failed' },
        { title: '工伤', result: 'referred' },
    ];
    for (const d of ds) assertStatus(await s.admin('POST', '/api/v1/disputes', { body: Object.assign({}, base, d) }), 201, 'POST disputes');
    assertError(await s.admin('POST', '/api/v1/disputes', { body: Object.assign({}, base, { title: '无协议', result: 'agreement' }) }), 422, 'agreement', 'an agreement without its text');
    const st = await stats(s, admin, VILLAGE, 2026, 'disputes');
    const d = st.disputes;
    const q = `/api/v1/disputes?region=${VILLAGE}&received_on_from=2026-01-01&received_on_to=2026-12-31`;
    const n = await total(s, admin, q), ok = await total(s, admin, q + '&result=agreement');
    assert.deepStrictEqual([n, ok], [5, 3], 'the known disputes');
    assert.strictEqual(d.received, n, 'received');
    assert.strictEqual(d.success, ok, 'success');
    assert.strictEqual(d.success_rate, rate(ok, n), 'success rate');
    assert.strictEqual(d.in_village, await total(s, admin, q + '&resolved_in_village=true'), 'in village');
    assert.strictEqual(d.to_criminal, 0, '民转刑');

    // The relapse rate of the township: every drug user and the relapsed ones.
    const subj = await allItems(s, police, `/api/v1/help_subjects?region=${TOWN}&kind=drug_user`);
    assert.ok(subj.length > 0, 'the demo township has drug users');
    // One more relapse through the machine.
    const inHelp = subj.find((x) => x.status === 'in_help');
    assertStatus(await s.api('POST', `/api/v1/help_subjects/${inHelp.id}/transitions`, { token: police, body: { action: 'relapse' } }), 200, 'relapse');
    const drug = await total(s, police, `/api/v1/help_subjects?region=${TOWN}&kind=drug_user`);
    const rel = await total(s, police, `/api/v1/help_subjects?region=${TOWN}&kind=drug_user&relapsed=true`);
    assert.ok(rel >= 1, 'a relapsed drug user');
    const year = new Date().getFullYear();
    // The township office sees the counts (help:count), never the subjects.
    const town = await token(s.db, 'town');
    const h = (await stats(s, town, TOWN, year, 'help_education')).help_education;
    assert.strictEqual(h.drug_users, drug, 'drug users');
    assert.strictEqual(h.relapsed, rel, 'relapsed');
    assert.strictEqual(h.relapse_rate, rate(rel, drug), 'relapse rate');
    const rev = await s.createUser(`rv${RUN_TAG}`, 'reviewer', TOWN);
    const rs = await s.api('GET', `/api/v1/stats?region=${TOWN}&year=${year}`, { token: rev });
    assert.ok(!rs.json.sections.includes('help_education') && !rs.json.sections.includes('disputes'), 'a reviewer gets the registries\' counts');

    // Overdue visits to households in need: the list against the rule.
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const hh = await allItems(s, admin, `/api/v1/care_households?region=${TOWN}`);
    const want = hh.filter((x) => x.next_visit_on && x.next_visit_on < today).map((x) => x.id).sort((a, b) => a - b);
    const over = (await allItems(s, admin, `/api/v1/care_households?region=${TOWN}&visit_overdue=true`)).map((x) => x.id).sort((a, b) => a - b);
    assert.ok(want.length > 0, 'the demo township has overdue visits');
    assert.deepStrictEqual(over, want, 'the overdue-visit list');
    // Tenants overdue for renewal: still here, registration lapsed.
    const tn = await allItems(s, admin, `/api/v1/tenants?region=${TOWN}`);
    const tw = tn.filter((x) => !x.left_on && x.registered_until && x.registered_until < today).map((x) => x.id).sort((a, b) => a - b);
    const to = (await allItems(s, admin, `/api/v1/tenants?region=${TOWN}&renewal_overdue=true`)).map((x) => x.id).sort((a, b) => a - b);
    assert.ok(tw.length > 0, 'the demo township has overdue registrations');
    assert.deepStrictEqual(to, tw, 'the overdue-renewal list');
});

test('a visit moves the household\'s next visit date by its plan (monthly for the elderly living alone)', async (ctx) => {
    const s = await ctx.server();
    const village = await token(s.db, 'village');
    const h = await s.api('POST', '/api/v1/care_households', { token: village, body: { region: VILLAGE, name: `独居${RUN_TAG}`, kind: 'elderly_alone' } });
    assertStatus(h, 201, 'POST care_households');
    assert.ok(h.json.next_visit_on, 'a new household is due');
    const v = await s.api('POST', '/api/v1/care_visits', { token: village, body: { region: VILLAGE, household_id: h.json.id, visited_on: '2026-11-20', visitors: '网格员', help_given: 'goods', help_value: 150 } });
    assertStatus(v, 201, 'POST care_visits');
    const g = await s.api('GET', `/api/v1/care_households/${h.json.id}`, { token: village });
    assert.strictEqual(g.json.last_visit_on, '2026-11-20');
    assert.strictEqual(g.json.next_visit_on, '2026-12-20', 'next visit 30 days on');
    assertError(await s.api('POST', '/api/v1/care_visits', { token: village, body: { region: VILLAGE, household_id: h.json.id, visited_on: '2026-11-21', visitors: '网格员', help_given: 'money' } }), 422, 'help_value', 'money without its value');
});

// Acceptance 4: what was written is in neither the SQLite file nor its WAL.
test('no ID number, phone or address in clear in the stored files', async (ctx) => {
    const s = await ctx.server();
    const police = await s.createUser(`pw${RUN_TAG}`, 'police', TOWN);
    const v = personValues(5);
    const p = await person(s, police, VILLAGE, `存储${RUN_TAG}`, v);
    const house = { region: VILLAGE, address: `九龙镇柏坪村出租楼${RUN_TAG}号`, landlord: `房东${RUN_TAG}`, landlord_phone: `136${String(tagNum(9)).padStart(8, '7')}`, rooms: 4, fire_check: 'passed', gas_check: 'failed' };
    const hr = await s.api('POST', '/api/v1/rental_houses', { token: police, body: house });
    assertStatus(hr, 201, 'POST rental_houses');
    assertStatus(await s.api('POST', '/api/v1/tenants', { token: police, body: { region: VILLAGE, house_id: hr.json.id, person_id: p.id, arrived_on: '2026-01-05', registered_until: '2026-07-05', origin: '贵州省', work: '务工' } }), 201, 'POST tenants');
    const sub = await s.api('POST', '/api/v1/help_subjects', { token: police, body: { region: VILLAGE, person_id: p.id, kind: 'released_prisoner', start_date: '2025-01-01', case_note: `个案记录${RUN_TAG}` } });
    assertStatus(sub, 201, 'POST help_subjects');
    const needles = [['ID number', v.id], ['phone', v.phone], ['address', v.address], ['rental address', house.address], ['landlord phone', house.landlord_phone], ['case note', `个案记录${RUN_TAG}`]];
    const files = backend.KIND === 'pg' ? await backend.storedFiles(s.db, path.dirname(s.db)) : [s.db, s.db + '-wal'].filter((f) => fs.existsSync(f));
    assert.ok(files.length > 0, 'nothing to look into');
    const found = [];
    for (const f of files) for (const [what, x] of needles) if (fileHas(f, x)) found.push(`${what} in ${path.basename(f)}`);
    assert.deepStrictEqual(found, [], 'plaintext in the stored files');
    assert.ok(files.some((f) => fileHas(f, `存储${RUN_TAG}`)), 'the search is blind: the clear name is not found either');
    await s.stop();
    const after = [s.db, s.db + '-wal'].filter((f) => fs.existsSync(f));
    if (backend.KIND !== 'pg') for (const f of after) for (const [what, x] of needles) assert.ok(!fileHas(f, x), `${what} in ${path.basename(f)} after stop`);
});

// Acceptance 5: a township with known records only (a new one), this year.
test('the drug-free and rule-of-law summaries of a township with known records say it as the seed does', async (ctx) => {
    const s = await ctx.server();
    const T = '511621199000', V = '511621199001';
    assertStatus(await s.admin('POST', '/api/v1/regions', { body: { code: T, name: `测试镇${RUN_TAG}` } }), 201, 'POST township');
    assertStatus(await s.admin('POST', '/api/v1/regions', { body: { code: V, name: `测试村${RUN_TAG}` } }), 201, 'POST village');
    const police = await s.createUser(`ps${RUN_TAG}`, 'police', T);
    const year = new Date(Date.now() + 8 * 3600e3).getFullYear();
    for (let k = 0; k < 3; k++) {
        const v = personValues(20 + k);
        const p = await person(s, police, V, `禁毒${k}${RUN_TAG}`, v);
        assertStatus(await s.api('POST', '/api/v1/help_subjects', { token: police, body: { region: V, person_id: p.id, kind: 'drug_user', start_date: `${year}-01-0${k + 1}`, police_officer: '李民警', village_cadre: '王主任', family_member: '父亲' } }), 201, 'POST help_subjects');
    }
    const base = { region: V, type: 'debt', parties: '甲、乙', received_on: `${year}-02-01` };
    for (const d of [
        { title: '一', result: 'agreement', agreement: '还款', resolved_in_village: true },
        { title: '二', result: 'agreement', agreement: '赔偿', resolved_in_village: true },
        { title: '三', result: 'agreement', agreement: '道歉', resolved_in_village: false },
        { title: '四', result: 'failed' },
    ])
        assertStatus(await s.admin('POST', '/api/v1/disputes', { body: Object.assign({}, base, d) }), 201, 'POST disputes');
    const town = await s.createUser(`ts${RUN_TAG}`, 'township_admin', T);
    const get = async (c) => {
        const r = await s.api('GET', `/api/v1/reports/work-summary?region=${T}&year=${year}&campaign=${c}&format=md`, { token: town });
        assertStatus(r, 200, `${c} summary`);
        return r.text;
    };
    const drug = await get('drug_free');
    assert.ok(drug.includes('建档立卡吸毒人员3人，全部落实帮教措施'), `the drug-free summary: ${drug}`);
    const law = await get('rule_of_law');
    assert.ok(law.includes('受理矛盾纠纷4件，调解成功3件，调解成功率75.0%，未发生一起民转刑案件'), `the rule-of-law summary: ${law}`);
    assert.ok(law.includes('其中在村（社区）化解2件，占50.0%'), 'the share resolved within the village');
    // A count never exposes a person.
    for (const t of [drug, law]) assert.ok(!/禁毒\d/.test(t) && !t.includes('990'), 'a summary names a person');
    // One 民转刑 changes the sentence.
    assertStatus(await s.admin('POST', '/api/v1/disputes', { body: Object.assign({}, base, { title: '五', result: 'failed', to_criminal: true }) }), 201, 'POST disputes');
    assert.ok((await get('rule_of_law')).includes('受理矛盾纠纷5件，调解成功3件，调解成功率60.0%，发生民转刑案件1件'), 'the 民转刑 sentence');
});

test('dangerous houses: appraised, then closed through the machine; a closed house is read-only; the figures follow', async (ctx) => {
    const s = await ctx.server();
    const village = await token(s.db, 'village');
    assertError(await s.api('POST', '/api/v1/dangerous_houses', { token: village, body: { region: VILLAGE, owner: `户主${RUN_TAG}`, grade: 'D', appraised_on: '2026-03-01', measure: 'none' } }), 422, 'measure', 'a D house without a measure');
    const h = await s.api('POST', '/api/v1/dangerous_houses', { token: village, body: { region: VILLAGE, owner: `户主${RUN_TAG}`, grade: 'D', appraised_on: '2026-03-01', measure: 'relocation', address: `柏坪村危房${RUN_TAG}` } });
    assertStatus(h, 201, 'POST dangerous_houses');
    assert.strictEqual(h.json.state, 'registered');
    const year = 2026;
    const before = (await stats(s, s.token, VILLAGE, year, 'dangerous_houses')).dangerous_houses;
    const t1 = await s.api('POST', `/api/v1/dangerous_houses/${h.json.id}/transitions`, { token: village, body: { action: 'start' } });
    assertStatus(t1, 200, 'start');
    assertError(await s.api('PATCH', `/api/v1/dangerous_houses/${h.json.id}`, { token: village, body: { note: 'x' } }), 409, null, 'PATCH once in progress');
    assertError(await s.api('POST', `/api/v1/dangerous_houses/${h.json.id}/transitions`, { token: village, body: { action: 'close', date: '2099-01-01' } }), 422, 'date', 'a closing day in the future');
    const t2 = await s.api('POST', `/api/v1/dangerous_houses/${h.json.id}/transitions`, { token: village, body: { action: 'close', date: '2026-06-30', note: '已搬迁' } });
    assertStatus(t2, 200, 'close');
    assert.strictEqual(t2.json.state, 'closed');
    assert.strictEqual(t2.json.closed_on, '2026-06-30');
    assertError(await s.api('POST', `/api/v1/dangerous_houses/${h.json.id}/transitions`, { token: village, body: { action: 'close' } }), 409, null, 'close twice');
    assertError(await s.api('DELETE', `/api/v1/dangerous_houses/${h.json.id}`, { token: village }), 409, null, 'DELETE of a closed house');
    const hist = await s.api('GET', `/api/v1/dangerous_houses/${h.json.id}/history`, { token: village });
    assert.deepStrictEqual(hist.json.items.map((x) => x.action), ['start', 'close'], 'history');
    const after = (await stats(s, s.token, VILLAGE, year, 'dangerous_houses')).dangerous_houses;
    assert.strictEqual(after.closed, before.closed + 1, 'closed +1');
    const direct = await total(s, s.token, `/api/v1/dangerous_houses?region=${VILLAGE}&grade=D&state=closed&appraised_on_to=${year}-12-31`);
    assert.ok(after.closed >= direct, 'the closed D houses are counted');
    await s.stop();
    const chk = await s.cli(['check', '--db', s.db], { check: false });
    assert.strictEqual(chk.code, 0, `check: ${chk.stdout}${chk.stderr}`);
});
