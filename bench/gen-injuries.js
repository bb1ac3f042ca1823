'use strict';
// bench/gen-injuries.js VILLAGES.txt N OUT.csv — N injury report cards (the
// import columns of injury_cases, by their Chinese labels) spread over the
// villages listed one code a line, for `safecomm import injury_cases`. Every
// row is valid: the cause's implied place, activity, body part and nature
// (migration 0002) are respected and the dates are in order. Deterministic
// (a fixed seed); injured 2024-01-01 .. 2025-12-28. Written in 64 KiB chunks,
// so a million rows take a few seconds.
const fs = require('node:fs');

const [villagesFile, nArg, out] = process.argv.slice(2);
if (!villagesFile || !nArg || !out) {
    console.error('usage: gen-injuries.js VILLAGES.txt N OUT.csv');
    process.exit(2);
}
const N = Number(nArg);
const villages = fs.readFileSync(villagesFile, 'utf8').split(/\s+/).filter(Boolean);
if (!villages.length) {
    console.error('gen-injuries: no villages');
    process.exit(1);
}
let seed = 20251231;
const rnd = (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
};
const pad = (n) => (n < 10 ? '0' + n : String(n));
const dayOf = (d) => {
    const t = new Date(Date.UTC(2024, 0, 1) + d * 86400000);
    return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
};
const DAYS = 727; // 2024-01-01 .. 2025-12-28, so that visits and reports stay in 2025
const sexes = ['男', '女'];
const occupations = ['学龄前儿童', '在校学生', '家务', '待业', '离退休人员', '农牧渔水利业生产人员', '商业、服务业人员', '其他/不详'];
// cause label, place code set, activity, body part, nature ('' = leave empty)
const causes = [
    ['机动车车祸', ['公路/街道'], '7', '', ''],
    ['非机动车车祸', ['公路/街道'], '7', '', ''],
    ['跌倒/坠落', ['家中', '公共居住场所', '学校与公共场所', '农场/农田'], '', '3', '1'],
    ['钝器伤', ['工业和建筑场所', '家中'], '1', '2', '4'],
    ['刀/锐器伤', ['家中', '贸易和服务场所'], '2', '2', '3'],
    ['烧烫伤', ['家中'], '2', '2', '5'],
    ['溺水', ['其他/不清楚'], '5', '6', ''],
    ['动物伤', ['农场/农田', '家中'], '9', '3', '3'],
];
const intents = ['非故意（意外）', '非故意（意外）', '非故意（意外）', '自残/自杀', '故意（暴力/攻击）'];
const severities = ['轻度', '轻度', '中度', '重度'];
const outcomes = ['处理后离院', '处理后离院', '留院观察', '住院', '转院', '死亡'];

const head = ['区域代码', '报告卡编号', '受伤日期', '受伤时间（HH:MM）', '就诊日期', '报告日期', '性别', '年龄（岁）', '职业', '伤害原因',
    '伤害发生地点', '伤害发生时活动', '伤害意图', '伤害严重程度', '伤害结局', '残疾人', '备注'];
const fd = fs.openSync(out, 'w');
let chunk = head.join(',') + '\n';
for (let i = 0; i < N; i++) {
    const c = causes[rnd(causes.length)];
    const day = rnd(DAYS);
    const age = rnd(95);
    const occ = age < 7 ? occupations[0] : age < 18 ? occupations[1] : occupations[2 + rnd(occupations.length - 2)];
    const row = [
        villages[rnd(villages.length)],
        `C${2024000000 + i}`,
        dayOf(day),
        `${pad(rnd(24))}:${pad(rnd(60))}`,
        dayOf(day + rnd(2)),
        dayOf(day + 2),
        sexes[rnd(2)],
        age,
        occ,
        c[0],
        c[1][rnd(c[1].length)],
        c[2],
        intents[rnd(intents.length)],
        severities[rnd(severities.length)],
        outcomes[rnd(outcomes.length)],
        rnd(50) === 0 ? '是' : '否',
        rnd(20) === 0 ? '复诊病例' : '',
    ];
    chunk += row.join(',') + '\n';
    if (chunk.length > 65536) {
        fs.writeSync(fd, chunk);
        chunk = '';
    }
}
fs.writeSync(fd, chunk);
fs.closeSync(fd);
