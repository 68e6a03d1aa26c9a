/*
 * user/bench/ext2b.h - shared by the bench_ext2_*.c benchmarks: an ext2
 * file system on /dev/vdb (made by mke2fs on the host, the same image for
 * both kernels; Linux mounts it with its ext4 driver), mounted at /mnt,
 * and a 64 MiB file on it.  "Cold" runs unmount and mount again first,
 * which drops the file system's cached pages on both kernels.  User space.
 */
#ifndef KEEL_BENCH_EXT2B_H
#define KEEL_BENCH_EXT2B_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bench.h"

#define E2_FILE_SIZE (64L << 20)
#define E2_CHUNK (1 << 20)
#define E2_PATH "/mnt/bench64"

static char e2_buf[E2_CHUNK] __attribute__((aligned(4096)));
static uint64_t e2_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t e2_rand(void)
{
	e2_rng ^= e2_rng << 13;
	e2_rng ^= e2_rng >> 7;
	e2_rng ^= e2_rng << 17;
	return e2_rng;
}

static int e2_mount(void)
{
	mkdir("/mnt", 0755);
	return mount("/dev/vdb", "/mnt", "ext2", 0, 0);
}

static int e2_remount(void)
{
	if (umount("/mnt") != 0)
		return -1;
	return e2_mount();
}

/* Write the 64 MiB file (not cached afterwards: the remount drops it). */
static int e2_make_file(void)
{
	for (int i = 0; i < E2_CHUNK; i++)
		e2_buf[i] = (char)(i * 7 + (i >> 12));
	int fd = open(E2_PATH, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (long done = 0; done < E2_FILE_SIZE; done += E2_CHUNK)
		if (write(fd, e2_buf, E2_CHUNK) != E2_CHUNK)
			return -1;
	if (fsync(fd) != 0 || close(fd) != 0)
		return -1;
	return e2_remount();
}

static int e2_read_all(void)
{
	int fd = open(E2_PATH, O_RDONLY);
	if (fd < 0)
		return -1;
	for (long done = 0; done < E2_FILE_SIZE;) {
		ssize_t r = read(fd, e2_buf, E2_CHUNK);
		if (r <= 0)
			return -1;
		done += r;
	}
	return close(fd);
}

static int e2_setup_file(void) { return e2_mount() == 0 && e2_make_file() == 0 ? 0 : -1; }
static int e2_setup_cached(void) { return e2_setup_file() == 0 && e2_read_all() == 0 ? 0 : -1; }
static void e2_teardown(void) { umount("/mnt"); }

/* n 4 KiB preads or pwrites at random 4 KiB-aligned offsets of the file. */
static int e2_random_io(long n, int write_)
{
	int fd = open(E2_PATH, write_ ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return -1;
	for (long i = 0; i < n; i++) {
		off_t off = (off_t)(e2_rand() % (E2_FILE_SIZE / 4096)) * 4096;
		ssize_t r = write_ ? pwrite(fd, e2_buf, 4096, off) : pread(fd, e2_buf, 4096, off);
		if (r != 4096)
			return -1;
	}
	if (write_ && fsync(fd) != 0)
		return -1;
	return close(fd);
}

#endif
