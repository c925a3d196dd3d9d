"""Run `python ARGS...` where unshare() and setns() are refused, as under Docker's default
seccomp profile: how the tests serve from workers that cannot have a network namespace."""

import os
import sys

from nap_graph.syscall_filter import forbid_namespaces

if not forbid_namespaces():
    sys.exit("without_namespaces: no seccomp filter on this machine")
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
