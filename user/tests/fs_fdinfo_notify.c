/* fs_fdinfo_notify: /proc/self/fdinfo/<fd>: the position and flags (in
 * octal, with O_CLOEXEC) of a regular file and of an inotify descriptor,
 * the "inotify wd:... ino:... sdev:... mask:... ignored_mask:..." line of
 * each watch, and fanotify's "fanotify flags:... event-flags:..." header
 * with one line per inode or file-system mark. Inode numbers and devices
 * are checked against stat, not printed. */
#include "t.h"
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static struct stat st_dir, st_f;

static const char *which(unsigned long ino, unsigned int sdev)
{
	unsigned int want = (major(st_dir.st_dev) << 20) | minor(st_dir.st_dev);
	if (sdev != want)
		return "wrong device";
	return ino == st_dir.st_ino ? "dir" : ino == st_f.st_ino ? "f" : "other";
}

static void show(int fd, const char *what)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	FILE *fp = fopen(path, "r");
	SAY("%s:\n", what);
	if (!fp) {
		SAY("  %s\n", t_errname(errno));
		return;
	}
	while (fgets(line, sizeof line, fp)) {
		unsigned int wd, sdev, mask, ign, mflags, fl, efl;
		unsigned long ino;
		if (!strncmp(line, "pos:", 4) || !strncmp(line, "flags:", 6)) {
			SAY("  %s", line);
		} else if (sscanf(line, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%x", &wd, &ino, &sdev, &mask,
				  &ign) == 5) {
			SAY("  inotify wd %u on %s mask %#x ignored %#x\n", wd, which(ino, sdev), mask, ign);
		} else if (sscanf(line, "fanotify flags:%x event-flags:%x", &fl, &efl) == 2) {
			SAY("  fanotify flags %#x event-flags %#x\n", fl, efl);
		} else if (sscanf(line, "fanotify ino:%lx sdev:%x mflags:%x mask:%x ignored_mask:%x", &ino, &sdev, &mflags,
				  &mask, &ign) == 5) {
			SAY("  fanotify inode mark on %s mflags %#x mask %#x ignored %#x\n", which(ino, sdev), mflags, mask, ign);
		} else if (sscanf(line, "fanotify sdev:%x mflags:%x mask:%x ignored_mask:%x", &sdev, &mflags, &mask, &ign) == 4) {
			SAY("  fanotify filesystem mark %s mflags %#x mask %#x ignored %#x\n",
			    which(st_dir.st_ino, sdev), mflags, mask, ign);
		}
	}
	fclose(fp);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *f = t_path("f");
	int rf = open(f, O_CREAT | O_RDWR | O_APPEND, 0644);
	write(rf, "hello", 5);
	lseek(rf, 3, SEEK_SET);
	stat(t_dir, &st_dir);
	stat(f, &st_f);
	show(rf, "a regular file at 3, O_RDWR|O_APPEND");
	fcntl(rf, F_SETFD, FD_CLOEXEC);
	show(rf, "the same, close-on-exec");
	SAY("a descriptor that is not open: %s\n", access("/proc/self/fdinfo/99", F_OK) ? t_errname(errno) : "there");

	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	show(in, "inotify, no watch");
	inotify_add_watch(in, t_dir, IN_MODIFY | IN_ONESHOT);
	inotify_add_watch(in, f, IN_ATTRIB | IN_CLOSE_WRITE | IN_EXCL_UNLINK);
	show(in, "inotify, two watches");

	int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY);
	fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN | FAN_CLOSE_WRITE, AT_FDCWD, f);
	fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY, FAN_ACCESS, AT_FDCWD, f);
	fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_MODIFY, AT_FDCWD, t_dir);
	show(fan, "fanotify, an inode and a file-system mark");
	return t_done();
}
