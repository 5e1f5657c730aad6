using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ssi.Benchmarks.Link;

/// <summary>
/// The transports considered for forwarded FUSE requests, one request of a lookup's size and its
/// reply at a time, all over TLS with client certificates on loopback in this process: a unary gRPC
/// call per request (what forwarding nodes did), a gRPC bidirectional stream, a connection taken by
/// Kestrel on the gRPC port by its ALPN name, and a listener of our own read by a thread of its own
/// (what the filesystem link is), answering where it reads or from a pool thread.
/// </summary>
internal static class LinkTransportBench
{
    public const int RequestSize = 80;
    public const int ReplySize = 144;
    private const int Warmup = 500;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        using var certificate = SelfSigned();
        await using var kestrel = await StartKestrelAsync(certificate);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        new Thread(() => Accept(listener, certificate)) { IsBackground = true }.Start();
        var kestrelPort = new Uri(kestrel.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        var ownPort = ((IPEndPoint)listener.LocalEndpoint).Port;

        var rows = new List<(string Name, Stats Stats)>
        {
            ("gRPC unary call per request, blocking caller (forwarding before)", Unary(kestrelPort, certificate, runs)),
            ("gRPC bidirectional stream", await StreamAsync(kestrelPort, certificate, runs)),
            ("own framing on the gRPC port (Kestrel, ALPN), answered where read", Framed(kestrelPort, "ssi-fs/1", certificate, runs)),
            ("own framing on a listener of its own, answered where read (the link)", Framed(ownPort, "inline", certificate, runs)),
            ("own framing on a listener of its own, answered from a pool thread", Framed(ownPort, "pool", certificate, runs)),
        };

        Console.WriteLine($"Round trip of a {RequestSize}-byte request and a {ReplySize}-byte reply over mutual TLS on loopback, one at a time ({runs} each, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores)");
        Console.WriteLine();
        Console.WriteLine("| transport | p50 us | p99 us |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, stats) in rows)
        {
            Console.WriteLine($"| {name} | {stats.P50:F0} | {stats.P99:F0} |");
        }

        return 0;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task<WebApplication> StartKestrelAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = certificate;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (_, _, _) => true;
                https.OnAuthenticate = (_, ssl) => (ssl.ApplicationProtocols ??= []).Add(new SslApplicationProtocol("ssi-fs/1"));
            });
            listen.Use(next => connection =>
                connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("ssi-fs/1"u8) == true
                    ? FramedServer.ServeAsync(connection.Features.Get<ISslStreamFeature>()!.SslStream)
                    : next(connection));
        }));
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        return app;
    }

    private static void Accept(TcpListener listener, X509Certificate2 certificate)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = listener.AcceptSocket();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // the bench is over
            }

            socket.NoDelay = true;
            new Thread(() =>
            {
                using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), false, (_, _, _, _) => true);
                tls.AuthenticateAsServer(new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateRequired = true,
                    ApplicationProtocols = [new SslApplicationProtocol("inline"), new SslApplicationProtocol("pool")],
                });
                try
                {
                    FramedServer.Serve(tls, poolHop: tls.NegotiatedApplicationProtocol.ToString() == "pool");
                }
                catch (IOException)
                {
                    // the client is done
                }
            }) { IsBackground = true }.Start();
        }
    }

    /// <summary>As a forwarding node: this thread writes a frame, a reader thread takes the reply and wakes it.</summary>
    private static Stats Framed(int port, string alpn, X509Certificate2 certificate, int runs)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), false, (_, _, _, _) => true);
        tls.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [certificate],
            ApplicationProtocols = [new SslApplicationProtocol(alpn)],
        });
        using var replied = new SemaphoreSlim(0);
        var reader = new Thread(() =>
        {
            var buffer = new byte[64 * 1024];
            var have = 0;
            try
            {
                while (true)
                {
                    var read = tls.Read(buffer, have, buffer.Length - have);
                    if (read == 0)
                    {
                        return;
                    }

                    have = FramedServer.Frames(buffer, have + read, () => replied.Release());
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // done
            }
        }) { IsBackground = true };
        reader.Start();
        var request = new byte[RequestSize];
        BinaryPrimitives.WriteInt32LittleEndian(request, RequestSize);
        var samples = new List<double>(runs);
        for (var i = 0; i < runs + Warmup; i++)
        {
            var start = Stopwatch.GetTimestamp();
            tls.Write(request);
            replied.Wait();
            if (i >= Warmup)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
        }

        return Stats.Of(samples);
    }

    private static GrpcChannel Channel(int port, X509Certificate2 certificate) =>
        GrpcChannel.ForAddress($"https://localhost:{port}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions { ClientCertificates = [certificate], RemoteCertificateValidationCallback = (_, _, _, _) => true },
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            },
        });

    private static Stats Unary(int port, X509Certificate2 certificate, int runs)
    {
        using var channel = Channel(port, certificate);
        var client = new Echo.EchoClient(channel);
        var request = new EchoMessage { Data = ByteString.CopyFrom(new byte[RequestSize]) };
        var samples = new List<double>(runs);
        for (var i = 0; i < runs + Warmup; i++)
        {
            var start = Stopwatch.GetTimestamp();
            client.Unary(request);
            if (i >= Warmup)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
        }

        return Stats.Of(samples);
    }

    private static async Task<Stats> StreamAsync(int port, X509Certificate2 certificate, int runs)
    {
        using var channel = Channel(port, certificate);
        using var call = new Echo.EchoClient(channel).Stream();
        var request = new EchoMessage { Data = ByteString.CopyFrom(new byte[RequestSize]) };
        var samples = new List<double>(runs);
        for (var i = 0; i < runs + Warmup; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call.RequestStream.WriteAsync(request);
            await call.ResponseStream.MoveNext(CancellationToken.None);
            if (i >= Warmup)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
        }

        await call.RequestStream.CompleteAsync();
        return Stats.Of(samples);
    }
}
