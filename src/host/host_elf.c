/*
 * host_elf.c - read the ".fcp_manifest" section and PT_INTERP out of an ELF
 * file without executing it (spec §11.3).
 *
 * The input is untrusted: every header field that becomes an offset, a size
 * or a count is checked against the file length before it is used, with
 * overflow-safe arithmetic (off <= len && size <= len - off).  Only
 * little-endian ELF32/ELF64 are accepted (the platforms we build for).
 */
#include "fcp/host_manifest.h"

#include <string.h>

#include "fcp/buf.h"
#include "fcp/error.h"

typedef struct elf {
    const uint8_t *b;
    size_t         len;
    int            is64;
    uint64_t       shoff, phoff;
    uint32_t       shentsize, phentsize, shnum, phnum, shstrndx;
} elf;

static int in_range(size_t len, uint64_t off, uint64_t size)
{
    return off <= len && size <= len - off;
}

static uint64_t rd(const uint8_t *p, int bytes)
{
    return bytes == 8 ? fcp_load_u64le(p) : bytes == 4 ? fcp_load_u32le(p) : fcp_load_u16le(p);
}

static int elf_open(elf *e, const uint8_t *b, size_t len)
{
    memset(e, 0, sizeof *e);
    if (!b || len < 52 || memcmp(b, "\x7f" "ELF", 4) != 0) return FCP_EHOST_ELF;
    if (b[4] != 1 && b[4] != 2) return FCP_EHOST_ELF;   /* class */
    if (b[5] != 1 || b[6] != 1) return FCP_EHOST_ELF;   /* little endian, version 1 */
    e->b = b;
    e->len = len;
    e->is64 = b[4] == 2;
    if (e->is64) {
        if (len < 64) return FCP_EHOST_ELF;
        e->phoff = fcp_load_u64le(b + 32);
        e->shoff = fcp_load_u64le(b + 40);
        e->phentsize = fcp_load_u16le(b + 54);
        e->phnum = fcp_load_u16le(b + 56);
        e->shentsize = fcp_load_u16le(b + 58);
        e->shnum = fcp_load_u16le(b + 60);
        e->shstrndx = fcp_load_u16le(b + 62);
    } else {
        e->phoff = fcp_load_u32le(b + 28);
        e->shoff = fcp_load_u32le(b + 32);
        e->phentsize = fcp_load_u16le(b + 42);
        e->phnum = fcp_load_u16le(b + 44);
        e->shentsize = fcp_load_u16le(b + 46);
        e->shnum = fcp_load_u16le(b + 48);
        e->shstrndx = fcp_load_u16le(b + 50);
    }
    return 0;
}

/* Section i: name offset, file offset and size.  Checked against len. */
static int section(const elf *e, uint32_t i, uint32_t *name, uint64_t *off, uint64_t *size,
                   uint32_t *type)
{
    uint32_t need = e->is64 ? 64 : 40;
    if (e->shentsize < need || i >= e->shnum) return FCP_EHOST_ELF;
    uint64_t at = e->shoff + (uint64_t)i * e->shentsize;
    if (e->shoff > e->len || !in_range(e->len, at, need)) return FCP_EHOST_ELF;
    const uint8_t *s = e->b + at;
    *name = fcp_load_u32le(s);
    *type = fcp_load_u32le(s + 4);
    int w = e->is64 ? 8 : 4;
    *off = rd(s + (e->is64 ? 24 : 16), w);
    *size = rd(s + (e->is64 ? 32 : 20), w);
    if (*type != 8 /* SHT_NOBITS */ && !in_range(e->len, *off, *size)) return FCP_EHOST_ELF;
    return 0;
}

int fcp_elf_find_manifest(const uint8_t *bin, size_t len, const uint8_t **sec, size_t *sec_len)
{
    elf e;
    int rc = elf_open(&e, bin, len);
    if (rc < 0) return rc;
    if (e.shnum == 0 || e.shnum > 65280 || e.shstrndx >= e.shnum) return FCP_EHOST_ELF;
    uint32_t nm, ty;
    uint64_t stroff, strsize;
    if ((rc = section(&e, e.shstrndx, &nm, &stroff, &strsize, &ty)) < 0 || ty == 8) return FCP_EHOST_ELF;
    static const char want[] = FCP_MANIFEST_SECTION;
    for (uint32_t i = 0; i < e.shnum; i++) {
        uint64_t off, size;
        if ((rc = section(&e, i, &nm, &off, &size, &ty)) < 0) return rc;
        if (nm >= strsize || strsize - nm < sizeof want) continue;
        if (memcmp(bin + stroff + nm, want, sizeof want) != 0) continue;
        if (ty == 8 || size == 0) return FCP_EHOST_ELF_NO_MANIFEST;
        const uint8_t *p = bin + off;
        size_t n = (size_t)size;
        while (n > 0 && p[n - 1] == 0) n--;
        if (n == 0) return FCP_EHOST_ELF_NO_MANIFEST;
        *sec = p;
        *sec_len = n;
        return 0;
    }
    return FCP_EHOST_ELF_NO_MANIFEST;
}

int fcp_elf_interp(const uint8_t *bin, size_t len, char *out, size_t cap)
{
    elf e;
    int rc = elf_open(&e, bin, len);
    if (rc < 0) return rc;
    uint32_t need = e.is64 ? 56 : 32;
    if (e.phnum == 0) return 0;
    if (e.phentsize < need || e.phnum > 65280) return FCP_EHOST_ELF;
    for (uint32_t i = 0; i < e.phnum; i++) {
        uint64_t at = e.phoff + (uint64_t)i * e.phentsize;
        if (e.phoff > len || !in_range(len, at, need)) return FCP_EHOST_ELF;
        const uint8_t *p = bin + at;
        if (fcp_load_u32le(p) != 3 /* PT_INTERP */) continue;
        uint64_t off = e.is64 ? fcp_load_u64le(p + 8) : fcp_load_u32le(p + 4);
        uint64_t sz = e.is64 ? fcp_load_u64le(p + 32) : fcp_load_u32le(p + 16);
        if (!in_range(len, off, sz) || sz == 0) return FCP_EHOST_ELF;
        size_t n = (size_t)sz;
        while (n > 0 && bin[off + n - 1] == 0) n--;
        if (n == 0 || memchr(bin + off, 0, n)) return FCP_EHOST_ELF;
        if (n + 1 > cap) return FCP_EBUFFER_TOO_SMALL;
        memcpy(out, bin + off, n);
        out[n] = '\0';
        return 1;
    }
    return 0;
}
