/*
 * fuzz_elf_manifest.c - libFuzzer target for the ELF reader that extracts
 * the embedded ".fcp_manifest" section and PT_INTERP (src/host/host_elf.c).
 *
 * Properties: no crash or out-of-bounds access on any input (ASan checks
 * every read against the exact input buffer, which is copied to a heap
 * block of its own size); a found section lies inside the input, is
 * non-empty and does not end in NUL; an interpreter path is NUL-terminated
 * and within the output buffer.  A broken property aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcp/error.h"
#include "fcp/host_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    const uint8_t *sec = NULL;
    size_t sl = 0;
    int rc = fcp_elf_find_manifest(copy, size, &sec, &sl);
    if (rc == 0) {
        if (sec < copy || sl == 0 || sl > size || (size_t)(sec - copy) > size - sl) abort();
        if (sec[sl - 1] == 0) abort();
        /* the extracted text then goes to the manifest parser */
        fcp_manifest m;
        if (fcp_manifest_parse(&m, "embedded", (const char *)sec, sl, NULL) == 0) fcp_manifest_free(&m);
    } else if (rc != FCP_EHOST_ELF && rc != FCP_EHOST_ELF_NO_MANIFEST) {
        abort();
    }
    char interp[64];
    rc = fcp_elf_interp(copy, size, interp, sizeof interp);
    if (rc == 1 && strnlen(interp, sizeof interp) == sizeof interp) abort();
    if (rc != 0 && rc != 1 && rc != FCP_EHOST_ELF && rc != FCP_EBUFFER_TOO_SMALL) abort();
    free(copy);
    return 0;
}
