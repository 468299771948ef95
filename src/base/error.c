/*
 * error.c - names and messages for the codes in include/fcp/error.h.
 * The table is generated from the same X-macro as the enum, so the two can
 * never disagree.
 */
#include "fcp/error.h"

#include <stdio.h>

struct err_row { int code; const char *name; const char *msg; };

static const struct err_row err_table[] = {
#define ROW_(name, num, msg) { -(num), #name, msg },
    FCP_ERRORS(ROW_)
#undef ROW_
};

static const struct err_row *find(int err)
{
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
        if (err_table[i].code == err)
            return &err_table[i];
    return NULL;
}

const char *fcp_strerror(int err)
{
    if (err == FCP_OK)
        return "success";
    const struct err_row *r = find(err);
    return r ? r->msg : "unknown error";
}

const char *fcp_error_name(int err)
{
    if (err == FCP_OK)
        return "FCP_OK";
    const struct err_row *r = find(err);
    return r ? r->name : NULL;
}

const char *fcp_error_code(int err, char *buf, size_t buflen)
{
    int n = err < 0 ? -err : err;
    if (buflen > 0)
        snprintf(buf, buflen, "FCP-%04d", n % 10000);
    return buf;
}

int fcp_error_known(int err)
{
    return err == FCP_OK || find(err) != NULL;
}
