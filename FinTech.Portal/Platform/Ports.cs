namespace FinTech.Portal.Platform;

// The ports: what the portal reads from a platform, in AWS vocabulary. The Sandbox implements
// them from its simulated model, the Aws backend with signed calls. Every call may fail
// (throttling, network, permissions); callers show the failure next to the data it affects.

/// <summary>Thrown by a port when the platform could not answer; the message is for people.</summary>
public sealed class PlatformUnavailableException(string message, Exception? inner = null)
    : Exception(message, inner);
