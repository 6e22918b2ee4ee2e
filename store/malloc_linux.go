//go:build linux && cgo

package store

// SQLite allocates on whichever thread runs a statement, and glibc gives
// each thread that allocates an arena of its own (up to eight per core),
// keeping there what SQLite frees for that thread's later use. A server
// that read a whole workspace from several connections at once held 20 MB
// of such freed memory: a manager's digest of 10,000 accounts right after
// `health all` peaked at 131 MB with it, 111 MB with one arena (kamload
// -workspace), and /kam log took no more CPU. SQLite serializes its
// allocations behind its own mutex anyway, so one arena adds no waiting.
//
// The setting is made by a C constructor, as the program loads: the Go
// runtime's threads have allocated by the time any Go init runs, and an
// arena a thread has is its own for good. MALLOC_ARENA_MAX set by the
// operator wins. musl, which the container image uses, has one heap.

/*
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

__attribute__((constructor)) static void kambot_one_malloc_arena(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
	const char *set = getenv("MALLOC_ARENA_MAX");
	if (set == NULL || *set == '\0') mallopt(M_ARENA_MAX, 1);
#endif
}

// The number of arenas glibc's malloc_info reports; -1 where unknown.
static int kambot_malloc_arenas(void) {
#ifdef __GLIBC__
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (f == NULL) return -1;
	malloc_info(0, f);
	fclose(f);
	int n = 0;
	for (char *p = buf; (p = strstr(p, "<heap nr=")) != NULL; p++) n++;
	free(buf);
	return n;
#else
	return -1;
#endif
}
*/
import "C"

// mallocArenas is the number of malloc arenas in use, -1 where the C
// library does not say.
func mallocArenas() int { return int(C.kambot_malloc_arenas()) }
