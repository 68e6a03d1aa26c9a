/* ipc_shm: System V shared memory (shmget(2), shmat(2), shmdt(2),
 * shmctl(2)): key rules, frames shared across fork and across separate
 * attaches, attach counts, read-only and fixed-address attaches,
 * IPC_STAT/IPC_SET/IPC_RMID, removal while attached, permissions for
 * another user, and the errors each call documents. */
#include "t.h"
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

/* Keys are system-wide: derive them from the pid so concurrent runs (the
 * musl and glibc builds, other checkouts) never share one. */
static key_t key_base; /* set once in main; children inherit it */
#define KEY key_base

static unsigned long nattch(int id)
{
	struct shmid_ds ds;
	return shmctl(id, IPC_STAT, &ds) == 0 ? (unsigned long)ds.shm_nattch : 9999;
}

static const char *rc(long r) { return r == -1 ? t_errname(errno) : "ok"; }

static void keys(void)
{
	shmctl(shmget(KEY, 0, 0), IPC_RMID, NULL); /* a leftover from a killed run */
	CHECK_ERR(shmget(KEY, 4096, 0600), ENOENT, "get a missing key without IPC_CREAT");
	int id = shmget(KEY, 10000, IPC_CREAT | 0640);
	CHECK(id >= 0, "create by key");
	CHECK(shmget(KEY, 0, 0) == id, "look the key up again (size 0)");
	CHECK(shmget(KEY, 10000, IPC_CREAT) == id, "IPC_CREAT finds the existing one");
	CHECK_ERR(shmget(KEY, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST, "IPC_CREAT|IPC_EXCL on an existing key");
	CHECK_ERR(shmget(KEY, 20000, 0), EINVAL, "bigger than the existing segment");
	CHECK_ERR(shmget(IPC_PRIVATE, 0, 0600), EINVAL, "create with size 0");
	CHECK_ERR(shmget(IPC_PRIVATE, (size_t)-1, 0600), EINVAL, "create with size SIZE_MAX");
	int p1 = shmget(IPC_PRIVATE, 4096, 0600), p2 = shmget(IPC_PRIVATE, 4096, 0600);
	CHECK(p1 >= 0 && p2 >= 0 && p1 != p2 && p1 != id, "IPC_PRIVATE always creates");
	struct shmid_ds ds;
	CHECK(shmctl(id, IPC_STAT, &ds) == 0, "IPC_STAT");
	SAY("segsz %zu mode %o key ok %s cpid is me %s uid %u cuid %u nattch %lu atime %s\n", ds.shm_segsz,
	    ds.shm_perm.mode, ds.shm_perm.__key == KEY ? "yes" : "no", ds.shm_cpid == getpid() ? "yes" : "no",
	    ds.shm_perm.uid, ds.shm_perm.cuid, (unsigned long)ds.shm_nattch, ds.shm_atime ? "set" : "0");
	shmctl(p1, IPC_RMID, NULL);
	shmctl(p2, IPC_RMID, NULL);
	CHECK(shmctl(id, IPC_RMID, NULL) == 0, "IPC_RMID");
	CHECK_ERR(shmget(KEY, 0, 0), ENOENT, "key gone after IPC_RMID");
	CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL, "IPC_STAT on a removed id");
}

static void sharing(void)
{
	int id = shmget(IPC_PRIVATE, 3 * 4096 + 100, 0600);
	char *a = shmat(id, NULL, 0);
	CHECK(a != (void *)-1, "attach");
	SAY("nattch after one attach: %lu\n", nattch(id));
	char *b = shmat(id, NULL, 0);
	CHECK(b != (void *)-1 && b != a, "second attach elsewhere");
	SAY("nattch after two: %lu\n", nattch(id));
	strcpy(a + 3 * 4096 + 10, "through a");
	SAY("b sees a's write in the last page: %s\n", b + 3 * 4096 + 10);
	pid_t c = fork();
	if (c == 0) {
		SAY("child inherits attaches: nattch %lu\n", nattch(id));
		char *x = shmat(id, NULL, SHM_RDONLY);
		SAY("child reads its own attach: %s\n", x + 3 * 4096 + 10);
		strcpy(a, "child wrote via the inherited attach");
		_exit(0);
	}
	waitpid(c, NULL, 0);
	SAY("parent sees: %s\n", b);
	SAY("nattch after the child exited: %lu\n", nattch(id));
	struct shmid_ds ds;
	shmctl(id, IPC_STAT, &ds);
	SAY("lpid is the child: %s, atime set: %s\n", ds.shm_lpid == c ? "yes" : "no", ds.shm_atime ? "yes" : "no");
	CHECK(shmdt(b) == 0, "shmdt");
	SAY("nattch after shmdt: %lu\n", nattch(id));
	CHECK_ERR(shmdt(b), EINVAL, "shmdt twice");
	CHECK_ERR(shmdt(a + 1), EINVAL, "shmdt unaligned");
	CHECK_ERR(shmdt(a + 4096), EINVAL, "shmdt inside the segment");
	shmctl(id, IPC_STAT, &ds);
	SAY("lpid is me after shmdt: %s, dtime set: %s\n", ds.shm_lpid == getpid() ? "yes" : "no",
	    ds.shm_dtime ? "yes" : "no");

	/* removal while attached: the id stays valid until the last detach */
	CHECK(shmctl(id, IPC_RMID, NULL) == 0, "IPC_RMID while attached");
	CHECK(shmctl(id, IPC_STAT, &ds) == 0, "IPC_STAT still works");
	SAY("mode has SHM_DEST: %s, key now %d\n", (ds.shm_perm.mode & SHM_DEST) ? "yes" : "no", ds.shm_perm.__key);
	SAY("memory still usable: %s\n", a);
	char *again = shmat(id, NULL, 0);
	SAY("attach a removed segment: %s\n", again != (void *)-1 ? "ok" : t_errname(errno));
	if (again != (void *)-1)
		shmdt(again);
	CHECK(shmdt(a) == 0, "last shmdt");
	CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL, "gone after the last detach");
	CHECK_ERR(shmat(id, NULL, 0), EINVAL, "attach after it is gone");
}

static void placement(void)
{
	int id = shmget(IPC_PRIVATE, 8192, 0600);
	char *where = mmap(NULL, 4 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(where, 4 * 4096);
	CHECK_ERR(shmat(id, where + 1, 0), EINVAL, "unaligned address without SHM_RND");
	char *r = shmat(id, where + 100, SHM_RND);
	CHECK(r == where, "SHM_RND rounds down");
	CHECK_ERR(shmat(id, where, 0), EINVAL, "over an existing mapping without SHM_REMAP");
	char *r2 = shmat(id, where, SHM_REMAP);
	CHECK(r2 == where, "SHM_REMAP replaces it");
	SAY("nattch: %lu\n", nattch(id));
	shmdt(r2);
	CHECK_ERR(shmat(id, (void *)100, SHM_RND | SHM_REMAP), EINVAL, "SHM_RND to address 0 with SHM_REMAP");
	char *ro = shmat(id, NULL, SHM_RDONLY);
	pid_t c = fork();
	if (c == 0) {
		signal(SIGSEGV, SIG_DFL);
		ro[0] = 1;
		_exit(0);
	}
	SAY("write to a SHM_RDONLY attach: %s\n", t_wait_desc(c));
	shmdt(ro);
	CHECK_ERR(shmat(-1, NULL, 0), EINVAL, "shmat id -1");
	CHECK_ERR(shmat(id + 32768, NULL, 0), EINVAL, "shmat stale sequence");
	shmctl(id, IPC_RMID, NULL);
}

static void ctl(void)
{
	int id = shmget(IPC_PRIVATE, 4096, 0600);
	struct shmid_ds ds;
	CHECK_ERR(shmctl(id, 1234, &ds), EINVAL, "bad command");
	CHECK_ERR(shmctl(-1, IPC_STAT, &ds), EINVAL, "bad id");
	CHECK_ERR(shmctl(id, IPC_STAT, (void *)8), EFAULT, "IPC_STAT bad pointer");
	CHECK_ERR(shmctl(id, IPC_SET, (void *)8), EFAULT, "IPC_SET bad pointer");
	shmctl(id, IPC_STAT, &ds);
	ds.shm_perm.mode = 0644 | 01000; /* only the permission bits change */
	ds.shm_perm.uid = 1000;
	CHECK(shmctl(id, IPC_SET, &ds) == 0, "IPC_SET");
	shmctl(id, IPC_STAT, &ds);
	SAY("after IPC_SET: mode %o uid %u cuid %u\n", ds.shm_perm.mode, ds.shm_perm.uid, ds.shm_perm.cuid);
	struct shminfo info;
	int hi = shmctl(0, IPC_INFO, (struct shmid_ds *)&info);
	SAY("IPC_INFO: returns index %s, shmmni %lu shmmin %lu shmmax big %s\n", hi >= 0 ? "yes" : "no",
	    info.shmmni, info.shmmin, info.shmmax > (1UL << 40) ? "yes" : "no");
	struct shm_info si;
	CHECK(shmctl(0, SHM_INFO, (struct shmid_ds *)&si) >= 0 && si.used_ids >= 1, "SHM_INFO counts it");
	int sid = shmctl(id % 32768, SHM_STAT, &ds);
	SAY("SHM_STAT by index gives the id: %s\n", sid == id ? "yes" : rc(sid));
	CHECK_ERR(shmctl(32767, SHM_STAT, &ds), EINVAL, "SHM_STAT unused index");
	CHECK(shmctl(id, SHM_LOCK, NULL) == 0, "SHM_LOCK");
	shmctl(id, IPC_STAT, &ds);
	SAY("locked mode bit: %s\n", (ds.shm_perm.mode & SHM_LOCKED) ? "yes" : "no");
	CHECK(shmctl(id, SHM_UNLOCK, NULL) == 0, "SHM_UNLOCK");
	shmctl(id, IPC_RMID, NULL);
}

static void other_user(void)
{
	int id = shmget(IPC_PRIVATE, 4096, 0600);
	int shared = shmget(IPC_PRIVATE, 4096, 0644);
	int key = shmget(KEY + 1, 4096, IPC_CREAT | 0600);
	pid_t c = fork();
	if (c == 0) {
		setgid(1000);
		setuid(1000);
		struct shmid_ds ds;
		SAY("user attaches a 0600 root segment: %s\n", rc((long)shmat(id, NULL, 0)));
		SAY("user IPC_STAT on it: %s\n", rc(shmctl(id, IPC_STAT, &ds)));
		SAY("user IPC_RMID on it: %s\n", rc(shmctl(id, IPC_RMID, NULL)));
		SAY("user IPC_SET on it: %s\n", rc(shmctl(id, IPC_SET, &ds)));
		SAY("user SHM_LOCK on it: %s\n", rc(shmctl(id, SHM_LOCK, NULL)));
		SAY("user attaches 0644 read-only: %s\n", rc((long)shmat(shared, NULL, SHM_RDONLY)));
		SAY("user attaches 0644 read-write: %s\n", rc((long)shmat(shared, NULL, 0)));
		SAY("user shmget of a 0600 key asking for nothing: %s\n", shmget(KEY + 1, 0, 0) == key ? "ok" : "no");
		SAY("user shmget of a 0600 key asking 0400: %s\n", rc(shmget(KEY + 1, 0, 0400)));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	shmctl(shared, IPC_RMID, NULL);
	shmctl(key, IPC_RMID, NULL);
}

static void big_lazy(void)
{
	/* 256 MiB: pages come on first touch */
	int id = shmget(IPC_PRIVATE, 256UL << 20, 0600);
	char *a = shmat(id, NULL, 0);
	CHECK(a != (void *)-1, "attach 256 MiB");
	a[0] = 'x';
	a[(256UL << 20) - 1] = 'y';
	SAY("touched both ends: %c%c\n", a[0], a[(256UL << 20) - 1]);
	shmdt(a);
	shmctl(id, IPC_RMID, NULL);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	key_base = (key_t)(0x4b450000 + getpid() * 4);
	keys();
	sharing();
	placement();
	ctl();
	other_user();
	big_lazy();
	return t_done();
}
