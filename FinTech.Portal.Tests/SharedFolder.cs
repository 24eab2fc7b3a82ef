namespace FinTech.Portal.Tests;

/// <summary>
/// The project's shared reference data (AWS API models, the SigV4 test suite): the <c>shared</c>
/// folder beside the repository's checkout (or beside a folder above it), wherever the checkout is.
/// </summary>
internal static class SharedFolder
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            // Beside the checkout, or beside a folder that holds it (a git worktree under the checkout's parent).
            var candidate = System.IO.Path.Combine(directory.FullName, "shared");
            if (Directory.Exists(System.IO.Path.Combine(candidate, "aws-models")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            "The shared folder (aws-models, aws-sigv4-suite) must sit beside the repository's checkout, as ../shared.");
    }
}
