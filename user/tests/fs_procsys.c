/* fs_procsys: /proc/sys/kernel (the names uname reports, writable by root
 * only where the file says so, the IPC next_id knobs), kernel/random,
 * /proc/self/ns links and /proc/self/pagemap. The host side runs in its
 * own UTS and IPC namespaces (unshare fails harmlessly on Keel). */
#include "t.h"
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static volatile int worker_tid;
static void *worker(void *a)
{
	(void)a;
	worker_tid = (int)syscall(SYS_gettid);
	pause();
	return NULL;
}

static char state_of(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512] = {0};
	if (!f)
		return '?';
	fgets(line, sizeof line, f);
	fclose(f);
	char *r = strrchr(line, ')');
	return r && r[1] ? r[2] : '?';
}

static const char *rc(long r) { return r < 0 ? t_errname(errno) : "ok"; }

static char got[256];
static const char *readf(const char *p)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return t_errname(errno);
	long n = read(fd, got, sizeof got - 1);
	close(fd);
	got[n > 0 ? n : 0] = 0;
	if (n > 0 && got[n - 1] == '\n')
		got[n - 1] = 0;
	return strdup(got); /* several in one SAY */
}

static const char *writef(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY);
	if (fd < 0)
		return t_errname(errno);
	long n = write(fd, s, strlen(s));
	close(fd);
	if (n < 0)
		return t_errname(errno);
	static char b[32];
	snprintf(b, sizeof b, "%ld", n);
	return b;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	(void)unshare(CLONE_NEWUTS | CLONE_NEWIPC);
	struct utsname u;
	uname(&u);
	SAY("ostype: %s\n", readf("/proc/sys/kernel/ostype"));
	SAY("osrelease is uname's release: %s\n", strcmp(readf("/proc/sys/kernel/osrelease"), u.release) ? "no" : "yes");
	SAY("version is uname's version: %s\n", strcmp(readf("/proc/sys/kernel/version"), u.version) ? "no" : "yes");
	SAY("write ostype as root: %s\n", writef("/proc/sys/kernel/ostype", "x"));
	SAY("write hostname: %s\n", writef("/proc/sys/kernel/hostname", "keel-sys\n"));
	uname(&u);
	SAY("uname nodename: %s, file: %s\n", u.nodename, readf("/proc/sys/kernel/hostname"));
	SAY("write domainname: %s\n", writef("/proc/sys/kernel/domainname", "example.net"));
	uname(&u);
	SAY("uname domainname: %s, file: %s\n", u.domainname, readf("/proc/sys/kernel/domainname"));
	char longname[101];
	memset(longname, 'h', 100);
	longname[100] = 0;
	SAY("write a 100-byte hostname: %s", writef("/proc/sys/kernel/hostname", longname));
	uname(&u);
	SAY(", nodename now %zu bytes\n", strlen(u.nodename));
	sethostname("keel-sys", 8);
	SAY("after sethostname the file says: %s\n", readf("/proc/sys/kernel/hostname"));
	long v = atol(readf("/proc/sys/kernel/pid_max"));
	SAY("pid_max positive: %s\n", v > 300 ? "yes" : "no");
	SAY("ngroups_max: %s, cap_last_cap: %s\n", readf("/proc/sys/kernel/ngroups_max"), readf("/proc/sys/kernel/cap_last_cap"));
	SAY("msgmax: %s, msgmnb: %s, msgmni: %s\n", readf("/proc/sys/kernel/msgmax"), readf("/proc/sys/kernel/msgmnb"),
	    readf("/proc/sys/kernel/msgmni"));
	SAY("shmmni: %s, sem: %s\n", readf("/proc/sys/kernel/shmmni"), readf("/proc/sys/kernel/sem"));
	char a[64], b[64];
	snprintf(a, sizeof a, "%s", readf("/proc/sys/kernel/random/boot_id"));
	snprintf(b, sizeof b, "%s", readf("/proc/sys/kernel/random/boot_id"));
	SAY("boot_id: %zu chars, stable: %s\n", strlen(a), strcmp(a, b) ? "no" : "yes");
	snprintf(a, sizeof a, "%s", readf("/proc/sys/kernel/random/uuid"));
	snprintf(b, sizeof b, "%s", readf("/proc/sys/kernel/random/uuid"));
	SAY("uuid: %zu chars, version 4: %s, changes: %s\n", strlen(a), a[14] == '4' ? "yes" : "no", strcmp(a, b) ? "yes" : "no");

	/* next_id */
	SAY("msg_next_id: %s\n", readf("/proc/sys/kernel/msg_next_id"));
	SAY("set it to 98305: %s", writef("/proc/sys/kernel/msg_next_id", "98305\n"));
	SAY(", reads %s\n", readf("/proc/sys/kernel/msg_next_id"));
	int q = msgget(IPC_PRIVATE, 0600);
	SAY("msgget gets id 98305: %s, knob now %s\n", q == 98305 ? "yes" : "no", readf("/proc/sys/kernel/msg_next_id"));
	msgctl(q, IPC_RMID, NULL);
	SAY("write garbage: %s\n", writef("/proc/sys/kernel/msg_next_id", "abc"));
	SAY("write -2: %s\n", writef("/proc/sys/kernel/msg_next_id", "-2"));
	writef("/proc/sys/kernel/sem_next_id", "7");
	int s = semget(IPC_PRIVATE, 1, 0600);
	SAY("semget with sem_next_id 7: %s\n", s == 7 ? "yes" : "no");
	semctl(s, 0, IPC_RMID);
	writef("/proc/sys/kernel/shm_next_id", "65538");
	int m = shmget(IPC_PRIVATE, 4096, 0600);
	SAY("shmget with shm_next_id 65538: %s\n", m == 65538 ? "yes" : "no");
	shmctl(m, IPC_RMID, NULL);

	/* /proc/sysvipc */
	key_t key = 0x4b000000 + getpid() % 65536;
	q = msgget(key, IPC_CREAT | 0640);
	struct {
		long type;
		char t[5];
	} msg = {1, "abcde"};
	msgsnd(q, &msg, 5, 0);
	s = semget(key, 3, IPC_CREAT | 0600);
	m = shmget(key, 5000, IPC_CREAT | 0604);
	void *at = shmat(m, NULL, 0);
	((char *)at)[0] = 1;
	const char *files[] = {"/proc/sysvipc/msg", "/proc/sysvipc/sem", "/proc/sysvipc/shm"};
	int ids[] = {q, s, m};
	for (int k = 0; k < 3; k++) {
		FILE *f = fopen(files[k], "r");
		char line[512];
		if (!f || !fgets(line, sizeof line, f)) {
			SAY("%s: %s\n", files[k], t_errname(errno));
			continue;
		}
		SAY("%s header: %s", files[k], line);
		int found = 0;
		while (fgets(line, sizeof line, f)) {
			long kk, id;
			char rest[400];
			if (sscanf(line, "%ld %ld %[^\n]", &kk, &id, rest) != 3 || kk != key || id != ids[k])
				continue;
			found = 1;
			/* perms and the counts; the times and pids vary */
			unsigned perms;
			unsigned long a, b, c2, d2;
			if (k == 0 && sscanf(rest, "%o %lu %lu", &perms, &a, &b) == 3)
				SAY("  our queue: perms %o cbytes %lu qnum %lu, key and id columns at %d and %d\n", perms, a, b,
				    (int)(strstr(line, "  ") ? 10 : 0), 21);
			if (k == 1 && sscanf(rest, "%o %lu %lu %lu", &perms, &a, &b, &c2) == 4)
				SAY("  our set: perms %o nsems %lu uid %lu gid %lu\n", perms, a, b, c2);
			if (k == 2 && sscanf(rest, "%o %lu %*u %*u %lu %lu %lu", &perms, &a, &b, &c2, &d2) == 5)
				SAY("  our segment: perms %o size %lu nattch %lu uid %lu gid %lu\n", perms, a, b, c2, d2);
			SAY("  line length %zu\n", strlen(line));
		}
		SAY("  found ours: %s\n", found ? "yes" : "no");
		fclose(f);
	}
	shmdt(at);
	shmctl(m, IPC_RMID, NULL);
	semctl(s, 0, IPC_RMID);
	msgctl(q, IPC_RMID, NULL);

	pid_t c = fork();
	if (c == 0) {
		setuid(1000);
		SAY("user writes hostname: %s\n", writef("/proc/sys/kernel/hostname", "u"));
		SAY("user reads hostname: %s\n", readf("/proc/sys/kernel/hostname"));
		_exit(0);
	}
	waitpid(c, NULL, 0);

	/* /proc/self/ns */
	const char *kinds[] = {"ipc", "mnt", "net", "pid", "pid_for_children", "user", "uts", "cgroup", "time"};
	for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		char p[64], l[64] = {0};
		snprintf(p, sizeof p, "/proc/self/ns/%s", kinds[i]);
		long n = readlink(p, l, sizeof l - 1);
		char *br = strchr(l, '[');
		SAY("ns/%s: %s, form %.*s[N]\n", kinds[i], rc(n), br ? (int)(br - l) : 0, l);
	}

	/* /proc/self/task */
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	while (!worker_tid)
		sched_yield();
	usleep(50000);
	DIR *dd = opendir("/proc/self/task");
	int ntask = 0, has_main = 0, has_worker = 0;
	struct dirent *de;
	while (dd && (de = readdir(dd))) {
		if (de->d_name[0] == '.')
			continue;
		ntask++;
		has_main |= atoi(de->d_name) == getpid();
		has_worker |= atoi(de->d_name) == worker_tid;
	}
	if (dd)
		closedir(dd);
	SAY("task entries: %d, main: %s, worker: %s\n", ntask, has_main ? "yes" : "no", has_worker ? "yes" : "no");
	char tp[64];
	snprintf(tp, sizeof tp, "/proc/self/task/%d/stat", worker_tid);
	SAY("worker state: %c\n", state_of(tp));
	snprintf(tp, sizeof tp, "/proc/self/task/%d/stat", getpid());
	SAY("main thread state: %c\n", state_of(tp));
	snprintf(tp, sizeof tp, "/proc/self/task/%d/status", worker_tid);
	FILE *sf = fopen(tp, "r");
	char line[128];
	int tgid = 0, tpid = 0;
	while (sf && fgets(line, sizeof line, sf)) {
		if (!strncmp(line, "Tgid:", 5))
			tgid = atoi(line + 5);
		if (!strncmp(line, "Pid:", 4))
			tpid = atoi(line + 4);
	}
	if (sf)
		fclose(sf);
	SAY("worker status: Tgid is the process: %s, Pid is the thread: %s\n", tgid == getpid() ? "yes" : "no",
	    tpid == worker_tid ? "yes" : "no");
	snprintf(tp, sizeof tp, "/proc/self/task/%d/comm", worker_tid);
	SAY("worker comm readable: %s\n", access(tp, R_OK) == 0 ? "yes" : "no");
	SAY("task/999999: %s\n", access("/proc/self/task/999999", F_OK) == 0 ? "exists" : t_errname(errno));

	/* magic links lead to the object, not to its name */
	int mfd = (int)syscall(319, "magic", 0);
	write(mfd, "memfd!", 6);
	char path[64], mb[16] = {0};
	snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
	int again = open(path, O_RDWR);
	SAY("reopen a memfd through /proc/self/fd: %s", again >= 0 ? "ok" : t_errname(errno));
	pread(again, mb, 6, 0);
	SAY(", reads '%s'\n", mb);
	int cfd = open(path, O_RDWR | O_CREAT, 0600);
	SAY("O_CREAT through the link: %s\n", cfd >= 0 ? "ok" : t_errname(errno));
	int dfd = open("/tmp/keel-procsys-deleted", O_CREAT | O_RDWR, 0600);
	write(dfd, "gone", 4);
	unlink("/tmp/keel-procsys-deleted");
	snprintf(path, sizeof path, "/proc/self/fd/%d", dfd);
	int dfd2 = open(path, O_RDONLY);
	memset(mb, 0, sizeof mb);
	read(dfd2, mb, 4);
	SAY("reopen a deleted file: %s, reads '%s'\n", dfd2 >= 0 ? "ok" : t_errname(errno), mb);
	mkdir("/tmp/keel-procsys-priv", 0700);
	chdir("/tmp/keel-procsys-priv");
	close(open("inside", O_CREAT | O_WRONLY, 0644));
	SAY("/proc/self/cwd/inside: %s\n", access("/proc/self/cwd/inside", F_OK) ? t_errname(errno) : "ok");
	pid_t me = getpid();
	c = fork();
	if (c == 0) {
		setuid(1000);
		char p2[64];
		snprintf(p2, sizeof p2, "/proc/%d/cwd/inside", me);
		SAY("user: root's /proc/<pid>/cwd/inside: %s\n", access(p2, F_OK) ? t_errname(errno) : "ok");
		snprintf(p2, sizeof p2, "/proc/%d/root/tmp", me);
		SAY("user: root's /proc/<pid>/root/tmp: %s\n", access(p2, F_OK) ? t_errname(errno) : "ok");
		_exit(0);
	}
	waitpid(c, NULL, 0);
	unlink("inside");
	chdir("/");
	rmdir("/tmp/keel-procsys-priv");

	/* pagemap */
	char *pg = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pg[0] = 1;
	munmap(pg + 2 * 4096, 4096);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e[3] = {0};
	long n = pread(fd, e, sizeof e, (long)((uintptr_t)pg / 4096 * 8));
	SAY("pagemap read: %ld bytes\n", n);
	SAY("touched page: present %d, exclusive %d, file %d, pfn %s\n", (int)(e[0] >> 63), (int)(e[0] >> 56 & 1),
	    (int)(e[0] >> 61 & 1), (e[0] & ((1ULL << 55) - 1)) ? "set" : "zero");
	SAY("untouched page: %llx, unmapped page: %llx\n", (unsigned long long)e[1], (unsigned long long)e[2]);
	SAY("unaligned offset: %s\n", rc(pread(fd, e, 8, 3)));
	SAY("unaligned length: %s\n", rc(pread(fd, e, 5, 0)));
	return t_done();
}
