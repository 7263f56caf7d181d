/**
 * Exit codes of `authproxyctl`. Duo's own codes are kept where Duo defines them (spec §8.1);
 * configuration problems use sysexits(3) so that supervisors do not restart a bad config in a loop.
 *
 * | Code | Name                 | When                                                            |
 * |-----:|----------------------|-----------------------------------------------------------------|
 * |    0 | EXIT_OK              | success (`check`: the config is valid; warnings may be printed)  |
 * |    1 | EXIT_FAILURE         | the command failed for another reason (Duo: start/stop failure)  |
 * |    2 | EXIT_USAGE           | wrong arguments or missing command (Duo: wrong argument count)   |
 * |    3 | EXIT_UNKNOWN_COMMAND | unknown command (Duo's code; `status` also uses 3 = not running) |
 * |   66 | EXIT_NOINPUT         | the config file is missing or unreadable (EX_NOINPUT)            |
 * |   70 | EXIT_SOFTWARE        | `run`/daemon: an unhandled error stopped the proxy (EX_SOFTWARE) |
 * |   78 | EXIT_CONFIG          | the config file has errors (EX_CONFIG); every error on stderr    |
 *
 * Per command (`start`, `stop`, `restart`, `status`, `run`, `reload`, `connectivity`, `version`):
 *
 * | Command      | Exit codes                                                                        |
 * |--------------|-----------------------------------------------------------------------------------|
 * | start        | 0 started, or already running (no second copy); 78 config errors; 66 config       |
 * |              | unreadable; 1 any other start failure (bind error, pidfile, timeout, crash)       |
 * | stop         | 0 stopped or was not running; 1 signal failed, pidfile garbage, or still running  |
 * |              | after `--timeout`                                                                 |
 * | restart      | as stop, then as start                                                            |
 * | status       | LSB: 0 running; 1 not running but a stale pidfile; 3 not running (no pidfile);    |
 * |              | 4 status unknown (pidfile with garbage)                                           |
 * | run          | 0 clean stop on SIGTERM/SIGINT; 78/66 config; 1 start failure; 70 unhandled error |
 * | reload       | 0 SIGHUP sent (outcome in authproxy.log); 78 config errors (nothing sent); 3 not     |
 * |              | running; 1 signal failed                                                          |
 * | connectivity | 0 no issues; 1 at least one warning or error; 78/66 config cannot be loaded       |
 * | version      | 0                                                                                 |
 */
export const EXIT_OK = 0;
/** The command failed for a reason not listed below. */
export const EXIT_FAILURE = 1;
/** Wrong arguments (Duo: wrong argument count → 2). */
export const EXIT_USAGE = 2;
/** Unknown command (Duo → 3). */
export const EXIT_UNKNOWN_COMMAND = 3;
/** Config file missing or unreadable (sysexits EX_NOINPUT). */
export const EXIT_NOINPUT = 66;
/** Config file invalid (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;
/** An unhandled error (uncaught exception, unhandled rejection) stopped the proxy (sysexits EX_SOFTWARE). */
export const EXIT_SOFTWARE = 70;
/** `status`: not running, but the pidfile names a dead process (LSB "dead and pid file exists"). */
export const EXIT_STATUS_STALE = 1;
/** `status`: not running, no pidfile (LSB "program is not running"). */
export const EXIT_STATUS_NOT_RUNNING = 3;
/** `status`: the pidfile cannot be read as a pid (LSB "status is unknown"). */
export const EXIT_STATUS_UNKNOWN = 4;
