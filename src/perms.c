/* perms: the permissions a role may hold, with their Chinese labels. */
#include "perms.h"
#include "entity.h"
#include "module.h"

#include <string.h>

json_t *perms_labels(arena *a)
{
    json_t *items = json_array();
    for (int i = 0; i < entity_count(); i++) {
        const struct entity *e = entity_at(i);
        int seen = 0; /* entities may share a permission (units, unit_contacts) */
        for (int k = 0; k < i; k++)
            seen |= strcmp(entity_at(k)->perm, e->perm) == 0;
        if (seen)
            continue;
        json_array_append_new(items, json_pack("{s:s, s:s}", "permission",
                                               arena_printf(a, "%s:read", e->perm), "label",
                                               arena_printf(a, "%s：查看", e->label)));
        json_array_append_new(items, json_pack("{s:s, s:s}", "permission",
                                               arena_printf(a, "%s:write", e->perm), "label",
                                               arena_printf(a, "%s：编辑、导入", e->label)));
        /* :reveal when any entity of the permission has a sensitive field
         * (committee_members shares committees' "organisation"). */
        int sensitive = 0;
        for (int j = i; j < entity_count(); j++) {
            const struct entity *f = entity_at(j);
            if (strcmp(f->perm, e->perm) != 0)
                continue;
            for (int k = 0; k < f->nfields; k++)
                sensitive |= f->fields[k].type == FT_SENSITIVE;
        }
        if (sensitive)
            json_array_append_new(items, json_pack("{s:s, s:s}", "permission",
                                                   arena_printf(a, "%s:reveal", e->perm), "label",
                                                   arena_printf(a, "%s：查看敏感信息", e->label)));
    }
    static const char *fixed[][2] = {
        {"dict:read", "字典：查看"},
        {"dict:admin", "字典：维护"},
        {"calendar:read", "工作日历：查看"},
        {"calendar:admin", "工作日历：维护"},
        {"user:admin", "用户管理"},
        {"role:admin", "角色与权限管理"},
        {"audit:read", "审计日志与登录日志"},
        {"*", "全部权限（系统管理员）"},
        {"*:read", "全部记录：查看"},
        {"*:write", "全部记录：编辑、导入"},
        {"*:reveal", "全部记录：查看敏感信息"},
        {"report:read", "统计分析与工作总结（各部分另需该业务的查看权限）"},
        {"report:write", "工作总结：编辑和新增段落"},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        json_array_append_new(
            items, json_pack("{s:s, s:s}", "permission", fixed[i][0], "label", fixed[i][1]));
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < module_list[m]->nperms; i++)
            json_array_append_new(items, json_pack("{s:s, s:s}", "permission",
                                                   module_list[m]->perms[i].perm, "label",
                                                   module_list[m]->perms[i].label));
    return items;
}
