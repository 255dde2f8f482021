/*
 * hello: the baseline CGI of `make bench`. It does what every CGI must
 * (a process spawn, the dynamic loader, libc start-up, one answer) and
 * nothing else, so afp.cgi's throughput divided by its own is the share
 * of a CGI's inherent cost that afp keeps.
 */
#include <stdio.h>

int
main(void)
{
	static const char answer[] =
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n"
	    "\r\n"
	    "{\"status\": \"200\", \"message\": \"hello, world\"}\n";

	if (fwrite(answer, 1, sizeof(answer) - 1, stdout) != sizeof(answer) - 1 ||
	    fflush(stdout) != 0)
		return 1;
	return 0;
}
