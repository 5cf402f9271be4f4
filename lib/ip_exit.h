/* ip_exit.h — the one set of exit codes every IntegPlan command uses.
 *
 * Layer: base. */
#ifndef IP_EXIT_H
#define IP_EXIT_H

enum ip_exit {
	IP_EXIT_OK = 0,        /* success */
	IP_EXIT_PROBLEMS = 1,  /* a check found problems */
	IP_EXIT_USAGE = 64,    /* wrong options or operands */
	IP_EXIT_DATAERR = 65,  /* input could not be read as a case */
	IP_EXIT_NOINPUT = 66,  /* an input file or the repository is missing */
	IP_EXIT_SOFTWARE = 70, /* internal error, out of memory */
	IP_EXIT_CANTCREAT = 73,/* an output file cannot be created */
	IP_EXIT_IOERR = 74,    /* reading or writing failed */
	IP_EXIT_BUSY = 75,     /* a case is locked by another process */
	IP_EXIT_NOPERM = 77,   /* no consent, or no permission */
};

/* The status to exit with when two outcomes combine: the graver one wins,
 * and any error is graver than "problems found". */
static inline int ip_exit_merge(int a, int b)
{
	return a > b ? a : b;
}

#endif
