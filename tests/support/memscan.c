/*
 * memscan.c - see memscan.h.
 */
#include "memscan.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

long fcp_t_memscan(const uint8_t *masked, size_t n, uint8_t mask, int heap_only)
{
    if (n == 0)
        return 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    int fd = open("/proc/self/mem", O_RDONLY);
    if (!maps || fd < 0) {
        if (maps) fclose(maps);
        if (fd >= 0) close(fd);
        return -1;
    }
    char line[512];
    static uint8_t buf[(1 << 20) + 64];
    long found = 0;
    int any = 0;
    while (fgets(line, sizeof line, maps)) {
        unsigned long long a, b;
        char perms[8];
        if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) != 3 || perms[0] != 'r') continue;
        if (strstr(line, "[vvar]") || strstr(line, "[vsyscall]") || b - a > ((unsigned long long)512 << 20)) continue;
        /* (heap_only leaves the stack to a full scan: the first call of a
         * lazily bound function saves vector registers there, which may still
         * hold bytes a memcpy moved - transient, and not a freed block) */
        if (heap_only && !strstr(line, "[heap]") && (perms[1] != 'w' || strchr(line, '/') || strchr(line, '[')))
            continue;
        size_t carry = 0;
        for (unsigned long long off = a; off < b;) {
            size_t want = (size_t)((b - off) < (1u << 20) ? (b - off) : (1u << 20));
            ssize_t got = pread(fd, buf + carry, want, (off_t)off);
            if (got <= 0) break;
            any = 1;
            size_t len = carry + (size_t)got;
            for (size_t i = 0; i + n <= len; i++) {
                if ((uint8_t)(buf[i] ^ mask) != masked[0]) continue;
                size_t j = 1;
                while (j < n && (uint8_t)(buf[i + j] ^ mask) == masked[j]) j++;
                if (j == n) found++;
            }
            carry = len < n - 1 ? len : n - 1;
            memmove(buf, buf + len - carry, carry);
            off += (unsigned long long)got;
        }
    }
    sodium_memzero(buf, sizeof buf);
    close(fd);
    fclose(maps);
    return any ? found : -1;
}
