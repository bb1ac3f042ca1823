// How the create / edit dialog of an entity groups its fields, keyed by the
// entity's name. Only the grouping is the console's: the fields themselves
// (labels, types, dictionaries, required marks and validation) still come
// from GET /meta/entities. A field the layout does not name is placed in the
// last group, so a field the server adds later is never lost; a name the
// server does not declare is skipped. A read-only field named in a group
// (a value the server derives) is shown, not edited, with `readonlyHint`
// while the record is not saved yet.
//
//   { groups: [{ title, fields: [name, …], wide: [name, …] }], readonlyHint: { name: text } }
//
// `wide` fields take the whole row (besides the multiline ones).

export const FORM_LAYOUTS = {
    // 全国伤害监测报告卡: the card's own sections.
    injury_cases: {
        groups: [
            {
                title: '基本情况',
                fields: ['card_no', 'region', 'injured_on', 'injured_time', 'visited_on', 'sex', 'age', 'occupation', 'education', 'residence'],
            },
            { title: '伤害事件', fields: ['cause', 'place', 'activity', 'intent', 'alcohol'] },
            { title: '伤害临床', fields: ['nature', 'body_part', 'severity', 'outcome'] },
            { title: '其他', fields: ['disabled', 'incident_id', 'reported_on', 'note'] },
        ],
    },
    incidents: {
        groups: [
            { title: '发生时间地点', fields: ['kind', 'occurred_on', 'occurred_time', 'region', 'place', 'unit_id'], wide: ['place'] },
            { title: '后果', fields: ['deaths', 'injured', 'seriously_injured', 'loss', 'grade'] },
            { title: '来源与描述', fields: ['source', 'hazard_ids', 'description'] },
        ],
        readonlyHint: { grade: '保存后按死亡、重伤人数和直接经济损失自动判定' },
    },
};

// The groups of an entity's form: [{ title, fields: [{ field, readonly, wide }] }],
// or null when the entity has no layout (the dialog shows one list).
export function formGroups(meta) {
    const layout = meta && FORM_LAYOUTS[meta.name];
    if (!layout || !Array.isArray(meta.fields)) return null;
    const byName = new Map(meta.fields.map((f) => [f.name, f]));
    const placed = new Set();
    const groups = layout.groups.map((g) => {
        const wide = new Set(g.wide || []);
        const fields = [];
        for (const name of g.fields) {
            const f = byName.get(name);
            if (!f || placed.has(name)) continue;
            placed.add(name);
            fields.push({ field: f, readonly: !!f.readonly, wide: wide.has(name) || !!f.multiline });
        }
        return { title: g.title, fields };
    });
    // Editable fields the layout does not name: into the last group.
    const rest = meta.fields.filter((f) => !f.readonly && !placed.has(f.name));
    if (rest.length && groups.length) groups[groups.length - 1].fields.push(...rest.map((f) => ({ field: f, readonly: false, wide: !!f.multiline })));
    return groups.filter((g) => g.fields.length);
}

export function readonlyHint(meta, name) {
    const layout = meta && FORM_LAYOUTS[meta.name];
    return (layout && layout.readonlyHint && layout.readonlyHint[name]) || '';
}
