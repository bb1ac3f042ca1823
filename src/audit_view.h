/* audit_view: GET /api/v1/audit, the audit log as a person reads it. Each
 * entry keeps its codes and gains its labels: entity_label, action_label
 * (a state machine's action by its name), user_name (the person's display
 * name; "系统" for the system), ip_label ("系统生成" for the demo's and the
 * migrations' entries) and changes_view, the changes as rows
 * {field, label, before, after} with the values named. It sits above the
 * entities, the dictionaries and the modules' audit_labels (module.h),
 * which audit itself, below them, cannot read. */
#ifndef SAFECOMM_AUDIT_VIEW_H
#define SAFECOMM_AUDIT_VIEW_H

void audit_view_routes_register(void);

#endif
