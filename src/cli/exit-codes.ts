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
 * |   78 | EXIT_CONFIG          | the config file has errors (EX_CONFIG); every error on stderr    |
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
