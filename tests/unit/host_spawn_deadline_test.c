/*
 * host_spawn_deadline_test.c - fcp_host_spawn waits for the child's start
 * report (or its exec) only until the report deadline: a child stuck before
 * exec (FCP_HOST_TEST_SPAWN_STALL_MS) is killed and reaped and the spawn
 * fails with FCP_ERT_SPAWN_TIMEOUT; without the stall the same spawn
 * succeeds under the same deadline, and exec failures are still reported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fcp/error.h"
#include "fcp/host_transport.h"
#include "test.h"

int main(void)
{
    CHECK_EQ(fcp_host_spawn_report_timeout(), FCP_HOST_SPAWN_REPORT_MS);
    fcp_host_spawn_set_report_timeout(300);
    CHECK_EQ(fcp_host_spawn_report_timeout(), 300);

    /* a child that sleeps 20 s before exec: killed at the deadline */
    setenv("FCP_HOST_TEST_SPAWN_STALL_MS", "20000", 1);
    fcp_host_spawn_opts o = {"/bin/cat", NULL, NULL, NULL, 0};
    fcp_host_conn c;
    CHECK_ERR(fcp_host_spawn(&c, &o), FCP_ERT_SPAWN_TIMEOUT);
    CHECK(strstr(c.why, "300 ms") != NULL);
    CHECK_EQ(c.fd, -1);
    /* killed and reaped: no child is left */
    errno = 0;
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);

    /* the same deadline, no stall: starts, answers nothing, closes cleanly */
    unsetenv("FCP_HOST_TEST_SPAWN_STALL_MS");
    CHECK_ERR(fcp_host_spawn(&c, &o), 0);
    CHECK(c.pid > 0);
    fcp_host_close(&c, 200);
    CHECK_EQ(c.pid, 0);
    errno = 0;
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);

    /* an exec failure is still the child's report, not a timeout */
    fcp_host_spawn_opts bad = {"/dev/null", NULL, NULL, NULL, 0};
    CHECK_ERR(fcp_host_spawn(&c, &bad), FCP_EHOST_SPAWN);

    fcp_host_spawn_set_report_timeout(0);
    CHECK_EQ(fcp_host_spawn_report_timeout(), FCP_HOST_SPAWN_REPORT_MS);
    return fcp_t_done("host_spawn_deadline_test");
}
