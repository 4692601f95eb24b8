/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The system calls newlib's stdio needs, for the newlib / newlib-nano test
 * firmware (boards/common/startup.c is the startup; output and exit go through
 * semihosting). Deliberately no _sbrk: with rtheap::libc nothing may need it
 * (newlib's malloc is the only caller); the negative control links
 * newlib_sbrk.c to get newlib's allocator linked at all.
 *
 * fd 0..2 are the console; open() hands out fd 3.. for files that swallow
 * what is written and read as empty, so fopen()/fprintf()/fclose() run
 * newlib's whole FILE path (FILE and buffer allocation) without a file system.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "semihost.h"

int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _open(const char *path, int flags, int mode);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int off, int whence);
int _kill(int pid, int sig);
int _getpid(void);
void _exit(int code);

int _write(int fd, const char *buf, int len)
{
    if (fd == 1 || fd == 2) {
        semihost_write(buf, (size_t)len);
    }
    return len;
}

int _read(int fd, char *buf, int len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return 0;
}

int _open(const char *path, int flags, int mode)
{
    static int next_fd = 3;
    (void)path;
    (void)flags;
    (void)mode;
    return next_fd++;
}

int _close(int fd)
{
    return fd >= 3 ? 0 : -1;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd)
{
    return fd <= 2;
}

int _lseek(int fd, int off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    return 0;
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void)
{
    return 1;
}

void _exit(int code)
{
    semihost_exit(code);
}
