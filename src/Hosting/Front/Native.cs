using System.Runtime.InteropServices;

namespace NewApi.Hosting.Front;

/// <summary>The few libc calls the front loop needs (Linux x64/arm64 layouts). Blittable signatures only: no marshalling stubs.</summary>
internal static unsafe class Native
{
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct EpollEvent
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
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    public const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000, EPOLLEXCLUSIVE = 1u << 28, EPOLLET = 1u << 31;
    public const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int EAGAIN = 11, EINTR = 4, ENOMEM = 12, ENFILE = 23, EMFILE = 24, ENOBUFS = 105;
    public const int IPPROTO_TCP = 6, TCP_NODELAY = 1;
    public const int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;

    [DllImport("libc", SetLastError = true)] public static extern int epoll_create1(int flags);
    [DllImport("libc", SetLastError = true)] public static extern int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);
    [DllImport("libc", SetLastError = true)] public static extern int epoll_wait(int epfd, EpollEvent* events, int max, int timeout);
    [DllImport("libc", SetLastError = true)] public static extern int accept4(int fd, byte* addr, int* len, int flags);
    [DllImport("libc", SetLastError = true)] public static extern nint recv(int fd, byte* buf, nint len, int flags);
    [DllImport("libc", SetLastError = true)] public static extern nint send(int fd, byte* buf, nint len, int flags);
    [DllImport("libc", SetLastError = true)] public static extern nint sendmsg(int fd, MsgHdr* msg, int flags);
    [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] public static extern int setsockopt(int fd, int level, int name, int* value, int len);
    [DllImport("libc", SetLastError = true)] public static extern int eventfd(uint initval, int flags);
    [DllImport("libc", SetLastError = true)] public static extern nint write(int fd, byte* buf, nint len);
    [DllImport("libc", SetLastError = true)] public static extern nint read(int fd, byte* buf, nint len);
    [DllImport("libc", SetLastError = true)] public static extern int shutdown(int fd, int how);

    [DllImport("libc", SetLastError = true)] public static extern int socket(int domain, int type, int protocol);
    [DllImport("libc", SetLastError = true)] public static extern int connect(int fd, byte* addr, int len);
    [DllImport("libc", SetLastError = true)] public static extern int getsockopt(int fd, int level, int name, int* value, int* len);

    [DllImport("libc", SetLastError = true)] public static extern int poll(int* fds, ulong count, int timeout);

    public const int EINPROGRESS = 115;

    public static int Errno => Marshal.GetLastPInvokeError();
}
