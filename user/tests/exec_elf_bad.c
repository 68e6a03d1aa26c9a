/* exec_elf_bad: hostile ELF images given to execve must fail cleanly (an
 * errno, or at worst the new process dies by a signal), never crash the
 * kernel. A well-formed hand-made image runs, to show the builder is
 * right. Cases where Linux gives a definite errno print it; cases where
 * Linux is past its point of no return and kills the process print only
 * "rejected" (Keel refuses earlier, with ENOEXEC). */
#include "t.h"
#include <elf.h>

static unsigned char img[8192];

/* A minimal static x86-64 executable at 0x400000 that exits with 7. */
static size_t build(Elf64_Ehdr **ehp, Elf64_Phdr **php)
{
	static const unsigned char code[] = {
		0xbf, 0x07, 0, 0, 0,    /* mov $7, %edi */
		0xb8, 0x3c, 0, 0, 0,    /* mov $60, %eax (exit) */
		0x0f, 0x05,             /* syscall */
	};
	memset(img, 0, sizeof img);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof *eh);
	size_t codeoff = sizeof *eh + 2 * sizeof *ph;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x400000 + codeoff;
	eh->e_phoff = sizeof *eh;
	eh->e_ehsize = sizeof *eh;
	eh->e_phentsize = sizeof *ph;
	eh->e_phnum = 1;
	ph[0].p_type = PT_LOAD;
	ph[0].p_flags = PF_R | PF_X;
	ph[0].p_offset = 0;
	ph[0].p_vaddr = 0x400000;
	ph[0].p_filesz = codeoff + sizeof code;
	ph[0].p_memsz = codeoff + sizeof code;
	ph[0].p_align = 4096;
	memcpy(img + codeoff, code, sizeof code);
	*ehp = eh;
	*php = ph;
	return codeoff + sizeof code + 64; /* room for an interpreter string */
}

/* Run path; print what happened. */
static void try_exec(const char *label, size_t len, int definite)
{
	const char *path = t_path("img");
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0 || write(fd, img, len) != (ssize_t)len) {
		SAY("%s: cannot write image\n", label);
		t_failures++;
		return;
	}
	close(fd);
	int pfd[2];
	if (pipe(pfd))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		char *argv[] = { "img", NULL }, *envp[] = { NULL };
		execve(path, argv, envp);
		int e = errno;
		write(pfd[1], &e, sizeof e);
		_exit(99);
	}
	close(pfd[1]);
	int e = 0, st = 0;
	ssize_t got = read(pfd[0], &e, sizeof e);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (got == sizeof e && definite)
		SAY("%s: %s\n", label, t_errname(e));
	else if (got == sizeof e || WIFSIGNALED(st))
		SAY("%s: rejected\n", label);
	else if (WIFEXITED(st))
		SAY("%s: ran, status %d\n", label, WEXITSTATUS(st));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	size_t n;

	n = build(&eh, &ph);
	try_exec("well-formed", n, 1);

	n = build(&eh, &ph); eh->e_ident[3] = 'G';
	try_exec("bad magic", n, 1);
	n = build(&eh, &ph); eh->e_machine = EM_386;
	try_exec("wrong machine", n, 1);
	n = build(&eh, &ph); eh->e_type = ET_REL;
	try_exec("relocatable object", n, 1);
	n = build(&eh, &ph); eh->e_phentsize = 32;
	try_exec("bad phentsize", n, 1);
	n = build(&eh, &ph); eh->e_phnum = 0;
	try_exec("no program headers", n, 1);
	n = build(&eh, &ph); eh->e_phnum = 65535;
	try_exec("65535 program headers", n, 1);
	try_exec("truncated header", 20, 1);
	try_exec("empty file", 0, 1);

	/* interpreters */
	size_t ioff = n - 64;
	n = build(&eh, &ph); eh->e_phnum = 2;
	ph[1].p_type = PT_INTERP; ph[1].p_offset = ioff; ph[1].p_filesz = 20;
	strcpy((char *)img + ioff, "/nonexistent/ld.so");
	try_exec("missing interpreter", n, 1);
	n = build(&eh, &ph); eh->e_phnum = 2;
	ph[1].p_type = PT_INTERP; ph[1].p_offset = ioff; ph[1].p_filesz = 18;
	memcpy(img + ioff, "/nonexistent/ld.so", 18); /* no NUL */
	try_exec("interpreter path without NUL", n, 1);
	n = build(&eh, &ph); eh->e_phnum = 2;
	ph[1].p_type = PT_INTERP; ph[1].p_offset = ioff; ph[1].p_filesz = 1u << 20;
	try_exec("interpreter path past EOF", n, 0);
	for (int big = 0; big < 2; big++) {
		/* an interpreter that is not an ELF file: shorter than an ELF
		 * header (the read comes up short), or long enough */
		const char *txt = t_path("notelf");
		int fd = open(txt, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		for (int i = 0; i < (big ? 8 : 1); i++)
			write(fd, "just text, not an ELF image\n", 28);
		close(fd);
		n = build(&eh, &ph); eh->e_phnum = 2;
		ph[1].p_type = PT_INTERP; ph[1].p_offset = ioff; ph[1].p_filesz = strlen(txt) + 1;
		strcpy((char *)img + ioff, txt);
		try_exec(big ? "interpreter not ELF" : "interpreter shorter than a header", n, 1);
	}

	/* segments Linux maps first and dies on later: only "rejected" */
	n = build(&eh, &ph); ph[0].p_filesz = ph[0].p_memsz + 4096;
	try_exec("filesz > memsz", n, 0);
	n = build(&eh, &ph); ph[0].p_offset = 1ULL << 40;
	try_exec("segment past EOF", n, 0);
	n = build(&eh, &ph); ph[0].p_vaddr = 0xffffffff80000000ULL;
	try_exec("segment in the kernel half", n, 0);
	n = build(&eh, &ph); ph[0].p_memsz = 0xfffffffffffff000ULL;
	try_exec("segment wraps the address space", n, 0);
	n = build(&eh, &ph); ph[0].p_vaddr = 0x400123;
	try_exec("misaligned segment", n, 0);
	n = build(&eh, &ph); eh->e_entry = 0x7fff00000000ULL;
	try_exec("entry outside the image", n, 0);

	t_cleanup();
	SAY(t_failures ? "FAILED\n" : "ok\n");
	return t_failures != 0;
}
