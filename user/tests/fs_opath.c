/* fs_opath: what an O_PATH descriptor may and may not do. Linux resolves
 * most descriptors with fdget(), which refuses O_PATH ones (EBADF); a few
 * calls (close, dup, fcntl's descriptor commands, fstat, fchdir, the *at
 * directory argument, fstatfs, readlinkat with an empty path, linkat
 * AT_EMPTY_PATH) take them. */
#include "t.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>

static const char *rc(long r) { return r < 0 ? t_errname(errno) : "ok"; }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *p = t_path("f");
	int w = open(p, O_CREAT | O_RDWR, 0644);
	write(w, "hello", 5);
	int f = open(p, O_PATH);
	int d = open(t_dir, O_PATH | O_DIRECTORY);
	char b[16];
	SAY("read: %s, write: %s\n", rc(read(f, b, 1)), rc(write(f, "x", 1)));
	SAY("pread: %s, pwrite: %s\n", rc(pread(f, b, 1, 0)), rc(pwrite(f, "x", 1, 0)));
	struct iovec iv = {b, 1};
	SAY("readv: %s, writev: %s\n", rc(readv(f, &iv, 1)), rc(writev(f, &iv, 1)));
	SAY("lseek: %s\n", rc(lseek(f, 0, SEEK_SET)));
	SAY("ioctl FIONREAD: %s\n", rc(ioctl(f, FIONREAD, b)));
	SAY("mmap: %s\n", mmap(NULL, 4096, PROT_READ, MAP_SHARED, f, 0) == MAP_FAILED ? t_errname(errno) : "ok");
	SAY("fsync: %s, fdatasync: %s\n", rc(fsync(f)), rc(fdatasync(f)));
	SAY("ftruncate: %s\n", rc(ftruncate(f, 0)));
	SAY("fchmod: %s, fchown: %s\n", rc(fchmod(f, 0600)), rc(fchown(f, 0, 0)));
	SAY("flock: %s\n", rc(flock(f, LOCK_SH)));
	struct flock fl = {.l_type = F_RDLCK};
	SAY("fcntl F_SETLK: %s, F_GETLK: %s\n", rc(fcntl(f, F_SETLK, &fl)), rc(fcntl(f, F_GETLK, &fl)));
	SAY("fcntl F_GETFL has O_PATH: %s\n", (fcntl(f, F_GETFL) & O_PATH) ? "yes" : "no");
	SAY("fcntl F_SETFD: %s, F_GETFD: %s\n", rc(fcntl(f, F_SETFD, FD_CLOEXEC)), rc(fcntl(f, F_GETFD)));
	SAY("fcntl F_SETFL O_NONBLOCK: %s\n", rc(fcntl(f, F_SETFL, O_NONBLOCK)));
	SAY("fcntl F_DUPFD: %s\n", rc(fcntl(f, F_DUPFD, 0)));
	SAY("fcntl F_SETOWN: %s\n", rc(fcntl(f, F_SETOWN, getpid())));
	SAY("fcntl F_GETPIPE_SZ: %s\n", rc(fcntl(f, F_GETPIPE_SZ)));
	SAY("dup: %s, dup3: %s\n", rc(dup(f)), rc(dup3(f, 50, 0)));
	struct stat st;
	SAY("fstat: %s", rc(fstat(f, &st)));
	SAY(", size %lld\n", (long long)st.st_size);
	SAY("fstatat AT_EMPTY_PATH: %s\n", rc(fstatat(f, "", &st, AT_EMPTY_PATH)));
	struct statfs sfs;
	SAY("fstatfs: %s\n", rc(fstatfs(f, &sfs)));
	SAY("fchdir to a dir O_PATH: %s\n", rc(fchdir(d)));
	chdir("/");
	SAY("openat relative to a dir O_PATH: %s\n", rc(openat(d, "f", O_RDONLY)));
	SAY("getdents on a dir O_PATH: %s\n", rc(syscall(SYS_getdents64, d, b, sizeof b)));
	SAY("fgetxattr: %s\n", rc(fgetxattr(f, "user.x", b, sizeof b)));
	SAY("fadvise: %d\n", posix_fadvise(f, 0, 0, POSIX_FADV_NORMAL));
	SAY("fallocate: %s\n", rc(fallocate(f, 0, 0, 10)));
	SAY("sendfile from: %s\n", rc(sendfile(w, f, NULL, 1)));
	SAY("sendfile to: %s\n", rc(sendfile(f, w, NULL, 1)));
	SAY("futimens: %s\n", rc(futimens(f, NULL)));
	SAY("fchmodat AT_EMPTY_PATH: %s\n", rc(fchmodat(f, "", 0600, AT_EMPTY_PATH)));
	SAY("fchownat AT_EMPTY_PATH: %s\n", rc(fchownat(f, "", 0, 0, AT_EMPTY_PATH)));
	SAY("linkat AT_EMPTY_PATH: %s\n", rc(linkat(f, "", AT_FDCWD, t_path("g"), AT_EMPTY_PATH)));
	int ep = epoll_create1(0);
	struct epoll_event ev = {EPOLLIN, {0}};
	SAY("epoll_ctl add: %s\n", rc(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev)));
	SAY("epoll_ctl on an O_PATH epfd: %s\n", rc(epoll_ctl(f, EPOLL_CTL_ADD, w, &ev)));
	struct pollfd pf = {f, POLLIN, 0};
	int n = poll(&pf, 1, 0);
	SAY("poll: %d, revents %#x\n", n, pf.revents);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(f, &rs);
	struct timeval tv = {0, 0};
	SAY("select: %s\n", rc(select(f + 1, &rs, NULL, NULL, &tv)));
	SAY("syncfs: %s\n", rc(syncfs(f)));
	SAY("close: %s\n", rc(close(f)));
	t_cleanup();
	return t_done();
}
