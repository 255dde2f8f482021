/*
 * fault_cost: what one page fault costs this machine, the unit in which a
 * short-lived CGI pays for every page it touches. Maps FILE (a file in the
 * page cache, e.g. libc) and touches one byte per 64 KiB, the kernel's
 * fault-around window, so every touch is one fault; then writes one byte
 * per page of fresh anonymous memory (one fault and one zeroed page
 * each). The least of five rounds: preemption only ever adds time.
 *
 *   fault_cost FILE    prints "file_us <per fault>" and "anon_us <per fault>"
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "now.h"

#define ANON_PAGES	256


int
main(int argc, char **argv)
{
	double file_us = -1, anon_us = -1, t0, t;
	volatile char *p;
	struct stat st;
	size_t len, i, nfile = 0;
	long page = sysconf(_SC_PAGESIZE);
	unsigned sum = 0;
	char c;
	int fd, round;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) == -1 ||
	    fstat(fd, &st) == -1 || st.st_size < 65536 || page <= 0) {
		fprintf(stderr, "usage: fault_cost FILE (64 KiB or more)\n");
		return 2;
	}
	len = (size_t)st.st_size;
	for (round = 0; round < 5; round++) {
		p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return 1;
		for (i = 0; i < len; i += 4096)	/* into the page cache */
			if (pread(fd, &c, 1, (off_t)i) == 1)
				sum += (unsigned char)c;
		t0 = (now_ms() * 1e3);
		for (i = 0, nfile = 0; i < len; i += 65536, nfile++)
			sum += (unsigned char)p[i];
		t = ((now_ms() * 1e3) - t0) / (double)nfile;
		if (file_us < 0 || t < file_us)
			file_us = t;
		munmap((void *)p, len);

		p = mmap(NULL, ANON_PAGES * (size_t)page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		t0 = (now_ms() * 1e3);
		for (i = 0; i < ANON_PAGES; i++)
			p[i * (size_t)page] = 1;
		t = ((now_ms() * 1e3) - t0) / ANON_PAGES;
		if (anon_us < 0 || t < anon_us)
			anon_us = t;
		munmap((void *)p, ANON_PAGES * (size_t)page);
	}
	printf("file_us %.2f\nanon_us %.2f\n", file_us, anon_us);
	return sum == 0xffffffffU;	/* keeps the reads */
}
