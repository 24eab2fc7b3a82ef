using System.Data.Common;
using System.Text;
using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Tests.Database;

namespace FinTech.Portal.Tests.Audit;

/// <summary>
/// The audit store's behaviour, written once and run against SQLite (<see cref="SqliteAuditStoreTests"/>)
/// and a real PostgreSQL server (<see cref="PostgresAuditStoreTests"/>).
/// </summary>
public abstract class AuditStoreTests : IAsyncLifetime
{
    private ITestDatabase _database = null!;
    private AuditTestKit _kit = null!;

    protected abstract Task<ITestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _kit = new AuditTestKit(_database.Database);
        await _kit.Migrations.ApplyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Migrations_from_an_empty_database_are_recorded_and_rerunning_them_applies_nothing()
    {
        await using var empty = await CreateDatabaseAsync();
        var kit = new AuditTestKit(empty.Database);

        var first = await kit.Migrations.ApplyAsync(CancellationToken.None);
        var second = await kit.Migrations.ApplyAsync(CancellationToken.None);

        Assert.Equal(Migrations.All.Select(m => m.Id), first);
        Assert.Empty(second);
        Assert.Equal(Migrations.All.Select(m => m.Id), await kit.Migrations.AppliedAsync(CancellationToken.None));
        var recorded = await kit.Trail.RecordAsync(AuditTestKit.Entry(1), CancellationToken.None);
        Assert.Equal(1, recorded.Sequence);
    }

    [Fact]
    public async Task Migration_runs_started_together_apply_each_migration_once()
    {
        await using var empty = await CreateDatabaseAsync();
        var runners = Enumerable.Range(0, 3).Select(_ => new AuditTestKit(empty.OpenAnotherInstance()).Migrations).ToList();

        var applied = await Task.WhenAll(runners.Select(r => Task.Run(() => r.ApplyAsync(CancellationToken.None))));

        Assert.Equal(Migrations.All.Select(m => m.Id), applied.SelectMany(ids => ids).Order());
    }

    [Fact]
    public async Task The_event_types_are_each_type_the_trail_holds_once_in_order_and_none_for_an_empty_trail()
    {
        Assert.Empty(await _kit.Store.EventTypesAsync(CancellationToken.None));
        string[] types = ["sandbox.fault-changed", "dashboard.viewed", "identity.signed-in"];
        await _kit.RecordManyAsync(7, n => AuditTestKit.Entry(n, eventType: types[n % 3]));

        Assert.Equal(["dashboard.viewed", "identity.signed-in", "sandbox.fault-changed"], await _kit.Store.EventTypesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Appended_events_form_a_gap_free_chain_that_starts_at_the_genesis_hash()
    {
        var recorded = await _kit.RecordManyAsync(5);

        Assert.Equal([1L, 2, 3, 4, 5], recorded.Select(r => r.Sequence));
        var links = await ReadChainAsync();
        Assert.Equal(AuditCanonical.GenesisHash, links[0].PreviousHash);
        for (var i = 1; i < links.Count; i++)
        {
            Assert.Equal(links[i - 1].Hash, links[i].PreviousHash);
        }
        Assert.Equal(recorded.Select(r => r.Hash), links.Select(l => l.Hash));
        Assert.True(recorded.Zip(recorded.Skip(1)).All(p => p.First.OccurredAt <= p.Second.OccurredAt));
    }

    [Fact]
    public async Task A_recorded_event_reads_back_with_who_what_when_where_and_outcome()
    {
        var entry = new AuditEntry("sandbox.fault-changed", AuditTestKit.Bob, AuditOutcome.Failed, "sandbox", "aurora-replica-lag",
            new Dictionary<string, string?> { ["lagSeconds"] = "30", ["previous"] = null }, "Knob out of range");

        var recorded = await _kit.Trail.RecordAsync(entry, CancellationToken.None);
        var stored = await _kit.Store.GetAsync(recorded.Sequence, CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Equal("sandbox.fault-changed", stored.EventType);
        Assert.Equal(AuditTestKit.Bob, stored.Actor);
        Assert.Equal(AuditOutcome.Failed, stored.Outcome);
        Assert.Equal("sandbox", stored.Environment);
        Assert.Equal("aurora-replica-lag", stored.Target);
        Assert.Equal("30", stored.Parameters["lagSeconds"]);
        Assert.Null(stored.Parameters["previous"]);
        Assert.Equal("Knob out of range", stored.Reason);
        Assert.Equal("portal-test-1", stored.Instance);
        Assert.Equal(recorded.OccurredAt, stored.OccurredAt);
        Assert.Equal(0, stored.OccurredAt.Ticks % TimeSpan.TicksPerMillisecond);
        Assert.Equal(recorded.Hash, stored.Hash);
    }

    [Fact]
    public async Task Concurrent_appends_from_several_writers_on_several_connections_leave_no_gaps_and_no_forks()
    {
        // Two "portal tasks" (separate connection pools), four writers each.
        var instances = new[] { _kit, new AuditTestKit(_database.OpenAnotherInstance(), "portal-test-2") };
        const int writersPerInstance = 4, eventsPerWriter = 15;

        var appends = instances.SelectMany(kit => Enumerable.Range(0, writersPerInstance).Select(writer => Task.Run(async () =>
        {
            var sequences = new List<long>();
            for (var i = 0; i < eventsPerWriter; i++)
            {
                sequences.Add((await kit.Trail.RecordAsync(AuditTestKit.Entry(writer * 100 + i), CancellationToken.None)).Sequence);
            }
            return sequences;
        })));
        var sequences = (await Task.WhenAll(appends)).SelectMany(s => s).Order().ToList();

        const int total = 2 * writersPerInstance * eventsPerWriter;
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), sequences);
        var links = await ReadChainAsync();
        Assert.Equal(total, links.Count);
        Assert.Equal(total, links.Select(l => l.PreviousHash).Distinct().Count());
        var verification = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);
        Assert.True(verification.Intact, verification.Message);
        Assert.Equal(total, verification.VerifiedThrough);
    }

    [Fact]
    public async Task An_event_recorded_in_a_rolled_back_caller_transaction_leaves_no_trace_and_no_gap()
    {
        await _kit.RecordManyAsync(2);
        await using (var connection = await _database.Database.OpenConnectionAsync(CancellationToken.None))
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var recorded = await _kit.Trail.RecordAsync(AuditTestKit.Entry(3), transaction, CancellationToken.None);
            Assert.Equal(3, recorded.Sequence);
            await transaction.RollbackAsync();
        }

        var next = await _kit.Trail.RecordAsync(AuditTestKit.Entry(4), CancellationToken.None);

        Assert.Equal(3, next.Sequence);
        Assert.True((await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None)).Intact);
    }

    [Fact]
    public async Task An_event_recorded_in_a_caller_transaction_commits_with_the_callers_own_change()
    {
        await _database.ExecuteAsync("CREATE TABLE caller_changes (id INTEGER PRIMARY KEY, state TEXT NOT NULL)");
        await using (var connection = await _database.Database.OpenConnectionAsync(CancellationToken.None))
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO caller_changes (id, state) VALUES (1, 'Approved')";
                await command.ExecuteNonQueryAsync();
            }
            await _kit.Trail.RecordAsync(AuditTestKit.Entry(1), transaction, CancellationToken.None);
            await transaction.CommitAsync();
        }

        var head = await _kit.Store.GetHeadAsync(CancellationToken.None);
        Assert.Equal(1, head?.Sequence);
    }

    [Fact]
    public async Task Recording_fails_closed_with_a_message_for_people_when_the_trail_cannot_be_written()
    {
        await using var unmigrated = await CreateDatabaseAsync();
        var kit = new AuditTestKit(unmigrated.Database);

        var error = await Assert.ThrowsAsync<AuditUnavailableException>(() => kit.Trail.RecordAsync(AuditTestKit.Entry(1), CancellationToken.None));

        Assert.Contains("was not carried out", error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task The_database_rejects_updates_and_deletes_of_audit_events()
    {
        await _kit.RecordManyAsync(2);

        var update = await Assert.ThrowsAnyAsync<DbException>(() => _database.ExecuteAsync("UPDATE audit_events SET content = '{}' WHERE sequence = 1"));
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => _database.ExecuteAsync("DELETE FROM audit_events WHERE sequence = 2"));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
        Assert.Equal(2, (await ReadChainAsync()).Count);
    }

    [Fact]
    public async Task An_intact_chain_verifies_through_its_head_and_names_the_anchor_it_matches()
    {
        await _kit.RecordManyAsync(4);
        var anchor = await _kit.Anchoring.AnchorNowAsync(AuditActor.System, CancellationToken.None);
        await _kit.RecordManyAsync(2);

        var result = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);

        Assert.Equal(4, anchor?.Sequence);
        Assert.True(result.Intact, result.Message);
        Assert.Equal(7, result.VerifiedThrough);
        Assert.Equal("Intact through #7, matches anchor at #4.", result.Message);
        Assert.True(result.BytesHashed > 7 * 40);
    }

    [Fact]
    public async Task Verifying_a_range_checks_only_that_range()
    {
        await _kit.RecordManyAsync(10);
        await _database.TamperAsync(ChangeContentSql(9));

        var range = await _kit.Verifier.VerifyAsync(3, 6, CancellationToken.None);
        var whole = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);

        Assert.True(range.Intact, range.Message);
        Assert.Equal(4, range.EventsChecked);
        Assert.Equal(6, range.VerifiedThrough);
        Assert.False(whole.Intact);
        Assert.Equal(9, whole.BrokenAt);
    }

    [Fact]
    public async Task Changed_content_is_detected_at_the_changed_event()
    {
        await _kit.RecordManyAsync(6);
        await _database.TamperAsync(ChangeContentSql(4));

        var result = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);

        AssertBroken(result, 4, AuditBreak.ChangedContent);
        Assert.Equal(3, result.VerifiedThrough);
    }

    [Fact]
    public async Task A_rehashed_changed_event_is_detected_as_a_broken_link_at_the_next_event()
    {
        await _kit.RecordManyAsync(6);
        var links = await ReadChainAsync();
        var forged = links[3].Content.Replace("change number 4", "nothing to see", StringComparison.Ordinal);
        var forgedHash = AuditCanonical.Hash(links[3].PreviousHash, 4, forged);
        await _database.TamperAsync($"UPDATE audit_events SET content = '{forged}', hash = '{forgedHash}' WHERE sequence = 4");

        var result = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);

        AssertBroken(result, 5, AuditBreak.BrokenLink);
    }

    [Fact]
    public async Task A_deleted_event_is_detected_as_a_gap()
    {
        await _kit.RecordManyAsync(6);
        await _database.TamperAsync("DELETE FROM audit_events WHERE sequence = 3");

        var result = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);

        AssertBroken(result, 3, AuditBreak.Gap);
    }

    [Fact]
    public async Task Swapped_events_are_detected_as_reordering()
    {
        await _kit.RecordManyAsync(6);
        await _database.TamperAsync(
            "UPDATE audit_events SET sequence = 1000 WHERE sequence = 4; UPDATE audit_events SET sequence = 4 WHERE sequence = 5; UPDATE audit_events SET sequence = 5 WHERE sequence = 1000;");

        var result = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);

        AssertBroken(result, 4, AuditBreak.Reordering);
    }

    [Fact]
    public async Task A_consistently_rewritten_chain_is_detected_by_the_anchor()
    {
        await _kit.RecordManyAsync(5);
        await _kit.Anchoring.AnchorNowAsync(AuditActor.System, CancellationToken.None);
        await RewriteWholeChainAsync(from: 2);

        var result = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);

        AssertBroken(result, 5, AuditBreak.AnchorMismatch);
    }

    [Fact]
    public async Task Events_removed_from_the_end_are_detected_by_the_anchor()
    {
        await _kit.RecordManyAsync(5);
        await _kit.Anchoring.AnchorNowAsync(AuditActor.System, CancellationToken.None);
        await _database.TamperAsync("DELETE FROM audit_events WHERE sequence >= 4");

        var result = await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None);

        AssertBroken(result, 4, AuditBreak.AnchorMismatch);
        Assert.Contains("removed", result.Message);
    }

    [Fact]
    public async Task Search_filters_combine_and_keyset_pages_run_newest_first_without_overlap()
    {
        await _kit.RecordManyAsync(30, n => AuditTestKit.Entry(n,
            actor: n % 2 == 0 ? AuditTestKit.Alice : AuditTestKit.Bob,
            eventType: n % 3 == 0 ? "dashboard.viewed" : "sandbox.fault-changed",
            environment: n % 5 == 0 ? "prod" : "sandbox",
            outcome: n == 7 ? AuditOutcome.Denied : AuditOutcome.Succeeded));

        var bobsFaults = await _kit.Store.SearchAsync(new AuditFilter(Actor: "user-bob", EventType: "sandbox.fault-changed"), null, 100, CancellationToken.None);
        var byName = await _kit.Store.SearchAsync(new AuditFilter(Actor: "Alice Auditor", Environment: "prod"), null, 100, CancellationToken.None);
        var denied = await _kit.Store.SearchAsync(new AuditFilter(Outcome: AuditOutcome.Denied), null, 100, CancellationToken.None);
        var text = await _kit.Store.SearchAsync(new AuditFilter(Text: "CHANGE NUMBER 2"), null, 100, CancellationToken.None);
        var target = await _kit.Store.SearchAsync(new AuditFilter(Target: "knob-1"), null, 100, CancellationToken.None);
        var page1 = await _kit.Store.SearchAsync(AuditFilter.None, null, 12, CancellationToken.None);
        var page2 = await _kit.Store.SearchAsync(AuditFilter.None, page1.NextBefore, 12, CancellationToken.None);
        var page3 = await _kit.Store.SearchAsync(AuditFilter.None, page2.NextBefore, 12, CancellationToken.None);

        Assert.All(bobsFaults.Events, e => Assert.True(e.Actor.UserId == "user-bob" && e.EventType == "sandbox.fault-changed"));
        Assert.Equal(10, bobsFaults.Events.Count);
        Assert.Equal([30L, 20, 10], byName.Events.Select(e => e.Sequence));
        Assert.Equal([7L], denied.Events.Select(e => e.Sequence));
        Assert.Equal([29L, 28, 27, 26, 25, 24, 23, 22, 21, 20, 2], text.Events.Select(e => e.Sequence));
        Assert.All(target.Events, e => Assert.Equal("knob-1", e.Target));
        Assert.Equal(Enumerable.Range(1, 30).Reverse().Select(i => (long)i), page1.Events.Concat(page2.Events).Concat(page3.Events).Select(e => e.Sequence));
        Assert.Equal(19, page1.NextBefore);
        Assert.Null(page3.NextBefore);
    }

    [Fact]
    public async Task Search_by_time_range_includes_from_and_excludes_to()
    {
        var recorded = await _kit.RecordManyAsync(10);

        var page = await _kit.Store.SearchAsync(new AuditFilter(From: recorded[2].OccurredAt, To: recorded[6].OccurredAt), null, 100, CancellationToken.None);

        Assert.Equal([6L, 5, 4, 3], page.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_json_lines_export_verifies_offline_and_an_edited_export_does_not()
    {
        await _kit.RecordManyAsync(8);
        await _kit.Anchoring.AnchorNowAsync(AuditActor.System, CancellationToken.None);
        using var export = new MemoryStream();
        await AuditExport.WriteJsonLinesAsync(_kit.Store.StreamAsync(AuditFilter.None, CancellationToken.None), AuditFilter.None,
            await _kit.Anchors.ReadAllAsync(CancellationToken.None), _kit.Time.GetUtcNow(), export, CancellationToken.None);
        var text = Encoding.UTF8.GetString(export.ToArray());

        var intact = AuditExport.VerifyJsonLines(new StringReader(text));
        var edited = AuditExport.VerifyJsonLines(new StringReader(text.Replace("change number 5", "change number 6", StringComparison.Ordinal)));

        Assert.Null(intact);
        Assert.Contains("#5 does not hash", edited);
        Assert.Contains("\"type\":\"anchor\",\"sequence\":8", text);
    }

    private static void AssertBroken(AuditVerification result, long at, AuditBreak kind)
    {
        Assert.False(result.Intact, result.Message);
        Assert.Equal(kind, result.Break);
        Assert.Equal(at, result.BrokenAt);
        Assert.StartsWith($"Broken at #{at}:", result.Message);
    }

    private static string ChangeContentSql(long sequence) =>
        $"UPDATE audit_events SET content = replace(content, 'change number', 'CHANGED number') WHERE sequence = {sequence}";

    /// <summary>What an attacker with the algorithm would do: rewrite events from <paramref name="from"/> on and re-chain everything after.</summary>
    private async Task RewriteWholeChainAsync(long from)
    {
        var links = await ReadChainAsync();
        var previous = links[(int)from - 2].Hash;
        var sql = new StringBuilder();
        foreach (var link in links.Where(l => l.Sequence >= from))
        {
            var content = link.Content.Replace("Bob Operator", "Mallory", StringComparison.Ordinal);
            var hash = AuditCanonical.Hash(previous, link.Sequence, content);
            sql.Append($"UPDATE audit_events SET content = '{content}', previous_hash = '{previous}', hash = '{hash}' WHERE sequence = {link.Sequence};");
            previous = hash;
        }
        await _database.TamperAsync(sql.ToString());
    }

    private async Task<List<AuditLink>> ReadChainAsync()
    {
        var links = new List<AuditLink>();
        await foreach (var link in _kit.Store.ReadChainAsync(1, null, CancellationToken.None))
        {
            links.Add(link);
        }
        return links;
    }
}

public sealed class SqliteAuditStoreTests : AuditStoreTests
{
    protected override Task<ITestDatabase> CreateDatabaseAsync() => Task.FromResult<ITestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresAuditStoreTests(PostgresFixture postgres) : AuditStoreTests
{
    protected override async Task<ITestDatabase> CreateDatabaseAsync() => await postgres.CreateDatabaseAsync();

    [Fact]
    public async Task PostgreSQL_rejects_truncating_the_audit_table()
    {
        await using var database = await postgres.CreateDatabaseAsync();
        var kit = new AuditTestKit(database.Database);
        await kit.Migrations.ApplyAsync(CancellationToken.None);
        await kit.RecordManyAsync(1);

        var error = await Assert.ThrowsAnyAsync<DbException>(() => database.ExecuteAsync("TRUNCATE audit_events"));

        Assert.Contains("append-only: TRUNCATE", error.Message);
    }
}
