using System.Runtime.InteropServices;

namespace Chat.Reactor.Epoll;

/// <summary>The few Linux calls the epoll backend makes (x86_64 and arm64 share these layouts).</summary>
internal static unsafe partial class Libc
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000, EPOLLET = 1u << 31;
    public const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    public const int EAGAIN = 11, EINTR = 4, ECONNABORTED = 103, EMFILE = 24, ENFILE = 23, ENOBUFS = 105, ENOMEM = 12;
    public const int SHUT_WR = 1;
    public const int IPPROTO_TCP = 6, TCP_NODELAY = 1, SOL_SOCKET = 1, SO_LINGER = 13;
    public const int MSG_NOSIGNAL = 0x4000, MSG_DONTWAIT = 0x40;
    public const int RLIMIT_NOFILE = 7;
    public const int IOV_MAX = 1024;
    public const int AF_INET = 2, AF_INET6 = 10;

    // struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned (16 bytes) elsewhere.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEventPacked
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct EpollEventAligned
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Linger
    {
        public int OnOff;
        public int Seconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static readonly bool PackedEvents = RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, void* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, void* events, int maxEvents, int timeout);

    /// <summary>epoll_wait with a nanosecond timeout (Linux 5.11, glibc 2.35): the flush delay is far below a millisecond.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_pwait2(int epfd, void* events, int maxEvents, Timespec* timeout, void* sigmask);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int accept4(int fd, byte* address, int* addressLength, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint writev(int fd, IoVec* vectors, int count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initial, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getrlimit(int resource, RLimit* limit);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setrlimit(int resource, RLimit* limit);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, void* value, int length);

    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>Registers or changes interest in <paramref name="fd"/> with <paramref name="data"/> as its token.</summary>
    public static int Control(int epfd, int op, int fd, uint events, ulong data)
    {
        if (PackedEvents)
        {
            var ev = new EpollEventPacked { Events = events, Data = data };
            return epoll_ctl(epfd, op, fd, &ev);
        }
        var aligned = new EpollEventAligned { Events = events, Data = data };
        return epoll_ctl(epfd, op, fd, &aligned);
    }
}
