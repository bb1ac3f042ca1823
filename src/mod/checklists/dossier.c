/* dossier: the evaluation dossier (评审档案), see checklists.h. One folder
 * per first-level item of the campaign's checklist (the most specific one
 * on the region's path to the root; the national template's 12 elements
 * when there is none), each with its records as XLSX (the entity export,
 * scoped, masked and audited like any export) and the photos attached to
 * them, an index page, a completeness report and a manifest.
 *
 * Memory: every member is a file given to libzip as a file source, read in
 * chunks when the archive is written at zip_close; photos are stored, not
 * compressed. Nothing holds the dossier whole: its size may be many times
 * the process's. */
#include "checklists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "audit.h"
#include "buf.h"
#include "entity.h"
#include "files.h"
#include "region.h"
#include "util.h"

struct folder {
    char code[24], title[256], records[256];
};

/* The folders: the first-level items of the campaign's checklist nearest
 * to the region, or the national template's. Returns their count (≤ max). */
static int folders_of(db_conn *c, const char *region, const char *campaign, struct folder *f,
                      int max)
{
    char path[8][REGION_CODE_MAX];
    int np = 0;
    snprintf(path[np++], REGION_CODE_MAX, "%s", region);
    while (np < 8 && region_parent_of(path[np - 1], path[np]) == 0)
        np++;
    long long cid = 0;
    for (int i = 0; i < np && !cid; i++) {
        db_stmt *s = db_prepare(c, "SELECT id FROM checklists WHERE deleted_at IS NULL AND "
                                   "campaign = $1 AND region = $2 ORDER BY id DESC LIMIT 1");
        if (!s)
            return -1;
        db_bind_text(s, 1, campaign);
        db_bind_text(s, 2, path[i]);
        if (db_step(s) == DB_ROW)
            cid = db_col_int(s, 0);
        db_done(s);
    }
    int n = 0;
    if (cid) {
        db_stmt *s = db_prepare(c, "SELECT code, title, entities FROM checklist_items WHERE "
                                   "checklist_id = $1 AND parent_id IS NULL AND deleted_at IS NULL "
                                   "ORDER BY sort, id");
        if (!s)
            return -1;
        db_bind_int(s, 1, cid);
        while (n < max && db_step(s) == DB_ROW) {
            snprintf(f[n].code, sizeof f[n].code, "%s", db_col_text(s, 0));
            snprintf(f[n].title, sizeof f[n].title, "%s", db_col_text(s, 1));
            snprintf(f[n].records, sizeof f[n].records, "%s",
                     db_col_text(s, 2) ? db_col_text(s, 2) : "");
            n++;
        }
        db_done(s);
    }
    if (n == 0) {
        const struct cl_template *t = cl_template_find("national");
        for (int i = 0; i < t->nitems && n < max; i++)
            if (!strchr(t->items[i].code, '.')) {
                snprintf(f[n].code, sizeof f[n].code, "%s", t->items[i].code);
                snprintf(f[n].title, sizeof f[n].title, "%s", t->items[i].title);
                snprintf(f[n].records, sizeof f[n].records, "%s",
                         t->items[i].records ? t->items[i].records : "");
                n++;
            }
    }
    return n;
}

/* The year's filter of e: its "year" filter, or its first date range. */
static int year_filter(const struct entity *e, int year, const char **keys, const char **vals,
                       arena *a)
{
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, "year") == 0 && (e->fields[i].flags & FF_FILTER)) {
            keys[0] = "year";
            vals[0] = arena_printf(a, "%d", year);
            return 1;
        }
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_DATE && (e->fields[i].flags & FF_RANGE)) {
            keys[0] = arena_printf(a, "%s_from", e->fields[i].name);
            vals[0] = arena_printf(a, "%d-01-01", year);
            keys[1] = arena_printf(a, "%s_to", e->fields[i].name);
            vals[1] = arena_printf(a, "%d-12-31", year);
            return 2;
        }
    return 0;
}

static void html_text(buf *b, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        default:
            buf_append(b, s, 1);
        }
}

/* A member from memory (small: the index, the report); b is taken. */
static int add_buf(zip_t *za, const char *name, buf *b)
{
    size_t n = 0;
    char *data = buf_detach(b, &n);
    zip_source_t *src = zip_source_buffer(za, data, n, 1);
    if (!src) {
        free(data);
        return -1;
    }
    if (zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(src);
        return -1;
    }
    return 0;
}

/* A member read from the file at path when the archive is written. */
static int add_file(zip_t *za, const char *name, const char *path, int store)
{
    zip_source_t *src = zip_source_file(za, path, 0, -1);
    zip_int64_t idx = src ? zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
        if (src)
            zip_source_free(src);
        return -1;
    }
    if (store)
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    return 0;
}

#define DOSSIER_MAX_FOLDERS 40
#define DOSSIER_MAX_TEMPS   (DOSSIER_MAX_FOLDERS * 8)

int dossier_write(db_conn *c, const struct audit_actor *who, const char *region, int year,
                  const char *campaign, const char *path, char **err)
{
    *err = NULL;
    struct folder *fl = calloc(DOSSIER_MAX_FOLDERS, sizeof *fl);
    char **temps = calloc(DOSSIER_MAX_TEMPS, sizeof *temps);
    int ntemps = 0, rc = -1;
    arena *a = arena_new();
    zip_t *za = NULL;
    buf index, report;
    buf_init(&index, (size_t)64 << 20);
    buf_init(&report, (size_t)16 << 20);
    json_t *manifest = json_pack("{s:s, s:i, s:s, s:[]}", "region", region, "year", year,
                                 "campaign", campaign, "folders");
    int nf = folders_of(c, region, campaign, fl, DOSSIER_MAX_FOLDERS);
    if (nf <= 0) {
        *err = xstrdup("无法读取评分表的一级指标");
        goto out;
    }
    char *tmpzip = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmpzip);
    if (fd < 0) {
        *err = xasprintf("无法创建 %s", path);
        free(tmpzip);
        goto out;
    }
    close(fd);
    int ze;
    za = zip_open(tmpzip, ZIP_TRUNCATE, &ze);
    if (!za) {
        unlink(tmpzip);
        *err = xasprintf("无法创建 %s", path);
        free(tmpzip);
        goto out;
    }
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    region_subtree(region, lo, hi);
    buf_printf(&index,
               "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>评审档案</title>"
               "<h1>评审档案（%s，%d年）</h1><p><a href=\"completeness.html\">档案完整性报告</a>"
               "</p>",
               region, year);
    buf_puts(&report,
             "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>档案完整性"
             "报告</title><h1>档案完整性报告</h1><table border=\"1\"><tr><th>要素</th>"
             "<th>记录</th><th>照片</th><th>评价</th></tr>");
    for (int i = 0; i < nf; i++) {
        int num = atoi(fl[i].code);
        const char *dir = arena_printf(a, "%02d_%s", num, fl[i].title);
        zip_dir_add(za, dir, ZIP_FL_ENC_UTF_8);
        buf_puts(&index, "<h2>");
        html_text(&index, dir);
        buf_puts(&index, "</h2><ul>");
        long records = 0, photos = 0;
        json_t *files = json_array();
        char ents[256];
        snprintf(ents, sizeof ents, "%s", fl[i].records);
        char *save = NULL;
        for (char *en = strtok_r(ents, " ,", &save); en; en = strtok_r(NULL, " ,", &save)) {
            const struct entity *e = entity_find(en);
            if (!e || ntemps >= DOSSIER_MAX_TEMPS)
                continue;
            const char *keys[4] = {"region"}, *vals[4] = {region};
            int nk = 1 + year_filter(e, year, keys + 1, vals + 1, a);
            char *tmp = xasprintf("%s.part-%d.xlsx", tmpzip, ntemps);
            temps[ntemps++] = tmp;
            char *e2 = NULL;
            long n = entity_export_file(c, who, e, nk, keys, vals, tmp, &e2);
            if (n < 0) {
                /* A reader without the permission or a filter it lacks:
                 * the folder says so, the dossier goes on. */
                free(e2);
                continue;
            }
            records += n;
            const char *member = arena_printf(a, "%s/%s.xlsx", dir, e->label);
            if (add_file(za, member, tmp, 0) != 0) {
                *err = xasprintf("无法写入 %s", member);
                goto out_zip;
            }
            buf_puts(&index, "<li><a href=\"");
            html_text(&index, arena_printf(a, "%s/%s.xlsx", dir, e->label));
            buf_puts(&index, "\">");
            html_text(&index, e->label);
            buf_printf(&index, "</a>（%ld 条）</li>", n);
            json_array_append_new(files, json_pack("{s:s, s:s, s:i}", "name", member, "entity",
                                                   e->name, "rows", (int)n));
            /* The photos of the entity's records in the region. */
            if (!files_dir())
                continue;
            db_stmt *s = db_prepare(c, "SELECT a.file_id, f.mime, a.record_key FROM attachments a "
                                       "JOIN files f ON f.id = a.file_id WHERE a.entity = $1 AND "
                                       "a.region >= $2 AND a.region < $3 ORDER BY a.id");
            if (!s)
                continue;
            db_bind_text(s, 1, e->name);
            db_bind_text(s, 2, lo);
            db_bind_text(s, 3, hi);
            while (db_step(s) == DB_ROW) {
                const char *id = db_col_text(s, 0), *ext = files_ext_of(db_col_text(s, 1));
                const char *src = arena_printf(a, "%s/%.2s/%s", files_dir(), id, id);
                const char *pm = arena_printf(a, "%s/照片/%s-%s-%.12s.%s", dir, e->name,
                                              db_col_text(s, 2), id, ext ? ext : "bin");
                struct stat st;
                if (stat(src, &st) != 0 || zip_name_locate(za, pm, ZIP_FL_ENC_UTF_8) >= 0)
                    continue;
                if (add_file(za, pm, src, 1) != 0)
                    break;
                photos++;
                buf_puts(&index, "<li><a href=\"");
                html_text(&index, pm);
                buf_puts(&index, "\">照片 ");
                html_text(&index, pm + strlen(dir) + 1);
                buf_puts(&index, "</a></li>");
            }
            db_done(s);
        }
        buf_puts(&index, "</ul>");
        const char *verdict = records + photos == 0  ? "无佐证材料"
                              : records + photos < 5 ? "佐证材料单薄"
                                                     : "齐全";
        buf_puts(&report, "<tr><td>");
        html_text(&report, dir);
        buf_printf(&report, "</td><td>%ld</td><td>%ld</td><td>%s</td></tr>", records, photos,
                   verdict);
        json_array_append_new(json_object_get(manifest, "folders"),
                              json_pack("{s:s, s:s, s:i, s:i, s:s, s:o}", "folder", dir, "code",
                                        fl[i].code, "records", (int)records, "photos", (int)photos,
                                        "completeness", verdict, "files", files));
    }
    buf_puts(&report, "</table></html>\n");
    buf_puts(&index, "</html>\n");
    char *mj = json_dumps(manifest, JSON_INDENT(1));
    buf mb;
    buf_init(&mb, (size_t)16 << 20);
    buf_puts(&mb, mj ? mj : "{}");
    free(mj);
    if (add_buf(za, "index.html", &index) != 0 || add_buf(za, "completeness.html", &report) != 0 ||
        add_buf(za, "manifest.json", &mb) != 0) {
        buf_free(&mb);
        *err = xstrdup("无法写入档案索引");
        goto out_zip;
    }
    buf_free(&mb);
    {
        json_t *filter =
            json_pack("{s:s, s:i, s:s}", "region", region, "year", year, "campaign", campaign);
        int st = audit_export(c, who, "dossier", NULL, region, "zip", filter, -1);
        json_decref(filter);
        if (st != DB_OK) {
            *err = xstrdup("写入审计日志失败，未生成档案");
            goto out_zip;
        }
    }
    if (zip_close(za) != 0) {
        *err = xasprintf("无法写入档案：%s", zip_strerror(za));
        goto out_zip;
    }
    za = NULL;
    if (rename(tmpzip, path) != 0) {
        *err = xasprintf("无法写入 %s", path);
        unlink(tmpzip);
        goto out_tmp;
    }
    rc = 0;
    goto out_tmp;
out_zip:
    if (za)
        zip_discard(za);
    za = NULL;
    unlink(tmpzip);
out_tmp:
    free(tmpzip);
out:
    for (int i = 0; i < ntemps; i++) {
        unlink(temps[i]);
        free(temps[i]);
    }
    free(temps);
    free(fl);
    buf_free(&index);
    buf_free(&report);
    json_decref(manifest);
    arena_free(a);
    return rc;
}
