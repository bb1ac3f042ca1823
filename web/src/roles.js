// Roles for selects: GET /roles for the role editor (role:admin); otherwise
// GET /roles/assignable, the roles a user administrator may give (no
// permission sets); the default roles only when neither answers.
import { api } from './api.js';
import { can } from './store.js';

export const DEFAULT_ROLES = [
    { name: 'sysadmin', label: '系统管理员' },
    { name: 'county_admin', label: '县安办' },
    { name: 'township_admin', label: '乡镇安办' },
    { name: 'village_worker', label: '村/社区及网格员' },
    { name: 'unit_officer', label: '单位安全员' },
    { name: 'police', label: '禁毒/治安民警' },
    { name: 'mediator', label: '调解员' },
    { name: 'reviewer', label: '评审专家' },
];

export async function loadRoles() {
    if (!can('role:admin') && !can('user:admin')) return DEFAULT_ROLES;
    try {
        const d = await api.get(can('role:admin') ? '/roles' : '/roles/assignable');
        return d.items && d.items.length ? d.items : DEFAULT_ROLES;
    } catch {
        return DEFAULT_ROLES;
    }
}
