using System.Net.Http.Json;
using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Activities;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Activities;

/// <summary>Configuration section Grid:Activities:Webhook: reminders also POSTed to an SMS or messaging gateway.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Grid:Activities:Webhook";

    public bool Enabled { get; set; }

    /// <summary>Absolute http(s) URL the gateway listens on.</summary>
    public string? Url { get; set; }

    /// <summary>Sent as "Authorization: Bearer …" when set.</summary>
    public string? BearerToken { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public static string? Error(WebhookOptions o)
    {
        if (!o.Enabled) return null;
        if (!Uri.TryCreate(o.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return "Grid:Activities:Webhook:Url must be an absolute http or https URL when the webhook is enabled.";
        if (o.Timeout < TimeSpan.FromSeconds(1) || o.Timeout > TimeSpan.FromMinutes(2))
            return "Grid:Activities:Webhook:Timeout must be from 1 second to 2 minutes.";
        return null;
    }
}

/// <summary>
/// POSTs each reminder as JSON to the configured gateway, with an Idempotency-Key header (the
/// reminder's key: occurrence, lead, member), so a gateway that honours it sends each message once
/// even when Grid repeats a POST after a retry or a crash. The body carries the member's phone
/// and name: the gateway needs them to reach the member, and nothing else receives them.
/// </summary>
public sealed class WebhookNotificationSender(HttpClient http, IGrainFactory grains, IOptions<WebhookOptions> options) : INotificationSender
{
    public async Task SendAsync(ReminderNotice notice, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var member = await grains.GetGrain<IPartyMemberGrain>(notice.MemberId).Get();
        var community = await grains.GetGrain<ICommunityGrain>(notice.CommunityCode).Get();
        var text = ReminderText.For(notice, community?.Definition.Name ?? notice.CommunityCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, o.Url)
        {
            Content = JsonContent.Create(new
            {
                key = notice.Key, activityId = notice.ActivityId, memberId = notice.MemberId, name = member?.Definition.Name,
                phone = member?.Definition.Phone, leadMinutes = notice.LeadMinutes, title = notice.Title, theme = notice.Theme, place = notice.Place,
                startUtc = notice.StartUtc, startChinaTime = notice.StartUtc.ToOffset(ChinaTime.Offset), text,
            }),
        };
        request.Headers.Add("Idempotency-Key", notice.Key);
        if (!string.IsNullOrEmpty(o.BearerToken)) request.Headers.Authorization = new("Bearer", o.BearerToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.Timeout);
        using var response = await http.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"The reminder webhook answered {(int)response.StatusCode} for {notice.Key}.", null, response.StatusCode);
    }
}
