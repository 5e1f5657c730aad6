namespace Ssi.Agent.Migration.Planning;

/// <summary>Names of descriptor kinds and actions, as they appear in plans and ProcessMigration status.</summary>
internal static class DescriptorKinds
{
    public const string File = "file";
    public const string Directory = "directory";
    public const string Pipe = "pipe";
    public const string Fifo = "fifo";
    public const string Tty = "tty";
    public const string UnixSocket = "unix-socket";
    public const string TcpSocket = "tcp-socket";
    public const string UdpSocket = "udp-socket";
    public const string EventFd = "eventfd";
    public const string SignalFd = "signalfd";
    public const string TimerFd = "timerfd";
    public const string Epoll = "epoll";
    public const string Inotify = "inotify";
    public const string Memfd = "memfd";
    public const string Device = "device";
    public const string Other = "other";

    public const string Reopen = "reopen";
    public const string StayHome = "stay-home";
    public const string Recreate = "recreate";
    public const string Blocked = "blocked";
}
