using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace FinTech.Portal.Audit;

/// <summary>How a chain was found broken.</summary>
public enum AuditBreak
{
    /// <summary>An event's content (or sequence) no longer hashes to its stored hash.</summary>
    ChangedContent,

    /// <summary>An event's previous hash is not the hash of the event before it.</summary>
    BrokenLink,

    /// <summary>A sequence number is missing.</summary>
    Gap,

    /// <summary>An event links to an event that is elsewhere in the chain: events were moved.</summary>
    Reordering,

    /// <summary>The chain does not contain an anchored head (rewritten or cut short).</summary>
    AnchorMismatch,
}

/// <summary>The outcome of re-hashing a chain or a range of it.</summary>
public sealed record AuditVerification(
    bool Intact,
    long From,
    long? VerifiedThrough,
    long EventsChecked,
    long BytesHashed,
    AuditAnchor? MatchedAnchor,
    long? BrokenAt,
    AuditBreak? Break,
    string Message);

/// <summary>
/// Re-hashes the chain from the stored content and compares it with the stored hashes, the links
/// between events and the anchors written outside the database. Reading and hashing overlap
/// (a reader task feeds batches to the hasher), so verification runs near the speed of the
/// database scan.
/// </summary>
public sealed class AuditVerifier(AuditStore store, IAuditAnchorSink anchors)
{
    private const int BatchSize = 2048;

    /// <summary>Verifies <paramref name="from"/>..<paramref name="to"/> (default: the whole chain).</summary>
    public async Task<AuditVerification> VerifyAsync(long? from, long? to, CancellationToken cancellationToken)
    {
        var first = Math.Max(1, from ?? 1);
        var anchorList = await anchors.ReadAllAsync(cancellationToken);
        var anchorsBySequence = anchorList
            .Where(a => a.Sequence >= first && (to is null || a.Sequence <= to))
            .GroupBy(a => a.Sequence)
            .ToDictionary(g => g.Key, g => g.ToList());

        var expectedPrevious = AuditCanonical.GenesisHash;
        if (first > 1)
        {
            // A range starts from the stored hash of the event before it; the range proves its own
            // events and links, and the whole-chain check proves the rest.
            await foreach (var before in store.ReadChainAsync(first - 1, first - 1, cancellationToken))
            {
                expectedPrevious = before.Hash;
            }
        }

        var channel = Channel.CreateBounded<AuditRawLink[]>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(async () =>
        {
            try
            {
                var batch = new List<AuditRawLink>(BatchSize);
                await foreach (var link in store.ReadRawChainAsync(first, to, stop.Token))
                {
                    batch.Add(link);
                    if (batch.Count == BatchSize)
                    {
                        await channel.Writer.WriteAsync([.. batch], stop.Token);
                        batch.Clear();
                    }
                }
                if (batch.Count > 0)
                {
                    await channel.Writer.WriteAsync([.. batch], stop.Token);
                }
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, CancellationToken.None);

        var expectedSequence = first;
        long checkedCount = 0;
        long bytes = 0;
        long? lastSequence = null;
        AuditAnchor? matched = null;
        AuditVerification? broken = null;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var computed = new byte[AuditCanonical.HashBytes];
        var stored = new byte[AuditCanonical.HashBytes];
        try
        {
            while (broken is null && await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                while (broken is null && channel.Reader.TryRead(out var batch))
                {
                    foreach (var link in batch)
                    {
                        if (link.Sequence != expectedSequence)
                        {
                            broken = Broken(first, lastSequence, checkedCount, bytes, matched, expectedSequence, AuditBreak.Gap,
                                $"#{expectedSequence} is missing: the event after #{expectedSequence - 1} is #{link.Sequence}.");
                            break;
                        }
                        if (!string.Equals(link.PreviousHash, expectedPrevious, StringComparison.OrdinalIgnoreCase))
                        {
                            var linkedTo = await store.FindSequenceByHashAsync(link.PreviousHash, cancellationToken);
                            broken = linkedTo is { } other && other != link.Sequence - 1
                                ? Broken(first, lastSequence, checkedCount, bytes, matched, link.Sequence, AuditBreak.Reordering,
                                    $"#{link.Sequence} links to the hash of #{other}, not of #{link.Sequence - 1}: events were moved.")
                                : Broken(first, lastSequence, checkedCount, bytes, matched, link.Sequence, AuditBreak.BrokenLink,
                                    $"#{link.Sequence} does not link to the hash of #{link.Sequence - 1}.");
                            break;
                        }
                        var needed = AuditCanonical.HashBytes + sizeof(long) + link.Content.Length;
                        if (needed > buffer.Length)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = ArrayPool<byte>.Shared.Rent(needed);
                        }
                        var length = AuditCanonical.WriteHashInput(link.PreviousHash, link.Sequence, link.Content, buffer);
                        SHA256.HashData(buffer.AsSpan(0, length), computed);
                        bytes += length;
                        if (link.Hash.Length != AuditCanonical.HashBytes * 2
                            || Convert.FromHexString(link.Hash, stored, out _, out _) != OperationStatus.Done
                            || !computed.AsSpan().SequenceEqual(stored))
                        {
                            broken = Broken(first, lastSequence, checkedCount, bytes, matched, link.Sequence, AuditBreak.ChangedContent,
                                $"#{link.Sequence} was changed: its content no longer hashes to its stored hash.");
                            break;
                        }
                        if (anchorsBySequence.TryGetValue(link.Sequence, out var anchored))
                        {
                            var mismatch = anchored.FirstOrDefault(a => !string.Equals(a.Hash, link.Hash, StringComparison.OrdinalIgnoreCase));
                            if (mismatch is not null)
                            {
                                broken = Broken(first, lastSequence, checkedCount, bytes, matched, link.Sequence, AuditBreak.AnchorMismatch,
                                    $"#{link.Sequence} does not match the anchor written at {AuditCanonical.FormatTimestamp(mismatch.AnchoredAt)}: the chain was rewritten.");
                                break;
                            }
                            matched = anchored[^1];
                        }
                        expectedPrevious = link.Hash;
                        lastSequence = link.Sequence;
                        expectedSequence++;
                        checkedCount++;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await stop.CancelAsync();
            try
            {
                await reading;
            }
            catch (OperationCanceledException)
            {
                // The reader was stopped because a break was found.
            }
        }
        if (broken is not null)
        {
            return broken;
        }
        if (channel.Reader.Completion.IsFaulted)
        {
            await channel.Reader.Completion;
        }

        var beyond = anchorsBySequence.Keys.Where(s => lastSequence is null || s > lastSequence).DefaultIfEmpty(0).Max();
        if (beyond > 0)
        {
            var end = lastSequence ?? first - 1;
            return Broken(first, lastSequence, checkedCount, bytes, matched, end + 1, AuditBreak.AnchorMismatch,
                $"The chain ends at #{end}, but an anchor records #{beyond}: events were removed.");
        }
        var through = lastSequence is { } last ? $"#{last}" : "the start (no events)";
        var message = lastSequence is null
            ? (first == 1 ? "The chain is empty." : $"No events from #{first}.")
            : matched is null
                ? $"Intact through {through}; no anchor in this range yet."
                : $"Intact through {through}, matches anchor at #{matched.Sequence}.";
        return new AuditVerification(true, first, lastSequence, checkedCount, bytes, matched, null, null, message);
    }

    private static AuditVerification Broken(long first, long? through, long count, long bytes, AuditAnchor? matched, long at, AuditBreak kind, string why) =>
        new(false, first, through, count, bytes, matched, at, kind, $"Broken at #{at.ToString(CultureInfo.InvariantCulture)}: {why}");
}
