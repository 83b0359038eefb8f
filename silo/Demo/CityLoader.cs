using System.Threading.Channels;
using Grid.Contracts;
using Grid.Grains;
using Grid.Silo.Storage;

namespace Grid.Silo.Demo;

/// <summary>
/// Writes a generated city straight into grain storage, as rows the grains read back on activation:
/// one thread generates and serialises, another writes, batch by batch. The directory's row goes last,
/// so storage holding a directory holds a complete city.
/// </summary>
public static class CityLoader
{
    public static async Task LoadAsync(City city, GrainStateRows rows, IGrainStateSink sink, Action<int>? written = null,
        int batchSize = 5_000, CancellationToken cancellationToken = default)
    {
        var batches = Channel.CreateBounded<List<GrainStateRow>>(4);
        // A failed write stops the generator too, which would otherwise wait on a full channel for ever.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                var batch = new List<GrainStateRow>(batchSize);
                async ValueTask Add(GrainStateRow row)
                {
                    batch.Add(row);
                    if (batch.Count < batchSize) return;
                    await batches.Writer.WriteAsync(batch, failed.Token);
                    batch = new List<GrainStateRow>(batchSize);
                }
                foreach (var community in city.Communities())
                {
                    await Add(rows.Row(GridStorage.Community, community.Code, community.Community));
                    await Add(rows.Row(GridStorage.CommunityIssues, community.Code, community.Issues));
                    await Add(rows.Row(GridStorage.CommunityPoints, community.Code, community.Points));
                    foreach (var cell in community.Cells) await Add(rows.Row(GridStorage.Cell, cell.Definition!.Code, cell));
                    foreach (var household in community.Households) await Add(rows.Row(GridStorage.Household, household.Record!.Id, household));
                    foreach (var member in community.Members) await Add(rows.Row(GridStorage.Member, member.Record!.Id, member));
                }
                await Add(rows.Row(GridStorage.Directory, IDirectoryGrain.RootKey, city.Directory()));
                if (batch.Count > 0) await batches.Writer.WriteAsync(batch, failed.Token);
                batches.Writer.Complete();
            }
            catch (Exception e)
            {
                batches.Writer.Complete(e);
            }
        }, failed.Token);

        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken))
            {
                await sink.WriteAsync(batch, cancellationToken);
                written?.Invoke(batch.Count);
            }
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
        await producer;
    }
}
