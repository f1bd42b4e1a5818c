using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NewApi.Auth.Email;

/// <summary>
/// Mail sent after the reply (password reset): the route answers the same way, at the same speed, whether or not the
/// address belongs to an account, so neither the body nor the timing tells an attacker which addresses exist.
/// </summary>
public sealed class MailOutbox(EmailSender sender, ILogger<MailOutbox> log) : BackgroundService
{
    private readonly Channel<(string To, string Subject, string Html)> _queue =
        Channel.CreateBounded<(string, string, string)>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.Wait });

    public void Enqueue(string to, string subject, string html)
    {
        if (!_queue.Writer.TryWrite((to, subject, html))) EmailLog.OutboxFull(log);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (to, subject, html) in _queue.Reader.ReadAllAsync(stoppingToken))
                await sender.SendAsync(to, subject, html, stoppingToken);   // failures are logged by the sender
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown (also a start that failed, e.g. the port was taken): not an error of the outbox.
        }
    }
}
