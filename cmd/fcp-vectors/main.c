/*
 * main.c - fcp-vectors: regenerate or check the golden vectors in
 * conformance/golden/.
 *
 *   fcp-vectors [--out DIR]      write DIR/<family dir>/<file> (DIR defaults
 *                                to conformance/golden)
 *   fcp-vectors --check DIR      regenerate in memory and compare byte for
 *                                byte with DIR/<family dir>/<file>; exit 1 on
 *                                any difference or missing file
 *   fcp-vectors --list           print the files it produces
 *
 * Output is deterministic (fixed seeds, fixed ephemeral keys, keys in
 * insertion order, two-space indent, trailing newline), so a regenerated
 * tree that differs from the committed one means the encoding drifted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fcp/crypto.h"
#include "fcp/hex.h"
#include "vectors.h"

json_t *vec_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        return NULL;
    fcp_hex_encode(s, 2 * n + 1, p, n);
    json_t *j = json_string(s);
    free(s);
    return j;
}

json_t *vec_entry(const char *name, const char *description, json_t *inputs, json_t *expected)
{
    json_t *e = json_object();
    json_object_set_new(e, "name", json_string(name));
    json_object_set_new(e, "description", json_string(description));
    json_object_set_new(e, "inputs", inputs);
    json_object_set_new(e, "expected", expected);
    return e;
}

static char *render(const vec_family *f, size_t *len)
{
    json_t *arr = f->build();
    if (!arr) {
        fprintf(stderr, "fcp-vectors: building %s/%s failed\n", f->dir, f->file);
        return NULL;
    }
    char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(arr);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    *len = n + 1;
    return t;
}

/* DIR/<family dir>, or DIR itself when DIR already names the family dir
 * (so both "--check conformance/golden" and "--check conformance/golden/model"
 * work). */
static void family_dir(char *out, size_t outlen, const char *root, const vec_family *f)
{
    size_t rl = strlen(root), dl = strlen(f->dir);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    if (rl >= dl && memcmp(root + rl - dl, f->dir, dl) == 0 && (rl == dl || root[rl - dl - 1] == '/'))
        snprintf(out, outlen, "%.*s", (int)rl, root);
    else
        snprintf(out, outlen, "%.*s/%s", (int)rl, root, f->dir);
}

static int mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int write_one(const char *root, const vec_family *f)
{
    char dir[4096], path[4200];
    size_t len;
    family_dir(dir, sizeof dir, root, f);
    if (mkdirs(dir) != 0) {
        fprintf(stderr, "fcp-vectors: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/%s", dir, f->file);
    char *s = render(f, &len);
    if (!s)
        return 1;
    FILE *fp = fopen(path, "wb");
    int bad = !fp || fwrite(s, 1, len, fp) != len;
    if (fp && fclose(fp) != 0)
        bad = 1;
    free(s);
    if (bad) {
        fprintf(stderr, "fcp-vectors: cannot write %s\n", path);
        return 1;
    }
    printf("wrote %s\n", path);
    return 0;
}

static int check_one(const char *root, const vec_family *f)
{
    char dir[4096], path[4200];
    size_t len, have_len = 0;
    family_dir(dir, sizeof dir, root, f);
    snprintf(path, sizeof path, "%s/%s", dir, f->file);
    char *s = render(f, &len);
    if (!s)
        return 1;
    FILE *fp = fopen(path, "rb");
    char *have = NULL;
    if (fp) {
        have = malloc(len + 2);
        if (have)
            have_len = fread(have, 1, len + 1, fp);
        fclose(fp);
    }
    int ok = have && have_len == len && memcmp(have, s, len) == 0;
    if (!fp)
        fprintf(stderr, "MISSING %s\n", path);
    else if (!ok) {
        size_t i = 0;
        while (have && i < len && i < have_len && have[i] == s[i])
            i++;
        fprintf(stderr, "DIFFERS %s (first difference at byte %zu)\n", path, i);
    } else
        printf("ok %s\n", path);
    free(have);
    free(s);
    return ok ? 0 : 1;
}

/* Family groups, one per generator source file.  Register a new group with
 * one line here (and its extern in vectors.h). */
static const struct {
    const vec_family *families;
    const size_t *count;
} vec_groups[] = {
    { vec_model_families, &vec_model_family_count },
    { vec_authz_zone_families, &vec_authz_zone_family_count },
    { vec_authz_token_families, &vec_authz_token_family_count },
    { vec_authz_audit_families, &vec_authz_audit_family_count },
};

/* 1 if root's last path component is the directory of some other family
 * (e.g. "--check conformance/golden/model" skips the authz families). */
static int names_other_dir(const char *root, const vec_family *f)
{
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    size_t b = rl;
    while (b > 0 && root[b - 1] != '/')
        b--;
    for (size_t g = 0; g < sizeof vec_groups / sizeof vec_groups[0]; g++)
        for (size_t i = 0; i < *vec_groups[g].count; i++) {
            const char *d = vec_groups[g].families[i].dir;
            if (strlen(d) == rl - b && memcmp(d, root + b, rl - b) == 0)
                return strcmp(d, f->dir) != 0;
        }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: fcp-vectors [--out DIR] | --check DIR | --list\n\n"
                 "Regenerate the golden conformance vectors (default: write them under\n"
                 "conformance/golden), or --check DIR: recompute every committed vector\n"
                 "from its inputs and compare byte for byte (exit 1 on any difference),\n"
                 "or --list the vector files this tool owns.\n");
}

int main(int argc, char **argv)
{
    const char *root = "conformance/golden";
    int check = 0, list = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            root = argv[++i];
        else if (!strcmp(argv[i], "--check") && i + 1 < argc) {
            root = argv[++i];
            check = 1;
        } else if (!strcmp(argv[i], "--list")) {
            list = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (fcp_crypto_init() != 0) {
        fprintf(stderr, "fcp-vectors: crypto init failed\n");
        return 1;
    }
    int fails = 0;
    size_t done = 0;
    for (size_t g = 0; g < sizeof vec_groups / sizeof vec_groups[0]; g++)
        for (size_t i = 0; i < *vec_groups[g].count; i++) {
            const vec_family *f = &vec_groups[g].families[i];
            if (list)
                printf("%s/%s\n", f->dir, f->file);
            else if (!names_other_dir(root, f)) {
                fails += check ? check_one(root, f) : write_one(root, f);
                done++;
            }
        }
    if (check)
        printf("%s: %zu files, %d differ\n", fails ? "FAIL" : "OK", done, fails);
    return fails ? 1 : 0;
}
