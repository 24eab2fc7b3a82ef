using FinTech.Portal.Bench;

// dotnet run -c Release --project bench/FinTech.Portal.Bench -- <benchmark>
// One benchmark per argument; each prints its results last, one "name=value" per line.
var benchmarks = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["audit"] = AuditBenchmark.RunAsync,
    ["aws"] = AwsBenchmark.RunAsync,
    ["circuits"] = CircuitsBenchmark.RunAsync,
    ["fanout"] = FanoutBenchmark.RunAsync,
    ["operations"] = OperationsBenchmark.RunAsync,
    ["logs"] = LogsBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"Usage: FinTech.Portal.Bench <{string.Join('|', benchmarks.Keys)}> [options]");
    return 2;
}
return await run(args[1..]);
