/* hazard_notice: the rectification notice (整改通知书) of a hazard, see
 * hazard.h. Its content is assembled once (notice_load) and written out twice:
 * as a printable HTML page and as a PDF through pdfdoc. Both routes share the
 * checks: the reader's scope (404 outside it, as for a missing hazard) and 409
 * before the notice exists (before "assign"). */
#include "hazard.h"
#include "audit.h"
#include "authz.h"
#include "buf.h"
#include "entity.h"
#include "http.h"
#include "pdfdoc.h"
#include "util.h"

#include <stdint.h>
#include <string.h>

#define NOTICE_ROWS 9

static const char notice_title[] = "安全隐患整改通知书";
static const char notice_order[] =
    "经检查，你单位存在下列安全隐患，现责令你单位按以下要求整改，"
    "并于整改期限届满前将整改情况书面报告。逾期未整改的，将依法依规督办处理。";
static const char notice_receipt[] = "被检查单位签收：__________　　日期：__________";

/* The notice's content; the strings live in the request's arena. */
struct notice {
    const char *id;
    const char *region;
    const char *number;
    const char *salutation; /* "<the responsible unit>：" */
    int nrows;
    const char *label[NOTICE_ROWS];
    const char *value[NOTICE_ROWS];
    const char *sign; /* "<township>安全生产委员会办公室\n<date>" */
};

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void row_release(void *row)
{
    json_decref(row);
}

/* Fills n for the hazard of the request. Returns 0, or -1 with the error
 * reply queued. */
static int notice_load(req *r, struct notice *n)
{
    db_conn *c = req_db(r);
    int st;
    const struct entity *e = entity_find("hazards");
    json_t *row = entity_get(c, r->a, e, req_param(r, "id"), &st);
    if (!row) {
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return -1;
    }
    arena_defer(r->a, row_release, row);
    if (authz_require(r, "hazard:read", jstr(row, "region")) != 0)
        return -1;
    if (entity_row_hidden(e, r->user, row)) {
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return -1;
    }
    if (!*jstr(row, "notice_no")) {
        reply_error(r, 409, "conflict", "该隐患尚未下达整改通知书", NULL);
        return -1;
    }
    char tcode[16];
    const char *tname = "";
    st = hazard_township_of(c, jstr(row, "region"), tcode, &tname, r->a);
    if (st != DB_OK) {
        reply_db_error(r, st);
        return -1;
    }
    static const char *const rows[NOTICE_ROWS][2] = {
        {"title", "隐患名称"},       {"address", "所在地点"},          {"description", "隐患描述"},
        {"grade_label", "隐患等级"}, {"domain_label", "隐患领域"},     {"found_at", "发现时间"},
        {"measures", "整改措施"},    {"responsible_person", "责任人"}, {"deadline", "整改期限"},
    };
    json_t *id = json_object_get(row, "id");
    n->id = json_is_integer(id)
                ? arena_printf(r->a, "%" JSON_INTEGER_FORMAT, json_integer_value(id))
                : jstr(row, "id");
    n->region = jstr(row, "region");
    n->number = jstr(row, "notice_no");
    n->salutation = arena_printf(r->a, "%s：", jstr(row, "responsible_unit"));
    n->nrows = NOTICE_ROWS;
    for (int i = 0; i < NOTICE_ROWS; i++) {
        n->label[i] = rows[i][1];
        n->value[i] = jstr(row, rows[i][0]);
        /* The place is the region's name, then the address within it. */
        if (strcmp(rows[i][0], "address") == 0)
            n->value[i] = arena_printf(r->a, "%s %s", jstr(row, "region_name"), n->value[i]);
    }
    n->sign = arena_printf(r->a, "%s安全生产委员会办公室\n%s", tname, jstr(row, "notice_date"));
    return 0;
}

/* ---- HTML ---- */

/* HTML text: & < > " ' as references, a newline as <br>. */
static void html_esc(buf *o, const char *s)
{
    buf_escape_xml(o, s, s ? strlen(s) : 0, BUF_XML_APOS | BUF_XML_BR);
}

static void notice_html(const struct notice *n, buf *o)
{
    buf_puts(o, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
    html_esc(o, notice_title);
    buf_puts(o, "</title><style>"
                "body{font-family:'Noto Serif CJK SC','SimSun',serif;max-width:46em;"
                "margin:2em auto;line-height:1.8;color:#000}"
                "h1{text-align:center;letter-spacing:.3em;font-size:1.6em}"
                ".no{text-align:right}.sign{text-align:right;margin-top:3em}"
                "table{border-collapse:collapse;width:100%}"
                "th,td{border:1px solid #000;padding:.4em;vertical-align:top;text-align:left}"
                "th{width:8em;white-space:nowrap}"
                "@media print{body{margin:0;max-width:none}@page{size:A4;margin:2cm}}"
                "</style></head><body>\n<h1>");
    html_esc(o, notice_title);
    buf_puts(o, "</h1>\n<p class=\"no\">");
    html_esc(o, n->number);
    buf_puts(o, "</p>\n<p>");
    html_esc(o, n->salutation);
    buf_puts(o, "</p>\n<p>");
    html_esc(o, notice_order);
    buf_puts(o, "</p>\n<table>\n");
    for (int i = 0; i < n->nrows; i++) {
        buf_puts(o, "<tr><th>");
        html_esc(o, n->label[i]);
        buf_puts(o, "</th><td>");
        html_esc(o, n->value[i]);
        buf_puts(o, "</td></tr>\n");
    }
    buf_puts(o, "</table>\n<p class=\"sign\">");
    html_esc(o, n->sign);
    buf_puts(o, "</p>\n<p>");
    html_esc(o, notice_receipt);
    buf_puts(o, "</p>\n</body></html>\n");
}

static void h_notice_html(req *r)
{
    struct notice n;
    if (notice_load(r, &n) != 0 ||
        audit_export_request(r, "hazards", n.id, n.region, "notice_html", NULL, -1) != 0)
        return;
    buf o;
    buf_init(&o, (size_t)1 << 20);
    notice_html(&n, &o);
    size_t len;
    char *body = buf_detach(&o, &len);
    reply_take(r, 200, "text/html; charset=utf-8", body, len);
}

/* ---- PDF ---- */

static void notice_pdf(const struct notice *n, pdfdoc *d)
{
    pdfdoc_title(d, notice_title);
    pdfdoc_paragraph(d, PDFDOC_RIGHT, n->number);
    pdfdoc_space(d, 6);
    pdfdoc_paragraph(d, PDFDOC_LEFT, n->salutation);
    pdfdoc_paragraph(d, PDFDOC_LEFT, notice_order);
    static const double widths[] = {1, 4};
    pdfdoc_table_begin(d, 2, widths, PDFDOC_TABLE_LABELS);
    for (int i = 0; i < n->nrows; i++) {
        pdfdoc_table_cell(d, n->label[i]);
        pdfdoc_table_cell(d, n->value[i]);
    }
    pdfdoc_table_end(d);
    pdfdoc_signature(d, n->sign);
    pdfdoc_space(d, 24);
    pdfdoc_paragraph(d, PDFDOC_LEFT, notice_receipt);
}

/* RFC 8187 ext-value: UTF-8 with everything but attr-char percent-encoded. */
static void h_notice_pdf(req *r)
{
    struct notice n;
    if (notice_load(r, &n) != 0)
        return;
    pdfdoc *d = pdfdoc_new(r->a, arena_printf(r->a, "%s %s", notice_title, n.number));
    notice_pdf(&n, d);
    buf o;
    buf_init(&o, (size_t)32 << 20);
    const char *msg;
    if (pdfdoc_render(d, &o, &msg) != 0) {
        buf_free(&o);
        log_error("hazard %s: %s", n.id, msg);
        reply_error(r, 500, "internal", "整改通知书 PDF 生成失败", NULL);
        return;
    }
    if (audit_export_request(r, "hazards", n.id, n.region, "notice_pdf", NULL, -1) != 0) {
        buf_free(&o);
        return;
    }
    size_t len;
    char *body = buf_detach(&o, &len);
    reply_take(r, 200, "application/pdf", body, len);
    const char *name = arena_printf(r->a, "整改通知书-%s.pdf", n.number);
    reply_header(r, "Content-Disposition",
                 http_disposition(r->a, arena_printf(r->a, "notice-%s.pdf", n.id), name));
}

void hazard_notice_routes_register(void)
{
    http_route("GET", "/api/v1/hazards/{id}/notice.html", h_notice_html, 0, NULL);
    http_route("GET", "/api/v1/hazards/{id}/notice.pdf", h_notice_pdf, ROUTE_LONG, NULL);
}
