/*
 * test.h - the unit-test harness shared by every test in tests/unit.
 *
 * A test binary calls CHECK* macros from plain functions, then returns
 * fcp_t_done("name") from main.  Each failed check prints file:line and what
 * was compared; fcp_t_done prints "name: N passed, N failed" (the runner,
 * scripts/run-tests.sh, sums those lines).  Helpers load hex, files and JSON
 * vectors from ../shared/vectors (or $FCP_SHARED/vectors).
 */
#ifndef FCP_TEST_H
#define FCP_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

extern unsigned long fcp_t_passed, fcp_t_failed;

int fcp_t_check(int ok, const char *expr, const char *file, int line);
int fcp_t_check_int(long long a, long long b, const char *ea, const char *eb, const char *file, int line);
int fcp_t_check_mem(const void *a, const void *b, size_t n, const char *ea, const char *eb,
                    const char *file, int line);
int fcp_t_done(const char *name);

#define CHECK(c)            fcp_t_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_EQ(a, b)      fcp_t_check_int((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_MEM(a, b, n)  fcp_t_check_mem((a), (b), (n), #a, #b, __FILE__, __LINE__)
/* Check an FCP call returned the given error code (0 for success). */
#define CHECK_ERR(call, want) CHECK_EQ((call), (want))

/* Path to a file under the shared vectors folder; returned in a static buffer. */
const char *fcp_t_vector_path(const char *rel);
/* Read a whole file; caller frees. NULL (and a failed check) if unreadable. */
uint8_t *fcp_t_read_file(const char *path, size_t *len);
/* Load a JSON file under shared/vectors; caller json_decref()s. Fails the test if absent. */
json_t *fcp_t_load_json(const char *rel);
/* Decode hex text into a fresh malloc'd buffer (NULL on bad hex). */
uint8_t *fcp_t_unhex(const char *hex, size_t *len);
/* Fetch a string member of a JSON object ("" if missing). */
const char *fcp_t_jstr(const json_t *obj, const char *key);

#endif
