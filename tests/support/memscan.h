/*
 * memscan.h - count occurrences of a secret in this process's readable
 * memory (/proc/self/maps + /proc/self/mem), for the tests that prove no
 * copy of a credential survives a transfer.  The needle is passed XOR-masked
 * so the test itself never holds it in plaintext.
 */
#ifndef FCP_TEST_MEMSCAN_H
#define FCP_TEST_MEMSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Occurrences of (masked[i] ^ mask) in readable mappings; heap_only limits
 * the scan to the heap and anonymous writable mappings (fast enough to run
 * after every operation).  -1 if /proc/self/mem cannot be read. */
long fcp_t_memscan(const uint8_t *masked, size_t n, uint8_t mask, int heap_only);

#endif
