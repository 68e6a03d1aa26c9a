/* io_fifo: mkfifo, opening ends (blocking rendezvous, O_NONBLOCK rules),
 * data transfer between processes, EOF. */
#include "t.h"

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *f = t_path("fifo");
	CHECK(mkfifo(f, 0644) == 0, "mkfifo");
	CHECK_ERR(mkfifo(f, 0644), EEXIST, "mkfifo existing");
	struct stat st;
	stat(f, &st);
	SAY("S_ISFIFO: %s size: %ld\n", S_ISFIFO(st.st_mode) ? "yes" : "no", (long)st.st_size);
	CHECK_ERR(open(f, O_WRONLY | O_NONBLOCK), ENXIO, "O_WRONLY|O_NONBLOCK with no reader");
	int r = open(f, O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0, "O_RDONLY|O_NONBLOCK with no writer");
	char buf[64];
	SAY("read with no writer: %ld\n", (long)read(r, buf, sizeof buf));
	int w = open(f, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0, "O_WRONLY|O_NONBLOCK with a reader");
	CHECK_ERR(read(r, buf, sizeof buf), EAGAIN, "empty fifo with writer: EAGAIN");
	write(w, "ping", 4);
	SAY("read: %ld\n", (long)read(r, buf, sizeof buf));
	close(w);
	close(r);

	/* blocking opens rendezvous between processes */
	pid_t c = fork();
	if (c == 0) {
		int wf = open(f, O_WRONLY);
		for (int i = 0; i < 100; i++) {
			char line[32];
			int n = snprintf(line, sizeof line, "msg %d\n", i);
			write(wf, line, n);
		}
		close(wf);
		_exit(0);
	}
	r = open(f, O_RDONLY);
	long total = 0, n;
	while ((n = read(r, buf, sizeof buf)) > 0) total += n;
	SAY("bytes through fifo: %ld\n", total);
	SAY("writer: %s\n", t_wait_desc(c));
	close(r);
	/* O_RDWR never blocks on Linux */
	int rw = open(f, O_RDWR);
	CHECK(rw >= 0, "O_RDWR open");
	write(rw, "x", 1);
	CHECK(read(rw, buf, 1) == 1, "read back own write");
	close(rw);
	CHECK(unlink(f) == 0, "unlink fifo");
	t_cleanup();
	return t_done();
}
