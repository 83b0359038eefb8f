using Grid.Contracts;
using Grid.Grains.Activities;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Activities;

/// <summary>
/// Hangfire for the recurring activities. Every Hangfire service is this host's own (storage, job
/// activator, recurring-job manager), not Hangfire's process-wide defaults, so two nodes in one
/// process (tests) never share jobs. The embedded profile keeps jobs in Hangfire's in-memory storage
/// and derives them again from the schedules at every start; the postgres profile registers
/// Hangfire.PostgreSql storage first (silo/Storage/Postgres/PostgresScheduling.cs), shared by every
/// node, and nothing else changes (jobs are idempotent, ids are stable).
/// </summary>
public static class SchedulingSetup
{
    public static void AddGridScheduling(this IServiceCollection services)
    {
        services.AddOptions<ActivityOptions>().BindConfiguration(ActivityOptions.Section)
            .Validate(o => o.FanOutConcurrency is >= 1 and <= 1024, "Grid:Activities:FanOutConcurrency must be from 1 to 1024.")
            .Validate(o => o.ProgressBatch is >= 1 and <= 100_000, "Grid:Activities:ProgressBatch must be from 1 to 100000.")
            .Validate(o => o.HangfireWorkers is >= 1 and <= 64, "Grid:Activities:HangfireWorkers must be from 1 to 64.")
            .ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Validate(o => WebhookOptions.Error(o) is null, "Grid:Activities:Webhook is invalid: enabled needs an absolute http(s) Url and a Timeout from 1 s to 2 min.")
            .ValidateOnStart();

        services.AddSingleton<InboxNotificationSender>(sp => new InboxNotificationSender(sp.GetRequiredService<IClusterClient>()));
        services.AddHttpClient<WebhookNotificationSender>();
        services.AddSingleton<INotificationSender>(sp =>
        {
            var senders = new List<INotificationSender> { sp.GetRequiredService<InboxNotificationSender>() };
            if (sp.GetRequiredService<IOptions<WebhookOptions>>().Value.Enabled) senders.Add(sp.GetRequiredService<WebhookNotificationSender>());
            return new NotificationSenders(senders);
        });
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ActivityRunner>(sp, sp.GetRequiredService<IClusterClient>()));

        // Registered before AddHangfire, which only adds what is missing: this host's own storage and activator.
        // The postgres profile registers Hangfire.PostgreSql storage before this (PostgresScheduling); else in memory.
        services.TryAddSingleton<JobStorage>(_ => new InMemoryStorage(new InMemoryStorageOptions()));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(_ => { });
        services.AddHangfireServer((sp, server) =>
        {
            server.WorkerCount = sp.GetRequiredService<IOptions<ActivityOptions>>().Value.HangfireWorkers;
            server.ServerName = $"grid-{Environment.MachineName}-{Environment.ProcessId}";
            server.SchedulePollingInterval = TimeSpan.FromSeconds(5);
        });
        services.AddTransient<ActivityJobs>();
        services.AddSingleton<RedSaturdayScheduler>();
        services.AddSingleton<IActivityScheduling>(sp => sp.GetRequiredService<RedSaturdayScheduler>());
        services.AddSingleton<HangfireDashboardAuth>();
        services.AddHostedService<ActivityStartup>();
    }

    /// <summary>
    /// Hangfire's dashboard at /hangfire, administrators only (see <see cref="HangfireDashboardAuth"/>): endpoints
    /// exempt from the API's "signed-in caller" fallback policy, since the browser brings the dashboard's own cookie,
    /// which its filter checks. The session endpoints that set and remove that cookie live beside the Orleans dashboard's.
    /// </summary>
    public static void UseGridScheduling(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<HangfireDashboardAuth>();
        // Checked before Hangfire sees the request, so that nothing under /hangfire (not even "no such page")
        // answers anyone but an administrator; Hangfire's own filter below checks again.
        app.UseWhen(http => http.Request.Path.StartsWithSegments(HangfireDashboardAuth.Path), branch => branch.Use(async (http, next) =>
        {
            if (await auth.IsAdmin(http)) await next(http);
            else if (http.User.Identity?.IsAuthenticated == true) await http.ForbidAsync();
            else await http.ChallengeAsync();
        }));
        var sessions = app.MapGroup("/api/dashboard/hangfire-session").WithTags("Dashboard");
        sessions.MapPost("/", auth.OpenSession).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary($"Administrators: sets a short-lived, HttpOnly cookie for Hangfire's dashboard at {HangfireDashboardAuth.Path}/ and answers its URL.");
        sessions.MapDelete("/", HangfireDashboardAuth.CloseSession).RequireAuthorization().WithSummary("Removes the Hangfire dashboard cookie (signing out).");
        app.MapHangfireDashboard(HangfireDashboardAuth.Path, new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [auth.Filter()],
            DashboardTitle = "Grid 活动调度 · Hangfire",
            DisplayStorageConnectionString = false,
            AppPath = "/scheduler.html",
        }, app.Services.GetRequiredService<JobStorage>()).AllowAnonymous().ExcludeFromDescription();
    }
}
