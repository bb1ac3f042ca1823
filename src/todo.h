/* todo: the caller's to-do list (待办), GET /api/v1/todo. The platform loops
 * over the modules' declared groups (module.h, struct module_todo) and
 * reads each through the list API's own query (entity_list_rows), so a
 * group's count is the total of the list it links to, in the caller's
 * scope. It names no module. */
#ifndef SAFECOMM_TODO_H
#define SAFECOMM_TODO_H

/* Registers GET /api/v1/todo. */
void todo_routes_register(void);

#endif
