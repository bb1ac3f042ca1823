/* Fuzzes the decoding of an entity's JSON body (src/entity.c,
 * entity_merge_validate): a POST's object (or a PATCH's, over an existing
 * row), as jansson parses it from the request, checked against the
 * declaration of hazards, volunteers, care households or regions. A body is
 * either accepted as an object or refused with per-field errors: never a
 * crash, never neither, never an error without its message.
 *
 * Input: one byte choosing the entity and the mode, then the JSON text. */
#include "fuzz.h"
#include "fuzz_db.h"
#include "dict.h"
#include "entity.h"
#include "entity_impl.h"

#include <jansson.h>

static db_conn *c;
static arena *A;
static struct user *county, *village;

static const char *const names[] = {"hazards", "volunteers", "care_households", "regions"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(LOG_ERROR + 1);
    c = fuzz_db_open();
    A = arena_new();
    county = fuzz_user(A, "511621000000");
    village = fuzz_user(A, "511621101001");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct entity *e = entity_find(names[data[0] % 4]);
    if (!e)
        abort();
    int patch = data[0] & 4, importing = (data[0] & 8) != 0;
    const struct user *u = data[0] & 16 ? village : county;
    json_error_t jerr;
    json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &jerr);
    if (!in || !json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    arena *a = arena_new();
    json_t *existing = NULL;
    if (patch)
        existing = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)1, "region",
                             "511621101001", "code", "511621101001", "name", "翠湖社区",
                             "created_at", "2025-01-01T00:00:00+08:00");
    json_t *errors = json_object();
    json_t *obj = entity_merge_validate(a, c, dict_cache_new(a, c), u, e, in,
                                        patch ? existing : NULL, errors, importing);
    if (json_object_size(errors) == 0 && !obj)
        abort(); /* refused without saying why */
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v)
    {
        /* every error says what is wrong (an unknown key is named as sent,
         * even "") */
        if (!json_is_string(v) || !json_string_value(v)[0])
            abort();
    }
    json_decref(obj);
    json_decref(errors);
    json_decref(existing);
    json_decref(in);
    arena_free(a);
    return 0;
}
