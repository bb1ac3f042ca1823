/* crypto: see crypto.h. */
#include "crypto.h"
#include "app.h"
#include "idcard.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEYS 64

static struct {
    int id;
    unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
} field_keys[MAX_KEYS];
static int nkeys;

static int parse_line(const char *line, long *id, unsigned char key[APP_KEY_BYTES])
{
    char hex[128];
    size_t n = 0;
    int ok = sscanf(line, "%ld %127s", id, hex) == 2 && strlen(hex) == APP_KEY_BYTES * 2 &&
             sodium_hex2bin(key, APP_KEY_BYTES, hex, strlen(hex), NULL, &n, NULL) == 0 &&
             n == APP_KEY_BYTES && *id > 0 && *id < 1000000;
    sodium_memzero(hex, sizeof hex);
    return ok ? 0 : -1;
}

static int write_line(int fd, long id)
{
    unsigned char key[APP_KEY_BYTES];
    char hex[APP_KEY_BYTES * 2 + 1], line[100];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    int n = snprintf(line, sizeof line, "%ld %s\n", id, hex);
    int ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
    sodium_memzero(key, sizeof key);
    sodium_memzero(hex, sizeof hex);
    sodium_memzero(line, sizeof line);
    return ok ? 0 : -1;
}

int crypto_keys_load(const char *path, int create, char **err)
{
    *err = NULL;
    if (sodium_init() < 0) {
        *err = xstrdup("libsodium 初始化失败");
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        if (!create) {
            *err = xasprintf("密钥文件 %s 不存在（先运行 safecomm init）", path);
            return -1;
        }
        /* O_EXCL: an existing key file is never overwritten. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) {
            *err = xasprintf("无法创建密钥文件 %s: %s", path, strerror(errno));
            return -1;
        }
        int rc = write_line(fd, 1);
        close(fd);
        if (rc != 0) {
            unlink(path);
            *err = xasprintf("无法写入密钥文件 %s", path);
            return -1;
        }
    } else if ((st.st_mode & 077) != 0) {
        *err = xasprintf("密钥文件 %s 的权限必须是 0600（chmod 600 %s）", path, path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        *err = xasprintf("无法读取密钥文件 %s: %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    nkeys = 0;
    while (fgets(line, sizeof line, f) && nkeys < MAX_KEYS) {
        long id;
        unsigned char key[APP_KEY_BYTES];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (parse_line(line, &id, key) != 0) {
            *err = xasprintf("密钥文件 %s 第 %d 行格式无效", path, nkeys + 1);
            break;
        }
        if (nkeys == 0) {
            /* The first key is the base of every hash key: those must stay
             * stable when encryption keys rotate. */
            memcpy(app.master_key, key, sizeof key);
            crypto_kdf_derive_from_key(app.token_key, sizeof app.token_key, 1, "sctoken_", key);
            crypto_kdf_derive_from_key(app.lookup_key, sizeof app.lookup_key, 2, "sclookup", key);
            crypto_kdf_derive_from_key(app.audit_key, sizeof app.audit_key, 4, "scaudit_", key);
        }
        field_keys[nkeys].id = (int)id;
        crypto_kdf_derive_from_key(field_keys[nkeys].key, sizeof field_keys[nkeys].key, 3,
                                   "scfield_", key);
        nkeys++;
        sodium_memzero(key, sizeof key);
    }
    sodium_memzero(line, sizeof line);
    fclose(f);
    if (!*err && nkeys == 0)
        *err = xasprintf("密钥文件 %s 中没有密钥", path);
    if (*err)
        return -1;
    memcpy(app.field_key, field_keys[nkeys - 1].key, sizeof app.field_key);
    app.field_key_id = field_keys[nkeys - 1].id;
    return 0;
}

int crypto_key_add(const char *path, char **err)
{
    *err = NULL;
    int fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0) {
        *err = xasprintf("无法打开密钥文件 %s: %s", path, strerror(errno));
        return -1;
    }
    int id = 0;
    for (int i = 0; i < nkeys; i++)
        if (field_keys[i].id > id)
            id = field_keys[i].id;
    int rc = write_line(fd, id + 1);
    close(fd);
    if (rc != 0) {
        *err = xasprintf("无法写入密钥文件 %s", path);
        return -1;
    }
    return crypto_keys_load(path, 0, err);
}

int crypto_current_key_id(void)
{
    return app.field_key_id;
}

static const unsigned char *key_by_id(int id)
{
    for (int i = 0; i < nkeys; i++)
        if (field_keys[i].id == id)
            return field_keys[i].key;
    return NULL;
}

/* Seals plain under the current key as "<key id>:<tag><base64>". */
static char *seal_with(const char *ad, const char *tag, const char *plain)
{
    size_t plen = strlen(plain);
    size_t blen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plen +
                  crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *bin = xmalloc(blen);
    randombytes_buf(bin, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        bin + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, (const unsigned char *)plain,
        plen, (const unsigned char *)ad, strlen(ad), NULL, bin, app.field_key);
    size_t b64len = sodium_base64_encoded_len(blen, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(b64len + 32);
    int n = snprintf(out, 32, "%d:%s", app.field_key_id, tag);
    sodium_bin2base64(out + n, b64len, bin, blen, sodium_base64_VARIANT_ORIGINAL);
    free(bin);
    return out;
}

char *crypto_seal(const char *ad, const char *plain)
{
    return seal_with(ad, "", plain);
}

int crypto_sealed_key_id(const char *sealed)
{
    char *end;
    long id = strtol(sealed, &end, 10);
    return *end == ':' && id > 0 ? (int)id : -1;
}

int crypto_has_key(int id)
{
    return key_by_id(id) != NULL;
}

/* Base64 never holds ':', so "<id>:v2:" cannot be the start of a legacy
 * value. */
#define ROW_TAG "v2:"

int crypto_sealed_row_bound(const char *sealed)
{
    const char *colon = crypto_sealed_key_id(sealed) > 0 ? strchr(sealed, ':') : NULL;
    return colon && strncmp(colon + 1, ROW_TAG, strlen(ROW_TAG)) == 0;
}

static char *open_b64(const char *ad, const char *b64, const unsigned char *key)
{
    size_t cap = strlen(b64), blen = 0;
    unsigned char *bin = xmalloc(cap + 1);
    char *plain = NULL;
    if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &blen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        blen < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                   crypto_aead_xchacha20poly1305_ietf_ABYTES)
        goto out;
    size_t clen = blen - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    plain = xmalloc(clen + 1);
    unsigned long long plen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)plain, &plen, NULL, bin + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            clen, (const unsigned char *)ad, strlen(ad), bin, key) != 0) {
        free(plain);
        plain = NULL;
        goto out;
    }
    plain[plen] = '\0';
out:
    free(bin);
    return plain;
}

char *crypto_open(const char *ad, const char *sealed)
{
    int id = crypto_sealed_key_id(sealed);
    const unsigned char *key = id > 0 ? key_by_id(id) : NULL;
    if (!key || crypto_sealed_row_bound(sealed))
        return NULL;
    return open_b64(ad, strchr(sealed, ':') + 1, key);
}

/* The row's additional data. Entity and field names are identifiers and a
 * row key is digits or a region code, so '.' and '#' cannot be forged into
 * another row's data. */
static char *row_ad(const char *entity, const char *field, const char *row)
{
    return xasprintf("%s.%s#%s", entity, field, row);
}

char *crypto_seal_row(const char *entity, const char *field, const char *row, const char *plain)
{
    char *ad = row_ad(entity, field, row);
    char *out = seal_with(ad, ROW_TAG, plain);
    free(ad);
    return out;
}

char *crypto_open_row(const char *entity, const char *field, const char *row, const char *sealed)
{
    int id = crypto_sealed_key_id(sealed);
    const unsigned char *key = id > 0 ? key_by_id(id) : NULL;
    if (!key)
        return NULL;
    if (!crypto_sealed_row_bound(sealed)) {
        /* A value sealed before rows were bound: readable until `safecomm
         * rekey` re-seals it; `safecomm check` reports it meanwhile. */
        char *ad = xasprintf("%s.%s", entity, field);
        char *plain = open_b64(ad, strchr(sealed, ':') + 1, key);
        free(ad);
        return plain;
    }
    char *ad = row_ad(entity, field, row);
    char *plain = open_b64(ad, strchr(sealed, ':') + 1 + strlen(ROW_TAG), key);
    free(ad);
    return plain;
}

void crypto_key_fingerprint(char out[65])
{
    static const char what[] = "safecomm key fingerprint v1";
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)what, sizeof what - 1, app.master_key,
                       sizeof app.master_key);
    sodium_bin2hex(out, 65, h, sizeof h);
}

char *crypto_normalize(const char *kind, const char *value)
{
    char *out = xmalloc(strlen(value) + 1), *o = out;
    int id = strcmp(kind, "idcard") == 0, phone = strcmp(kind, "phone") == 0;
    for (const char *p = value; *p; p++) {
        if ((id || phone) && (*p == ' ' || *p == '-'))
            continue;
        *o++ = id && *p == 'x' ? 'X' : *p;
    }
    *o = '\0';
    if (!id && !phone) {
        /* Free text: trim the ends only. */
        char *s = out;
        while (*s == ' ')
            s++;
        memmove(out, s, strlen(s) + 1);
        size_t n = strlen(out);
        while (n && out[n - 1] == ' ')
            out[--n] = '\0';
    }
    return out;
}

void crypto_lookup_hash(const char *ad, const char *normalized, char out[65])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, app.lookup_key, sizeof app.lookup_key, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)ad, strlen(ad) + 1);
    crypto_generichash_update(&st, (const unsigned char *)normalized, strlen(normalized));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

char *crypto_mask(const char *kind, const char *value)
{
    if (strcmp(kind, "idcard") == 0) {
        char out[64];
        idcard_mask(value, out, sizeof out);
        return xstrdup(out);
    }
    size_t n = util_utf8_len(value);
    if (strcmp(kind, "date") == 0)
        /* The year alone: the month and day are digits of the ID number. */
        return xasprintf("%.4s-**-**", n >= 4 ? value : "****");
    if (strcmp(kind, "phone") == 0) {
        /* 138****5678 for a mobile number (11 digits, 4 hidden); a shorter
         * number would keep too few hidden that way: its last 2 only, and
         * nothing of one under 7. */
        char *out = xstrdup(n >= 7 && strlen(value) == n ? value : "****");
        size_t head = n >= 11 ? 3 : 0, tail = n >= 11 ? 4 : 2;
        for (size_t i = head; n >= 7 && i < n - tail; i++)
            out[i] = '*';
        return out;
    }
    /* Text (an address): about a third of the characters, at most 6 (the
     * county or township a reader knows from the region), the rest hidden. */
    size_t keep = n / 3 < 6 ? n / 3 : 6;
    const char *p = value;
    for (size_t i = 0; i < keep; i++) {
        uint32_t cp;
        p += util_utf8_next(p, &cp);
    }
    return xasprintf("%.*s****", (int)(p - value), value);
}
