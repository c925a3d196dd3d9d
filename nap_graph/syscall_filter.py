"""A seccomp filter that takes the network away from a process, whatever its namespaces.

Oxigraph runs SERVICE with its own HTTP client and has no switch to turn it off. A network
namespace takes the network away where the kernel lets us make one; where it does not (Docker's
default seccomp profile refuses unshare()), this filter still does: the process may open Unix
sockets (its connection to the server) and nothing else. An attempt kills the process, so that
a query that tries the network is refused even where SERVICE SILENT would hide a failed
connection: the store sees its worker die (nap_graph/embedded.py).

The filter is inherited by forked workers and kept across exec. Linux on x86-64 and AArch64
only; elsewhere `forbid_network` says it could not and the namespace is the only guard.
"""

from __future__ import annotations

import ctypes
import platform
import struct

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
EPERM = 1
ENOSYS = 38
AF_UNIX = 1

# BPF opcodes: load a word of seccomp_data, jump on equal / greater-or-equal, return.
_LD = 0x20
_JEQ = 0x15
_JGE = 0x35
_RET = 0x06
# Offsets in struct seccomp_data: the call's number, the architecture, the first argument's
# low 32 bits (little-endian).
_NR, _ARCH, _ARG0 = 0, 4, 16

# (audit architecture, socket, io_uring_setup, unshare, setns, first x32 call number)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425, 272, 308, 0x40000000),
    "aarch64": (0xC00000B7, 198, 425, 97, 268, None),
}

_libc = ctypes.CDLL(None, use_errno=True)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _install(program: list[tuple[int, int, int, int]]) -> bool:
    code = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    # No new privileges: what lets an unprivileged process install a filter at all.
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0


def _arch():
    return _ARCHES.get(platform.machine()) if platform.system() == "Linux" else None


def forbid_network() -> bool:
    """Forbid this process and its children every socket but Unix ones; say if it worked.

    Call it before any thread starts: the filter binds the calling thread and those it makes.
    """
    arch = _arch()
    if arch is None:
        return False
    audit, socket_nr, io_uring_nr, _, _, x32 = arch
    deny = (_RET, 0, 0, SECCOMP_RET_ERRNO | EPERM)
    program = [
        (_LD, 0, 0, _ARCH),
        (_JEQ, 1, 0, audit),
        deny,  # another ABI (32-bit calls on a 64-bit kernel): none of its calls
        (_LD, 0, 0, _NR),
    ]
    if x32 is not None:
        program += [(_JGE, 0, 1, x32), deny]  # the x32 ABI's numbers: likewise
    program += [
        # io_uring can open sockets of its own, bypassing socket(): nothing here uses it.
        (_JEQ, 0, 1, io_uring_nr),
        (_RET, 0, 0, SECCOMP_RET_ERRNO | ENOSYS),
        (_JEQ, 0, 3, socket_nr),
        (_LD, 0, 0, _ARG0),
        (_JEQ, 1, 0, AF_UNIX),
        (_RET, 0, 0, SECCOMP_RET_KILL_PROCESS),
        (_RET, 0, 0, SECCOMP_RET_ALLOW),
    ]
    return _install(program)


def forbid_namespaces() -> bool:
    """Refuse unshare() and setns() to this process and its children, as Docker's default
    seccomp profile does: for tests of how the server runs where namespaces are not allowed."""
    arch = _arch()
    if arch is None:
        return False
    audit, _, _, unshare_nr, setns_nr, _ = arch
    return _install(
        [
            (_LD, 0, 0, _ARCH),
            (_JEQ, 0, 4, audit),
            (_LD, 0, 0, _NR),
            (_JEQ, 1, 0, unshare_nr),
            (_JEQ, 0, 1, setns_nr),
            (_RET, 0, 0, SECCOMP_RET_ERRNO | EPERM),
            (_RET, 0, 0, SECCOMP_RET_ALLOW),
        ]
    )
