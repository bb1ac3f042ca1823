// The hazard loop's shared pieces: the declared state machine (GET
// /hazards/transitions, fetched once per session), what the current user may
// do from a state, and the labels and colours of states and actions.
import { api } from '../../api.js';
import { can, state } from '../../store.js';

let machinePromise = null;
let machineUser = null;

export function loadMachine() {
    const who = state.user && state.user.username;
    if (!machinePromise || machineUser !== who) {
        machineUser = who;
        machinePromise = api.get('/hazards/transitions').catch((e) => {
            machinePromise = null;
            throw e;
        });
    }
    return machinePromise;
}

// The actions offered for a hazard: its state is in `from` and the user has
// `perm`. The server checks both again (and the unit and region scope).
// The preconditions the server answers with 409 are left out too: a pending
// extension, public listing.
const PRECONDITIONS = {
    request_extension: (h) => !h.extension_requested_days,
    approve_extension: (h) => !!h.extension_requested_days,
    refuse_extension: (h) => !!h.extension_requested_days,
    list_publicly: (h) => !h.listed,
    delist: (h) => !!h.listed,
};

export function allowedActions(machine, hazard) {
    if (!machine || !hazard) return [];
    return machine.items.filter(
        (t) => t.from.includes(hazard.state) && can(t.perm) && (!PRECONDITIONS[t.action] || PRECONDITIONS[t.action](hazard)),
    );
}

export const STATE_TAGS = {
    reported: 'info',
    assigned: 'warning',
    rectifying: 'primary',
    awaiting_acceptance: 'warning',
    closed: 'success',
};

export function stateLabel(machine, code) {
    const s = machine && machine.states.find((x) => x.code === code);
    return s ? s.label : code;
}

export function actionLabel(machine, code) {
    const t = machine && machine.items.find((x) => x.action === code);
    return t ? t.label : code;
}

// Labels of the fields a step dialog asks for.
export const FIELD_LABELS = {
    deadline_days: '整改期限（工作日）',
    unit_id: '责任单位（单位库）',
    responsible_unit: '责任单位',
    responsible_person: '责任人',
    measures: '整改措施',
    plan_target: '治理目标',
    plan_measures: '治理方法和措施',
    plan_funds: '经费和物资',
    plan_people: '负责治理的机构和人员',
    plan_deadline: '治理时限',
    plan_emergency: '安全措施和应急预案',
    days: '延期天数（工作日）',
    reason: '理由',
    level: '督办级别',
    letter: '督办函',
    note: '备注',
    photos: '照片',
};

export const PLAN_FIELDS = ['plan_target', 'plan_measures', 'plan_funds', 'plan_people', 'plan_deadline', 'plan_emergency'];

export const SUPERVISE_LEVELS = [
    { code: 'county', label: '县级督办' },
    { code: 'township', label: '乡镇督办' },
];

export { fileUrl } from '../../util.js';
