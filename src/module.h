/* module: a domain module (the hazard loop, volunteers, activities, care
 * households, …) as one unit. A module is a folder src/mod/<name>/ holding
 * its C files and its header, and one `struct module` that names its parts:
 * the entities it declares, the routes it adds beyond the generic entity
 * API, its statistics sections (stats.h), its parts of the work summary
 * (report.h), its `check` invariants, its demo data (demo.h) and the
 * permissions it adds to the role editor.
 *
 * The modules that exist are listed once, in src/mod/modules.c. The platform
 * (the files directly in src/) loops over module_list and names no module; docs/architecture.md
 * walks through adding one.
 *
 * Ownership: every declaration is static and lives for the process. */
#ifndef SAFECOMM_MODULE_H
#define SAFECOMM_MODULE_H

#include <stdio.h>

#include "db.h"

struct entity;
struct stats_section;
struct summary_part;
struct demo_ctx;

/* A permission beyond an entity's :read, :write and :reveal, with the label
 * the role editor shows: {"hazard:assign", "隐患：下达整改通知"}. */
struct module_perm {
    const char *perm;
    const char *label;
};

struct audit_actor;

/* A Chinese label for a code the audit log records, so that GET
 * /api/v1/audit reads as people speak (audit_view.c): the subject of an
 * entry that is no declared entity ("dossier"), an action (a state
 * machine's "report_progress", or an entry's own action such as "score"),
 * a state ("rectifying"), a key of the entry's changes that is no field of
 * the entity ("step"), or a value ("notice_pdf"). entity: the subject it
 * belongs to, NULL for any; dict: for a key, the dictionary its values are
 * codes of (NULL: none). */
enum audit_label_kind { AUDIT_SUBJECT, AUDIT_ACTION, AUDIT_STATE, AUDIT_KEY, AUDIT_VALUE };
struct audit_label {
    enum audit_label_kind kind;
    const char *entity;
    const char *code;
    const char *label;
    const char *dict;
};

/* A document a module writes to a file for `safecomm report NAME` (the
 * evaluation dossier): for region's subtree and year, the campaign (NULL:
 * "safe"), by who (scoped, masked and audited by the module). 0, or -1 with
 * a malloc'd message in *err. */
struct module_report {
    const char *name;  /* "dossier" */
    const char *label; /* "评审档案" */
    int (*write)(db_conn *c, const struct audit_actor *who, const char *region, int year,
                 const char *campaign, const char *path, char **err);
};

/* A group of the to-do list (GET /api/v1/todo, todo.c): the records of one
 * entity that wait on the caller, read through the list API's own query
 * (entity_list_rows: the caller's region subtree, and a unit officer's
 * unit), so the group's count is the total of the list it links to.
 * Shown to a caller who holds perm (and the entity's :read), unless they
 * also hold unless_perm (the offices that receive what others do). In
 * query, "$T" is today's date and "$T+7" / "$T-7" a date that many days
 * away. title is a pattern of the item's fields: "{year}年{kind_label}". */
struct module_todo {
    const char *key;         /* "hazards_to_assign" */
    const char *label;       /* "待下达整改" */
    const char *perm;        /* "hazard:assign" */
    const char *unless_perm; /* NULL: none */
    const char *entity;      /* "hazards" */
    const char *query;       /* "state=reported&sort=found_at" */
    const char *title;       /* "{title}" */
    const char *due;         /* the item's date field ("deadline"), or NULL */
};

struct module {
    const char *name;  /* the folder: "hazards" */
    const char *label; /* Chinese: "隐患排查整治" */

    const struct entity *const *entities;
    int nentities;

    /* Registers the module's own routes (state machines, boards, printable
     * pages); the generic entity routes need nothing here. NULL: none. */
    void (*routes)(void);

    const struct stats_section *const *stats;
    int nstats;

    const struct summary_part *summary;
    int nsummary;

    /* `safecomm check`: the module's invariants (a state machine's state
     * agrees with its history). Prints one "ok"/"FAIL" line per check and
     * returns the number of failures. NULL: none. */
    int (*check)(db_conn *c, FILE *out);

    /* `safecomm demo`: the module's records for the demo county, inside the
     * demo's transaction. 0, or -1 with a malloc'd message in *err. NULL:
     * none. */
    int (*demo)(struct demo_ctx *d, char **err);
    /* `safecomm demo --scale`: the module's main records in proportion to
     * the scale (demo_scale_n of its sizes per county), through
     * demo_bulk_begin/add/end, after the demo and the scaled regions, with
     * the module's own stream. 0, or -1 with a malloc'd message. NULL:
     * none. */
    int (*demo_scale)(struct demo_ctx *d, char **err);

    const struct module_perm *perms;
    int nperms;

    const struct module_report *reports;
    int nreports;

    /* The to-do groups the module declares for the home page and the bell
     * (todo.c), in the order shown. */
    const struct module_todo *todos;
    int ntodos;
    /* The labels of the codes its audit entries record (above). */
    const struct audit_label *audit_labels;
    int naudit_labels;
};

/* The list (src/mod/modules.c), in the order the statistics, the summary's
 * parts of equal rank and the demo follow. */
extern const struct module *const module_list[];
extern const int module_count;

#define MODULE_N(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif
