#!/usr/bin/env python3
"""Splits a system-wide `perf record -a -g` profile of a load run: CPU share per process, then the chat server's
samples by the part of the server they ran in (the innermost frame of ours, Npgsql's or the runtime's that names one).
Usage: perf script -i FILE -F comm,pid,tid,ip,sym,dso | where-the-time-goes.py SERVER_PID"""
import re
import sys
from collections import Counter

# Innermost match wins, so a writev under EpollConnection.Flush counts as the reactor's, Npgsql under the persist stage as the store's.
PARTS = [
    (re.compile(r"Npgsql|Chat\.Storage"), "store client (Npgsql, COPY encoding)"),
    (re.compile(r"Chat\.Pipeline\.Stages\.(\w+?)Stage"), None),
    (re.compile(r"Chat\.Pipeline\.Replay|Chat\.Pipeline\.Http|Chat\.Pipeline\.Sessions"), "sessions, replay, HTTP"),
    (re.compile(r"Chat\.Reactor"), "reactor (epoll loops, recv, writev)"),
    (re.compile(r"LowLevelLifoSemaphore|sched_yield|PortableThreadPool|WorkerThread"), "thread pool waiting and waking"),
    (re.compile(r"System\.Threading\.Channels"), "channels between stages"),
]


def part_of(frames, thread):
    for frame in frames:
        for pattern, name in PARTS:
            found = pattern.search(frame)
            if found:
                return name or f"stage: {found.group(1).lower()}"
    if thread.startswith(".NET Tiered") or thread.startswith(".NET TP Gate"):
        return "JIT (tiered compilation)"
    if "GC" in thread or "BGC" in thread:
        return "garbage collector"
    return f"other ({thread})"


# The split issue 17 asks for: the kernel's send path, the rest of the kernel, our own code in user space, and the
# runtime (thread pool, channels, GC, JIT, libc) in user space; decided by the innermost frame, then the stack.
KERNEL_SEND = re.compile(r"tcp_sendmsg|do_writev|sock_write_iter|__sys_sendto|__sys_sendmsg")
KERNEL_RECEIVE = re.compile(r"tcp_recvmsg|__sys_recvfrom|sock_read_iter")


def layer_of(frames):
    if not frames:
        return "unknown"
    if "kernel.kallsyms" in frames[0]:
        stack = " ".join(frames)
        if KERNEL_SEND.search(stack):
            return "kernel: send (writev, loopback TCP to the receiver)"
        if KERNEL_RECEIVE.search(stack):
            return "kernel: receive (recv)"
        return "kernel: other (epoll_wait, futex wake-ups, eventfd, scheduler)"
    if re.search(r"\bChat\.", frames[0]):
        return "user: our code (Chat.*)"
    return "user: runtime and libraries (thread pool, channels, GC, JIT, BCL, libc)"


def samples(lines):
    header, frames = None, []
    for line in lines:
        if not line.strip():
            if header:
                yield header, frames
            header, frames = None, []
        elif not line.startswith((" ", "\t")):
            header = line
        else:
            frames.append(line.strip())
    if header:
        yield header, frames


def main():
    server = sys.argv[1]
    processes, parts, kernel, layers = Counter(), Counter(), Counter(), Counter()
    total = 0
    for header, frames in samples(sys.stdin):
        found = re.match(r"\s*(.*?)\s+(\d+)/(\d+)", header)
        if not found:
            continue
        thread, pid = found.group(1), found.group(2)
        total += 1
        processes["server" if pid == server else ("idle" if pid == "0" else thread.split(":")[0].split()[0])] += 1
        if pid == server:
            layers[layer_of(frames)] += 1
            part = part_of(frames, thread)
            parts[part] += 1
            # The innermost frame tells whether the CPU was in the kernel (syscalls, loopback TCP) or in user code.
            if frames and "kernel.kallsyms" in frames[0]:
                kernel[part] += 1
    print(f"{total} samples; CPU share by process (100% = both cores busy):")
    for name, count in processes.most_common(8):
        print(f"  {name:40} {100 * count / total:5.1f}%")
    server_total = sum(parts.values())
    print(f"server: {server_total} samples, {100 * sum(kernel.values()) / server_total:.1f}% of them in the kernel; by part (share, and the kernel's part of it):")
    for name, count in parts.most_common():
        print(f"  {name:40} {100 * count / server_total:5.1f}%   kernel {100 * kernel[name] / count:5.1f}%")
    print("server by layer (innermost frame):")
    for name, count in layers.most_common():
        print(f"  {name:72} {100 * count / server_total:5.1f}%")


main()
