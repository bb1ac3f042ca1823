'use strict';
// bench/gen-hazards.js REGIONS.csv N OUT.csv — a hazard ledger (the columns of
// `safecomm export hazards`) of N hazards spread over the villages of the
// regions export, for `safecomm import hazards`: the import is the real code
// path (validation, search index, audit, the "import" history step, notice
// counters), so the database passes `safecomm check`. Deterministic (a fixed
// seed), found 2024-01-01 .. 2025-12-20, in every state in the demo's shares:
// 8% reported, 12% assigned, 20% rectifying, 10% awaiting acceptance, 50%
// closed. An open hazard's deadline is 10-70 days after its notice, and
// for 40% of them 400 days later still (capped at 2026-12-31), so on
// 2025-12-31 most open hazards are overdue and some are not.
const fs = require('node:fs');

const [regionsCsv, nArg, out] = process.argv.slice(2);
if (!regionsCsv || !nArg || !out) {
    console.error('usage: gen-hazards.js REGIONS.csv N OUT.csv');
    process.exit(2);
}
const N = Number(nArg);
// mulberry32: 32-bit integer arithmetic (Math.imul), so no precision is lost.
let seed = 20251231;
const rnd = (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
};

const lines = fs.readFileSync(regionsCsv, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
const head = lines[0].split(',');
const iCode = head.indexOf('区域代码');
const iName = head.indexOf('名称');
const iLevel = head.indexOf('级别');
const names = {};
const villages = [];
for (const l of lines.slice(1)) {
    const c = l.split(',');
    names[c[iCode]] = c[iName];
    if (c[iLevel] === 'village') villages.push(c[iCode]);
}
if (!villages.length) throw new Error('no villages in ' + regionsCsv);

const DAY = 86400000;
const day = (t) => new Date(t).toISOString().slice(0, 10);
const START = Date.UTC(2024, 0, 1);
const SPAN = Math.floor((Date.UTC(2025, 11, 20) - START) / DAY);
const kinds = [
    ['消防安全', '物的不安全状态', '灭火器过期未更换'],
    ['消防安全', '环境的不良因素', '疏散通道堆放杂物'],
    ['家庭用电', '物的不安全状态', '电气线路私拉乱接'],
    ['燃气', '物的不安全状态', '燃气软管老化'],
    ['道路交通', '环境的不良因素', '急弯路段缺少警示标志'],
    ['溺水隐患水域', '环境的不良因素', '山坪塘无防护栏'],
];
const counters = {};
const cols = ['区域代码', '隐患名称', '所在区域', '隐患领域', '隐患类别', '隐患等级', '发现时间', '发现人', '责任单位', '责任人', '整改措施', '整改期限', '状态', '整改通知书编号', '通知日期', '督办', '挂牌督办', '销号日期'];
const rows = [cols.join(',')];
for (let i = 0; i < N; i++) {
    const v = villages[rnd(villages.length)];
    const k = kinds[rnd(kinds.length)];
    const found = START + rnd(SPAN) * DAY;
    const p = rnd(100);
    const state = p < 8 ? '已登记' : p < 20 ? '已下达整改通知' : p < 40 ? '整改中' : p < 50 ? '待验收' : '已销号';
    let deadline = '', no = '', noticeDate = '', closedOn = '';
    if (state !== '已登记') {
        const nd = found + (1 + rnd(3)) * DAY;
        noticeDate = day(nd);
        const open = state !== '已销号';
        const dl = open ? Math.min(nd + (10 + rnd(60)) * DAY + (rnd(10) < 4 ? 400 * DAY : 0), Date.UTC(2026, 11, 31)) : nd + (10 + rnd(30)) * DAY;
        deadline = day(dl);
        const town = v.slice(0, 9) + '000';
        const y = noticeDate.slice(0, 4);
        const key = town + y;
        counters[key] = (counters[key] || 0) + 1;
        no = `${names[town] || town}隐患整改〔${y}〕第${String(counters[key]).padStart(3, '0')}号`;
        if (!open) closedOn = day(Math.min(dl + (rnd(10) - 5) * DAY, Date.UTC(2025, 11, 30)));
        if (closedOn && closedOn < noticeDate) closedOn = noticeDate;
    }
    rows.push([v, k[2], `${names[v] || v}${i % 97}号`, k[0], k[1], rnd(20) < 15 ? '一般隐患' : '较大隐患', day(found), '排查员', '', '', '', deadline, state, no, noticeDate, '否', '否', closedOn].join(','));
}
fs.writeFileSync(out, rows.join('\n') + '\n');
