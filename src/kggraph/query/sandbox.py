"""Limits a query worker process puts on itself: no network, a memory ceiling, and no life
after its parent.

``forbid_network`` installs a seccomp filter (Linux, x86-64 and arm64) that makes every attempt
to open an internet socket fail with ``EACCES``; nothing the process does afterwards (a SPARQL
``SERVICE`` call inside pyoxigraph included) can reach another machine. ``die_with_parent``
asks the kernel to kill the worker when the server that started it goes away. Both are
one-way: a process cannot undo them. On other systems they do nothing and return ``False``,
and the query classifier in ``kggraph.query.reader`` remains the guard.

``limit_memory`` caps the worker's address space (``RLIMIT_AS``). pyoxigraph respects it, as it
does ``RLIMIT_DATA`` (measured: an ``ORDER BY`` over a cross product stops at either ceiling):
past it an allocation fails and pyoxigraph, like any Rust code, aborts the process
(``SIGABRT``); Python allocations raise ``MemoryError`` instead. ``RLIMIT_AS`` is the one taken
because it counts every mapping (stacks and mapped files too), so nothing escapes it.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import resource
import signal
import socket
import sys

_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_X32_SYSCALL_BIT = 0x40000000
_LD_ABS_W = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_OFFSET_NR, _OFFSET_ARCH, _OFFSET_ARG0 = 0, 4, 16  # in struct seccomp_data

_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
"""Machine → (AUDIT_ARCH value, number of the ``socket`` system call)."""


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _program(arch: int, socket_nr: int) -> list[_SockFilter]:
    """BPF: on this architecture, ``socket(AF_INET|AF_INET6, …)`` fails; all else is allowed."""
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    return [
        _SockFilter(_LD_ABS_W, 0, 0, _OFFSET_ARCH),
        _SockFilter(_JEQ_K, 1, 0, arch),  # another ABI: deny everything below
        _SockFilter(_RET_K, 0, 0, deny),
        _SockFilter(_LD_ABS_W, 0, 0, _OFFSET_NR),
        _SockFilter(_JGE_K, 5, 0, _X32_SYSCALL_BIT),  # x32 system calls: deny
        _SockFilter(_JEQ_K, 0, 3, socket_nr),
        _SockFilter(_LD_ABS_W, 0, 0, _OFFSET_ARG0),
        _SockFilter(_JEQ_K, 2, 0, socket.AF_INET),
        _SockFilter(_JEQ_K, 1, 0, socket.AF_INET6),
        _SockFilter(_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        _SockFilter(_RET_K, 0, 0, deny),
    ]


def _prctl(*args: object) -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.prctl(*args)) == 0


def forbid_network() -> bool:
    """Make this process unable to open internet sockets; ``True`` if the filter is in place."""
    known = _ARCHES.get(platform.machine())
    if not sys.platform.startswith("linux") or known is None:
        return False
    program = _program(*known)
    array = (_SockFilter * len(program))(*program)
    fprog = _SockFprog(len(program), array)
    if not _prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
        return False
    return _prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)


def die_with_parent() -> bool:
    """Have the kernel kill this process when its parent exits; ``True`` if it is arranged."""
    if not sys.platform.startswith("linux"):
        return False
    return _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def limit_memory(ceiling: int) -> bool:
    """Cap this process's address space at ``ceiling`` bytes (0: no cap); ``True`` if capped."""
    if ceiling <= 0:
        return False
    try:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    except (ValueError, OSError):  # above a hard limit set from outside: keep that one
        return False
    return True
